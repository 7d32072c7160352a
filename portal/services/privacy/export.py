"""The copy of a customer account's own data (GDPR art. 15 access, art. 20 portability).

The user asks (`request_export`); a job builds the zip in the background (`claim_next`, `build`,
`finish`); the user is told by the bell and by e-mail; the link works for that user only, signed in,
until `expires_at` (LINK_DAYS); the job then deletes the file (`expire`).

What goes in is what the user may read in the portal, as `scope_of` draws it:
- the main customer account: the whole customer (every contract, every account of the customer
  and their sign-ins, the requests of the customer);
- a sub-user: its own account, and only the contracts granted to it (with their plans, invoices,
  payments and documents) and the requests it may read (those about its contracts or written by it).
  A sub-user is a person the customer let in on some contracts: the copy holds their personal
  data and what they may see anyway, never what the customer kept from them.

Each section is one entry of SECTIONS (a name and a function returning rows): a further section is
one more line there. Every section is written twice, as JSON and as CSV.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import enum
import io
import json
import secrets
import threading
import zipfile
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, col, select

from portal import i18n, routes
from portal.models import (
    AuditEvent,
    Contract,
    Customer,
    DataExport,
    ExportStatus,
    Invoice,
    LeasedAsset,
    Notification,
    Payment,
    RequestMessage,
    ScheduleLine,
    ServiceRequest,
    SubUserContract,
    UserAccount,
)
from portal.models.enums import NotificationKind, UserRole
from portal.services.access.scope import Scope, scope_of
from portal.services.common import downloads, mail, mail_templates
from portal.services.common.clock import ROME
from portal.services.contracts.statements import statement_years
from portal.services.privacy.access_log import device_of, sign_ins_of
from portal.services.requests.bell import notices
from portal.services.requests.queries import visible_to_customer

LINK_DAYS = 7  # how long the link (and the file) lives once ready
CLAIM_TIMEOUT = dt.timedelta(minutes=10)  # a build not finished by then was lost with its process
MAX_ATTEMPTS = 3
ZIP = "application/zip"
ACCOUNT_COLUMNS = (
    "id",
    "username",
    "role",
    "parent_id",
    "first_name",
    "last_name",
    "language",
    "primary_email",
    "secondary_email",
    "is_active",
    "all_contracts",
    "may_submit_requests",
    "created_at",
    "last_login_at",
)

# Hooks run when a request row is written (tasks.install: on PostgreSQL the build job is deferred
# in the same transaction); the SQLite loop is woken by `wake` after the commit.
enqueue_hooks: list[Callable[[Session, DataExport], object]] = []
wake = threading.Event()


@dataclasses.dataclass(frozen=True)
class ExportContext:
    session: Session
    user: UserAccount
    scope: Scope
    now: dt.datetime
    lang: str

    @property
    def whole_customer(self) -> bool:
        return self.scope.contract_ids is None and self.user.role is UserRole.CUSTOMER

    def contract_ids(self) -> list[int]:
        query = select(Contract.id).where(*self.scope.where(col(Contract.customer_id), col(Contract.id)))
        return list(self.session.exec(query.order_by(col(Contract.id))).all())

    def account_ids(self) -> list[int]:
        """The accounts whose data the copy holds: the customer's all for its main account, else its own."""
        if not self.whole_customer:
            return [self.user.id]
        query = select(UserAccount.id).where(UserAccount.customer_id == self.scope.customer_id)
        return list(self.session.exec(query.order_by(col(UserAccount.id))).all())


