"""Customer B, the victim: its ids (what an attacker sends), the texts that would betray a leak
(what must never reach the attacker), and a snapshot of every row it owns (what must not change)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from portal import i18n
from tests.e2e.conftest import RunningApp


@dataclasses.dataclass(frozen=True)
class Victim:
    code: str  # customer code, also the main account's username
    customer_id: int
    user_ids: tuple[int, ...]
    usernames: tuple[str, ...]
    sub_user_ids: tuple[int, ...]
    emails: tuple[str, ...]
    tax_code: str
    contract_ids: tuple[int, ...]
    contract_numbers: tuple[str, ...]
    modules: tuple[str, ...]
    asset_ids: tuple[int, ...]
    invoice_ids: tuple[int, ...]
    request_ids: tuple[int, ...]
    request_codes: tuple[str, ...]
    attachment_ids: tuple[int, ...]
    notification_ids: tuple[int, ...]
    markers: tuple[str, ...]  # texts only B's rows hold
    document_ask_ids: tuple[int, ...] = ()  # the documents the desk asked B for (issue 15)
    complaint_codes: tuple[str, ...] = ()
    complaint_attachment_ids: tuple[int, ...] = ()

    @property
    def contract_number(self) -> str:
        return self.contract_numbers[0]

    @property
    def request_code(self) -> str:
        return self.request_codes[0]


def _column(app: RunningApp, sql: str, **params) -> tuple:
    with app.engine.connect() as connection:
        return tuple(row[0] for row in connection.execute(sa.text(sql), params))


_PORTAL_WORDS = " ".join(text for messages in i18n.CATALOGUES.values() for text in messages.values())


def victim(app: RunningApp, code: str) -> Victim:
    customer_id = _column(app, "select id from customer where code = :c", c=code)[0]
    users = "select id from user_account where customer_id = :c"
    requests = "select id from service_request where customer_id = :c"
    complaints = "select id from complaint where customer_id = :c"
    c = {"c": customer_id}
    markers = [
        *_column(app, "select denominazione from customer where id = :c", **c),
        *_column(app, "select coalesce(codice_fiscale, partita_iva) from customer where id = :c", **c),
        *_column(app, "select number from contract where customer_id = :c", **c),
        *_column(app, "select direct_debit_iban from contract where customer_id = :c", **c),
        *_column(app, "select number from invoice where customer_id = :c", **c),
        *_column(app, "select description from leased_asset where customer_id = :c", **c),
        *_column(app, "select serial_number from leased_asset where customer_id = :c", **c),
        *_column(app, "select plate from leased_asset where customer_id = :c", **c),
        *_column(app, "select code from service_request where customer_id = :c", **c),
        *_column(app, f"select display_name from request_attachment where request_id in ({requests})", **c),
        *_column(app, f"select body from request_message where request_id in ({requests})", **c),
        *_column(app, f"select title from notification where user_id in ({users})", **c),
        *_column(app, "select username from user_account where customer_id = :c", **c),
        *_column(app, "select primary_email from user_account where customer_id = :c", **c),
        *_column(app, "select last_name from user_account where customer_id = :c", **c),
        *_column(app, "select title from published_document where customer_id = :c", **c),
        *_column(app, "select sha256 from published_document where customer_id = :c", **c),
        *_column(app, "select code from complaint where customer_id = :c", **c),
        *_column(app, "select subject from complaint where customer_id = :c", **c),
        *_column(app, "select body from complaint where customer_id = :c", **c),
        *_column(app, f"select display_name from complaint_attachment where complaint_id in ({complaints})", **c),
    ]
    return Victim(
        code=code,
        customer_id=customer_id,
        user_ids=_column(app, users + " order by id", **c),
        usernames=_column(app, "select username from user_account where customer_id = :c order by id", **c),
        sub_user_ids=_column(app, "select id from user_account where customer_id = :c and parent_id is not null", **c),
        emails=_column(app, "select primary_email from user_account where customer_id = :c order by id", **c),
        tax_code=_column(app, "select coalesce(partita_iva, codice_fiscale) from customer where id = :c", **c)[0],
        contract_ids=_column(app, "select id from contract where customer_id = :c order by id", **c),
        contract_numbers=_column(app, "select number from contract where customer_id = :c order by id", **c),
        modules=_column(app, "select module_number from contract where customer_id = :c order by id", **c),
        asset_ids=_column(app, "select id from leased_asset where customer_id = :c order by id", **c),
        invoice_ids=_column(app, "select id from invoice where customer_id = :c order by id", **c),
        request_ids=_column(app, requests + " order by id", **c),
        request_codes=_column(app, "select code from service_request where customer_id = :c order by id", **c),
        attachment_ids=_column(app, f"select id from request_attachment where request_id in ({requests})", **c),
        notification_ids=_column(app, f"select id from notification where user_id in ({users}) order by id", **c),
        # Short values (a module "1") would match anything: only distinctive texts count.
        # Only distinctive texts count: not a short value (a module "1"), not a word the portal itself
        # writes (a surname such as "Conti" is also Italian for "accounts" in the catalogues).
        complaint_codes=_column(app, "select code from complaint where customer_id = :c order by id", **c),
        complaint_attachment_ids=_column(
            app, f"select id from complaint_attachment where complaint_id in ({complaints}) order by id", **c
        ),
        markers=tuple(sorted({m for m in markers if m and len(m) >= 5 and m not in _PORTAL_WORDS})),
        document_ask_ids=_column(app, "select id from document_ask where customer_id = :c order by id", **c),
    )


# Every row B owns, table by table; the columns that only record activity are left out.
_OWNED = {
    "customer": "id = :c",
    "user_account": "customer_id = :c",
    "contract": "customer_id = :c",
    "leased_asset": "customer_id = :c",
    "invoice": "customer_id = :c",
    "schedule_line": "contract_id in (select id from contract where customer_id = :c)",
    "sub_user_contract": "user_id in (select id from user_account where customer_id = :c)"
    " or contract_id in (select id from contract where customer_id = :c)",
    "service_request": "customer_id = :c or contract_id in (select id from contract where customer_id = :c)",
    "request_message": "request_id in (select id from service_request where customer_id = :c)",
    "request_attachment": "request_id in (select id from service_request where customer_id = :c)",
    "request_status_change": "request_id in (select id from service_request where customer_id = :c)",
    "request_contact": "request_id in (select id from service_request where customer_id = :c)",
    "notification": "user_id in (select id from user_account where customer_id = :c)"
    " or request_id in (select id from service_request where customer_id = :c)",
    "notification_read": "user_id in (select id from user_account where customer_id = :c)"
    " or notification_id in (select id from notification where user_id in"
    " (select id from user_account where customer_id = :c))",
    "complaint": "customer_id = :c",
    "complaint_attachment": "complaint_id in (select id from complaint where customer_id = :c)",
    "user_session": "user_id in (select id from user_account where customer_id = :c)",
    "published_document": "customer_id = :c or contract_id in (select id from contract where customer_id = :c)",
    "document_ask": "customer_id = :c or contract_id in (select id from contract where customer_id = :c)",
    "document_upload": "ask_id in (select id from document_ask where customer_id = :c)",
    "password_reset_token": "user_id in (select id from user_account where customer_id = :c)",
}
_ACTIVITY = {"last_login_at", "last_seen_at"}


def snapshot(app: RunningApp, who: Victim) -> dict[str, list[tuple]]:
    """Every row B owns (and every row pointing at B's contracts and requests), as plain tuples."""
    taken = {}
    with app.engine.connect() as connection:
        for table, where in _OWNED.items():
            rows = connection.execute(
                sa.text(f"select * from {table} where {where} order by id"), {"c": who.customer_id}
            )
            taken[table] = [
                tuple((k, v) for k, v in row.items() if k not in _ACTIVITY) for row in rows.mappings().all()
            ]
    return taken


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    return [table for table in before if before[table] != after[table]]


def attach_file(app: RunningApp, code: str) -> None:
    """One stored attachment on the customer's first request (the demo data has none), with a name
    only this customer's rows hold."""
    body = f"private document of customer {code}\n".encode()
    key = secrets.token_hex(16)
    stored = app.private_dir / "attachments" / "stored"
    stored.mkdir(parents=True, exist_ok=True)
    (stored / key).write_bytes(body)
    with app.engine.begin() as connection:
        request_id, author = connection.execute(
            sa.text(
                "select r.id, r.created_by_id from service_request r join customer c on c.id = r.customer_id "
                "where c.code = :code order by r.id limit 1"
            ),
            {"code": code},
        ).one()
        connection.execute(
            sa.text(
                "insert into request_attachment (request_id, message_id, storage_key, display_name, content_type,"
                " size_bytes, sha256, uploaded_by_id, created_at)"
                " values (:r, null, :k, :n, 'text/plain', :s, :h, :u, :t)"
            ),
            {
                "r": request_id,
                "k": key,
                "n": f"riservato-{code}-{secrets.token_hex(3)}.txt",
                "s": len(body),
                "h": hashlib.sha256(body).hexdigest(),
                "u": author,
                "t": dt.datetime.now(dt.UTC).replace(tzinfo=None),
            },
        )
