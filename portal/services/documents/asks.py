"""Documents the company asks a customer for: the desk asks (kind, note, optional contract,
deadline), the customer sends a file (an insurance certificate with its expiry date, in the
future), the desk accepts it or rejects it with a reason; after a rejection the customer sends
again. Every step tells the customer's readers of the contract (bell + e-mail)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session, col, select

from portal import i18n
from portal.models import Contract, DocumentAsk, DocumentUpload, UserAccount
from portal.models.document import AskKind, AskStatus
from portal.models.enums import UserRole
from portal.services.access.scope import Scope, scope_of
from portal.services.common import audit
from portal.services.documents.library import DocumentRefused, customer_and_contract, operator_of
from portal.services.documents.news import tell_readers
from portal.services.requests import attachments as files

MAX_NOTE = 1000
MAX_REASON = 1000
OPEN_TO_UPLOAD = (AskStatus.REQUESTED, AskStatus.REJECTED)


@dataclasses.dataclass(frozen=True)
class UploadInfo:
    upload_id: int
    display_name: str
    size_bytes: int
    sha256: str
    expires_on: dt.date | None
    created_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class AskInfo:
    ask_id: int
    customer_id: int
    kind: AskKind
    note: str
    contract_number: str  # "" when the ask is about the customer as a whole
    due_on: dt.date
    status: AskStatus
    overdue: bool  # the deadline passed and nothing was sent since the ask (or since the rejection)
    rejection_reason: str
    latest: UploadInfo | None


def _kind_label(lang: str, kind: AskKind) -> str:
    return i18n.translate(lang, f"docs.kind.{kind.value}")


def _contract_number(session: Session, contract_id: int | None) -> str:
    contract = session.get(Contract, contract_id) if contract_id is not None else None
    return contract.number if contract else "—"


def _tell(session: Session, ask: DocumentAsk, event: str, *, now: dt.datetime, public_url: str, **extra: str) -> int:
    number = _contract_number(session, ask.contract_id)
    return tell_readers(
        session=session,
        tenant_id=ask.tenant_id,
        customer_id=ask.customer_id,
        contract_id=ask.contract_id,
        event=event,
        params=lambda lang: {
            "kind": _kind_label(lang, ask.kind),
            "contract": number,
            "date": i18n.short_date(ask.due_on, lang),
            **extra,
        },
        now=now,
        public_url=public_url,
    )


def ask_for_document(
    *,
    session: Session,
    operator_id: int,
    customer_id: int,
    contract_id: int | None,
    kind: AskKind,
    note: str,
    due_on: dt.date,
    today: dt.date,
    now: dt.datetime,
    public_url: str,
) -> DocumentAsk:
    operator = operator_of(session, operator_id)
    customer, contract = customer_and_contract(
        session, tenant_id=operator.tenant_id, customer_id=customer_id, contract_id=contract_id
    )
    if due_on <= today:
        raise DocumentRefused("docs.error.due_past")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise DocumentRefused("docs.error.note")
    ask = DocumentAsk(
        tenant_id=customer.tenant_id,
        customer_id=customer.id,
        contract_id=contract.id if contract else None,
        kind=kind,
        note=note,
        due_on=due_on,
        asked_by_id=operator.id,
        created_at=now,
        updated_at=now,
    )
    session.add(ask)
    session.flush()
    _tell(session, ask, "asked", now=now, public_url=public_url)
    audit.record(
        session=session,
        action="document.asked",
        tenant_id=ask.tenant_id,
        user_id=operator.id,
        customer_id=ask.customer_id,
        ask_id=ask.id,
        kind=kind.value,
    )
    return ask


def _scope_reads(scope: Scope, ask: DocumentAsk) -> bool:
    if ask.customer_id != scope.customer_id:
        return False
    return scope.contract_ids is None or (ask.contract_id is not None and ask.contract_id in scope.contract_ids)


def access_ask(*, session: Session, user: UserAccount, ask_id: int) -> DocumentAsk | None:
    """The ask when `user` may see it (its customer's readers of the contract; the desk of its
    company), None otherwise, exactly as for an id that does not exist."""
    ask = session.get(DocumentAsk, ask_id)
    if ask is None:
        return None
    if user.role is UserRole.OPERATOR:
        return ask if ask.tenant_id == user.tenant_id else None
    scope = scope_of(session=session, user=user)
    return ask if scope is not None and _scope_reads(scope, ask) else None


def access_upload(*, session: Session, user: UserAccount, upload_id: int) -> DocumentUpload | None:
    upload = session.get(DocumentUpload, upload_id)
    if upload is None:
        return None
    return upload if access_ask(session=session, user=user, ask_id=upload.ask_id) is not None else None


def send_upload(
    *,
    session: Session,
    user_id: int,
    ask_id: int,
    staged: files.StagedFile,
    expires_on: dt.date | None,
    today: dt.date,
    now: dt.datetime,
    public_url: str,
) -> DocumentUpload:
    """The customer's file for an ask (asked or rejected); the file moves to storage after the commit."""
    user = session.get(UserAccount, user_id)
    ask = access_ask(session=session, user=user, ask_id=ask_id) if user and user.role is not UserRole.OPERATOR else None
    if user is None or ask is None:
        raise DocumentRefused("docs.error.not_found")
    if ask.status not in OPEN_TO_UPLOAD:
        raise DocumentRefused("docs.error.not_open")
    if ask.kind is AskKind.INSURANCE:
        if expires_on is None:
            raise DocumentRefused("docs.error.expiry_required")
        if expires_on <= today:
            raise DocumentRefused("docs.error.expiry_past")
    else:
        expires_on = None
    upload = DocumentUpload(
        ask_id=ask.id,
        storage_key=staged.storage_key,
        display_name=staged.display_name,
        content_type=staged.content_type,
        size_bytes=staged.size_bytes,
        sha256=staged.sha256,
        expires_on=expires_on,
        uploaded_by_id=user.id,
        created_at=now,
    )
    session.add(upload)
    ask.status = AskStatus.UPLOADED
    ask.updated_at = now
    session.add(ask)
    session.flush()
    audit.record(
        session=session,
        action="document.uploaded",
        tenant_id=ask.tenant_id,
        user_id=user.id,
        customer_id=ask.customer_id,
        ask_id=ask.id,
        sha256=upload.sha256,
    )
    files.keep_after_commit(session=session, staged=[staged])
    return upload