Rows = list[dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class Section:
    name: str  # the files' name in the zip: <name>.json and <name>.csv
    rows: Callable[[ExportContext], Rows]


def plain(value: Any) -> Any:
    """A value as JSON carries it: money and rates as exact decimal strings, times in ISO 8601."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _record(row: Any, columns: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> dict[str, Any]:
    names = list(columns) if columns is not None else [c.name for c in row.__table__.columns]
    return {name: plain(getattr(row, name)) for name in names if name not in set(exclude)}


def _all(ctx: ExportContext, model: Any, *conditions: Any, order: Any = None) -> list[Any]:
    ordering = order if isinstance(order, tuple) else (order if order is not None else col(model.id),)
    query = select(model).where(*conditions).order_by(*ordering)
    return list(ctx.session.exec(query).all())


# Sections --------------------------------------------------------------------------------------


def profile_rows(ctx: ExportContext) -> Rows:
    customer = ctx.session.get(Customer, ctx.scope.customer_id)
    return [_record(customer, exclude=("tenant_id",))] if customer is not None else []


def user_rows(ctx: ExportContext) -> Rows:
    """The accounts (no password hash, no authenticator secret, no failure counters), with the
    contracts each restricted sub-user was granted."""
    accounts = _all(ctx, UserAccount, col(UserAccount.id).in_(ctx.account_ids()))
    granted: dict[int, list[str]] = {}
    for user_id, number in ctx.session.exec(
        select(SubUserContract.user_id, Contract.number)
        .join(Contract, col(Contract.id) == col(SubUserContract.contract_id))
        .where(col(SubUserContract.user_id).in_([a.id for a in accounts]))
        .order_by(col(Contract.number))
    ).all():
        granted.setdefault(user_id, []).append(number)
    return [
        {
            **_record(a, ACCOUNT_COLUMNS),
            "granted_contracts": " ".join(granted.get(a.id, [])) if not a.all_contracts else "",
        }
        for a in accounts
    ]


def contract_rows(ctx: ExportContext) -> Rows:
    return [_record(c, exclude=("tenant_id",)) for c in _all(ctx, Contract, col(Contract.id).in_(ctx.contract_ids()))]


def asset_rows(ctx: ExportContext) -> Rows:
    rows = _all(ctx, LeasedAsset, col(LeasedAsset.contract_id).in_(ctx.contract_ids()))
    return [_record(a) for a in rows]


def plan_rows(ctx: ExportContext) -> Rows:
    numbers = dict(
        ctx.session.exec(select(Contract.id, Contract.number).where(col(Contract.id).in_(ctx.contract_ids()))).all()
    )
    lines = _all(
        ctx,
        ScheduleLine,
        col(ScheduleLine.contract_id).in_(list(numbers)),
        order=(col(ScheduleLine.contract_id), col(ScheduleLine.position)),
    )
    return [{"contract_number": numbers[line.contract_id], **_record(line)} for line in lines]


def _invoices(ctx: ExportContext) -> list[Invoice]:
    return _all(
        ctx,
        Invoice,
        col(Invoice.contract_id).in_(ctx.contract_ids()),
        col(Invoice.published_at) <= ctx.now,
    )


def invoice_rows(ctx: ExportContext) -> Rows:
    hidden = ("tenant_id", "pdf_storage_key", "xml_storage_key")
    return [_record(invoice, exclude=hidden) for invoice in _invoices(ctx)]


def payment_rows(ctx: ExportContext) -> Rows:
    return [
        _record(p, exclude=("tenant_id",)) for p in _all(ctx, Payment, col(Payment.contract_id).in_(ctx.contract_ids()))
    ]


def document_rows(ctx: ExportContext) -> Rows:
    """The documents the portal offers today: each invoice's PDF and XML, and each contract's annual
    statements (rendiconti) of the closed years; the links open them in the portal."""
    rows: Rows = []
    for invoice in _invoices(ctx):
        for fmt, url in (("pdf", routes.invoice_pdf_url(invoice.id)), ("xml", routes.invoice_xml_url(invoice.id))):
            rows.append(
                {
                    "document": f"{invoice.kind.value}.{fmt}",
                    "number": invoice.number,
                    "contract_id": invoice.contract_id,
                    "date": plain(invoice.issue_date),
                    "sha256": (invoice.pdf_sha256 if fmt == "pdf" else invoice.xml_sha256) or "",
                    "link": url,
                }
            )
    contracts = _all(ctx, Contract, col(Contract.id).in_(ctx.contract_ids()))
    for contract in contracts:
        for year in sorted(statement_years(contract, ctx.now.date())):
            rows.append(
                {
                    "document": "annual_statement.pdf",
                    "number": f"{contract.number}/{year}",
                    "contract_id": contract.id,
                    "date": f"{year}-12-31",
                    "sha256": "",
                    "link": routes.statement_url(contract.number, year),
                }
            )
    return rows


def _requests(ctx: ExportContext) -> list[ServiceRequest]:
    return _all(ctx, ServiceRequest, *visible_to_customer(ctx.scope, ctx.user.id))


def request_rows(ctx: ExportContext) -> Rows:
    return [_record(r, exclude=("tenant_id",)) for r in _requests(ctx)]


def message_rows(ctx: ExportContext) -> Rows:
    codes = {r.id: r.code for r in _requests(ctx)}
    messages = _all(
        ctx,
        RequestMessage,
        col(RequestMessage.request_id).in_(list(codes)),
        order=(col(RequestMessage.request_id), col(RequestMessage.id)),
    )
    return [{"request_code": codes[m.request_id], **_record(m)} for m in messages]


def notification_rows(ctx: ExportContext) -> Rows:
    """What the user's bell shows (their own notices and the broadcasts), as the bell reads it."""
    _, visible = notices(session=ctx.session, user=ctx.user, limit=0)
    items, _ = notices(session=ctx.session, user=ctx.user, limit=visible or 0, with_total=False)
    return [
        {
            "id": n.notification_id,
            "kind": n.kind.value,
            "subject": n.subject,
            "body": n.body,
            "created_at": plain(n.created_at),
            "read": n.read,
            "request_code": n.request_code or "",
            "invoice_number": n.invoice_number or "",
        }
        for n in sorted(items, key=lambda n: (n.created_at, n.notification_id))
    ]


def access_log_rows(ctx: ExportContext) -> Rows:
    """The sign-ins (successful and failed) of the last twelve months of the accounts in the copy."""
    rows = []
    events: list[AuditEvent] = sign_ins_of(session=ctx.session, user_ids=ctx.account_ids(), now=ctx.now)
    for signed in events:
        device = device_of(signed.user_agent)
        rows.append(
            {
                "id": signed.id,
                "user_id": signed.user_id,
                "at": plain(signed.created_at),
                "event": signed.action,
                "client_ip": signed.client_ip,
                "browser": device.browser,
                "system": device.system,
                "user_agent": signed.user_agent,
            }
        )
    return rows


SECTIONS: list[Section] = [
    Section("profile", profile_rows),
    Section("users", user_rows),
    Section("contracts", contract_rows),
    Section("assets", asset_rows),
    Section("plans", plan_rows),
    Section("documents", document_rows),
    Section("invoices", invoice_rows),
    Section("payments", payment_rows),
    Section("requests", request_rows),
    Section("messages", message_rows),
    Section("notifications", notification_rows),
    Section("access_log", access_log_rows),
]


# The zip ------------------------------------------------------------------------------------------


def csv_text(rows: Rows) -> str:
    """The rows as CSV: a header of every key met, in order; nested values (a request's form) as JSON."""
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                key: json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, dict | list) else value
                for key, value in row.items()
            }
        )
    return out.getvalue()


def write_zip(ctx: ExportContext, target: Path) -> int:
    """Every section as <name>.json and <name>.csv, and manifest.json; the file's size."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for section in SECTIONS:
            rows = section.rows(ctx)
            counts[section.name] = len(rows)
            archive.writestr(f"{section.name}.json", json.dumps(rows, ensure_ascii=False, indent=2, default=plain))
            archive.writestr(f"{section.name}.csv", csv_text(rows))
        manifest = {
            "generated_at": plain(ctx.now),
            "username": ctx.user.username,
            "scope": "customer" if ctx.whole_customer else "user",
            "sections": counts,
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return target.stat().st_size


# Requests and their life ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ExportView:
    """An export as the page shows it."""

    code: str
    status: ExportStatus
    requested_at: dt.datetime
    ready_at: dt.datetime | None
    expires_at: dt.datetime | None
    size_bytes: int


def _view(row: DataExport) -> ExportView:
    return ExportView(row.code, row.status, row.requested_at, row.ready_at, row.expires_at, row.size_bytes)


def latest(*, session: Session, user_id: int) -> ExportView | None:
    """The user's latest export, if any."""
    row = session.exec(
        select(DataExport)
        .where(DataExport.user_id == user_id)
        .order_by(col(DataExport.requested_at).desc(), col(DataExport.id).desc())
    ).first()
    return _view(row) if row is not None else None