def _to_decide(session: Session, operator_id: int, ask_id: int) -> tuple[UserAccount, DocumentAsk]:
    operator = operator_of(session, operator_id)
    ask = access_ask(session=session, user=operator, ask_id=ask_id)
    if ask is None:
        raise DocumentRefused("docs.error.not_found")
    if ask.status is not AskStatus.UPLOADED:
        raise DocumentRefused("docs.error.not_uploaded")
    return operator, ask


def accept(*, session: Session, operator_id: int, ask_id: int, now: dt.datetime, public_url: str) -> DocumentAsk:
    operator, ask = _to_decide(session, operator_id, ask_id)
    ask.status, ask.rejection_reason, ask.decided_by_id, ask.updated_at = AskStatus.ACCEPTED, "", operator.id, now
    session.add(ask)
    _tell(session, ask, "accepted", now=now, public_url=public_url)
    audit.record(
        session=session,
        action="document.accepted",
        tenant_id=ask.tenant_id,
        user_id=operator.id,
        customer_id=ask.customer_id,
        ask_id=ask.id,
    )
    return ask


def reject(
    *, session: Session, operator_id: int, ask_id: int, reason: str, now: dt.datetime, public_url: str
) -> DocumentAsk:
    reason = reason.strip()
    if not reason:
        raise DocumentRefused("docs.error.reason_required")
    if len(reason) > MAX_REASON:
        raise DocumentRefused("docs.error.reason_long")
    operator, ask = _to_decide(session, operator_id, ask_id)
    ask.status, ask.rejection_reason, ask.decided_by_id, ask.updated_at = AskStatus.REJECTED, reason, operator.id, now
    session.add(ask)
    _tell(session, ask, "rejected", now=now, public_url=public_url, reason=reason)
    audit.record(
        session=session,
        action="document.rejected",
        tenant_id=ask.tenant_id,
        user_id=operator.id,
        customer_id=ask.customer_id,
        ask_id=ask.id,
    )
    return ask


def _latest_uploads(session: Session, ask_ids: list[int]) -> dict[int, DocumentUpload]:
    latest: dict[int, DocumentUpload] = {}
    if not ask_ids:
        return latest
    for upload in session.exec(
        select(DocumentUpload).where(col(DocumentUpload.ask_id).in_(ask_ids)).order_by(col(DocumentUpload.id))
    ).all():
        latest[upload.ask_id] = upload
    return latest


def _infos(session: Session, conditions: list, today: dt.date) -> list[AskInfo]:
    rows = session.exec(
        select(DocumentAsk, Contract.number)
        .outerjoin(Contract, col(Contract.id) == col(DocumentAsk.contract_id))
        .where(*conditions)
        .order_by(col(DocumentAsk.due_on), col(DocumentAsk.id))
    ).all()
    latest = _latest_uploads(session, [ask.id for ask, _ in rows])
    result = []
    for ask, number in rows:
        upload = latest.get(ask.id)
        result.append(
            AskInfo(
                ask_id=ask.id,
                customer_id=ask.customer_id,
                kind=ask.kind,
                note=ask.note,
                contract_number=number or "",
                due_on=ask.due_on,
                status=ask.status,
                overdue=ask.status in OPEN_TO_UPLOAD and ask.due_on < today,
                rejection_reason=ask.rejection_reason,
                latest=None
                if upload is None
                else UploadInfo(
                    upload_id=upload.id,
                    display_name=upload.display_name,
                    size_bytes=upload.size_bytes,
                    sha256=upload.sha256,
                    expires_on=upload.expires_on,
                    created_at=upload.created_at,
                ),
            )
        )
    return result


def asks_for(*, session: Session, scope: Scope, today: dt.date) -> list[AskInfo]:
    """The asks a customer's scope sees (a sub-user: those of its contracts), by deadline."""
    conditions: list = [col(DocumentAsk.customer_id) == scope.customer_id]
    if scope.contract_ids is not None:
        conditions.append(col(DocumentAsk.contract_id).in_(sorted(scope.contract_ids)))
    return _infos(session, conditions, today)


def asks_of_customer(*, session: Session, tenant_id: int, customer_id: int, today: dt.date) -> list[AskInfo]:
    """Every ask of a customer, for the service desk."""
    return _infos(
        session, [col(DocumentAsk.customer_id) == customer_id, col(DocumentAsk.tenant_id) == tenant_id], today
    )