def request_export(*, session: Session, user: UserAccount, now: dt.datetime) -> tuple[ExportView, bool]:
    """A new export for the user, or the one still in progress (then False: nothing changed)."""
    if user.customer_id is None:
        raise PermissionError("only customer accounts have data of their own to export")
    # The account's row is locked until the commit: two clicks at once make one export.
    session.exec(select(UserAccount.id).where(UserAccount.id == user.id).with_for_update()).one()
    pending = session.exec(
        select(DataExport).where(DataExport.user_id == user.id, DataExport.status == ExportStatus.REQUESTED)
    ).first()
    if pending is not None:
        return _view(pending), False
    row = DataExport(
        tenant_id=user.tenant_id,
        user_id=user.id,
        customer_id=user.customer_id,
        code=secrets.token_urlsafe(18),
        status=ExportStatus.REQUESTED,
        language=user.language.value,
        requested_at=now,
    )
    session.add(row)
    session.flush()
    for hook in enqueue_hooks:
        hook(session, row)
    if not event.contains(session, "after_commit", _wake):
        event.listen(session, "after_commit", _wake)
    return _view(row), True


def _wake(_session: Session) -> None:
    wake.set()


def claim_next(*, session: Session, now: dt.datetime) -> int | None:
    """Take the oldest waiting export (one never claimed, or whose builder died: claimed longer than
    CLAIM_TIMEOUT ago); its id, or None. The claim is one UPDATE: two workers never take the same."""
    table = DataExport.__table__  # type: ignore[attr-defined]  (SQLModel's table, for Core statements)
    waiting = sa.and_(
        table.c.status == ExportStatus.REQUESTED.value,
        sa.or_(table.c.claimed_at.is_(None), table.c.claimed_at < now - CLAIM_TIMEOUT),
    )
    candidates = session.execute(
        sa.select(table.c.id).where(waiting).order_by(table.c.requested_at, table.c.id)
    ).scalars()
    for export_id in candidates.all():
        taken = session.execute(
            sa.update(table)
            .where(table.c.id == export_id, waiting)
            .values(claimed_at=now, attempts=table.c.attempts + 1)
            .returning(table.c.id)
        ).scalar_one_or_none()
        if taken is not None:
            cached = session.get(DataExport, taken)  # the ORM's copy, if any, is stale now
            if cached is not None:
                session.refresh(cached)
            return taken
    return None


def build(*, session: Session, export_id: int, now: dt.datetime, base: Path | None = None) -> str:
    """Write the zip of a claimed export into the private folder; its storage name."""
    row = session.get(DataExport, export_id)
    user = session.get(UserAccount, row.user_id) if row is not None else None
    scope = scope_of(session=session, user=user) if user is not None else None
    if row is None or user is None or scope is None:
        raise LookupError(f"export {export_id} has no customer account to read")
    storage_name = downloads.new_storage_name(".zip")
    target = downloads.exports_dir(base) / storage_name
    try:
        write_zip(ExportContext(session=session, user=user, scope=scope, now=now, lang=row.language), target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return storage_name


def finish(
    *, session: Session, export_id: int, storage_name: str, now: dt.datetime, base: Path | None = None
) -> DataExport:
    row = session.get(DataExport, export_id)
    if row is None:
        raise LookupError(f"no export {export_id}")
    row.status = ExportStatus.READY
    row.storage_name = storage_name
    row.size_bytes = (downloads.exports_dir(base) / storage_name).stat().st_size
    row.ready_at = now
    row.expires_at = now + dt.timedelta(days=LINK_DAYS)
    row.claimed_at = None
    session.add(row)
    return row


def give_up_or_retry(*, session: Session, export_id: int, error: str) -> bool:
    """After a failed build: try again on the next round, or give up after MAX_ATTEMPTS (True)."""
    row = session.get(DataExport, export_id)
    if row is None:
        return False
    row.claimed_at = None
    row.error = error[:200]
    failed = row.attempts >= MAX_ATTEMPTS
    if failed:
        row.status = ExportStatus.FAILED
    session.add(row)
    return failed


def expire(*, session: Session, now: dt.datetime, base: Path | None = None) -> int:
    """Delete the files whose link has lapsed; how many."""
    lapsed = session.exec(
        select(DataExport).where(DataExport.status == ExportStatus.READY, col(DataExport.expires_at) <= now)
    ).all()
    for row in lapsed:
        if row.storage_name:
            (downloads.exports_dir(base) / row.storage_name).unlink(missing_ok=True)
        row.status = ExportStatus.EXPIRED
        row.storage_name = None
        session.add(row)
    return len(lapsed)


def access_export(
    *, session: Session, user_id: int, code: str, now: dt.datetime, base: Path | None = None
) -> downloads.Redeemed | None:
    """The zip behind the link, for the user who asked for it, while the link lives; None otherwise
    (exactly as for a code that does not exist)."""
    row = session.exec(select(DataExport).where(DataExport.code == code)).first()
    if (
        row is None
        or row.user_id != user_id
        or row.status is not ExportStatus.READY
        or row.storage_name is None
        or row.expires_at is None
        or now >= row.expires_at
    ):
        return None
    path = downloads.exports_dir(base) / row.storage_name
    if not path.is_file():
        return None
    stamp = row.requested_at.strftime("%Y%m%d")
    return downloads.Redeemed(path=path, filename=f"miei-dati-{stamp}.zip", content_type=ZIP)


def ready_notice(row: DataExport, *, title: str, body: str) -> Notification:
    return Notification(
        tenant_id=row.tenant_id,
        kind=NotificationKind.DATA_EXPORT,
        user_id=row.user_id,
        title=title[:200],
        body=body[:2000],
        created_at=row.ready_at or row.requested_at,
    )


def notify_ready(*, session: Session, export_id: int, public_url: str) -> None:
    """The bell notice and the e-mail telling the requester the copy is ready, with the link and
    until when it works (in the requester's language)."""
    row = session.get(DataExport, export_id)
    user = session.get(UserAccount, row.user_id) if row is not None else None
    if row is None or user is None or row.expires_at is None:
        return
    lang = user.language.value
    until = i18n.long_date(row.expires_at.astimezone(ROME).date(), lang)
    session.add(
        ready_notice(
            row,
            title=i18n.translate(lang, "mydata.notice.title"),
            body=i18n.translate(lang, "mydata.notice.body", date=until),
        )
    )
    mail.enqueue(
        session=session,
        mail=mail_templates.data_export_ready(
            mail_templates.recipient_of(session=session, user=user),
            link=f"{public_url}{routes.my_data_download_url(row.code)}",
            page=f"{public_url}{routes.MY_DATA}",
            until=until,
        ),
    )
