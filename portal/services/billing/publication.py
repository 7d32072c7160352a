"""Publishing a new document: a bell notification and an e-mail (primary address, plus the
secondary one when set) for every account that may see the contract, and the record of a paper
copy for the customers who asked for paper invoices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal import i18n, routes
from portal.models import Contract, Customer, Invoice, Notification, UserAccount
from portal.models.enums import DocumentKind, NotificationKind
from portal.services.access.scope import readers_of
from portal.services.billing import invoices as billing
from portal.services.billing.documents import linked
from portal.services.common import mail, mail_templates

_BATCH = 500  # ids in one IN (…): well below SQLite's limit of bound parameters


def recipients(session: Session, invoice: Invoice) -> list[UserAccount]:
    """Active accounts of the customer whose scope includes the invoice's contract."""
    return readers_of(session=session, customer_id=invoice.customer_id, contract_id=invoice.contract_id)


def publish(*, session: Session, invoice: Invoice, now: dt.datetime, public_url: str) -> int:
    """Tell the customer's users about `invoice`; returns how many e-mails were sent."""
    if invoice.notified_at is not None:
        return 0
    customer = linked(session, Customer, invoice.customer_id)
    contract = linked(session, Contract, invoice.contract_id)
    invoice.paper_copy = customer.paper_invoices
    invoice.notified_at = now
    session.add(invoice)
    title_key = "notice.credit_note_title" if invoice.kind is DocumentKind.CREDIT_NOTE else "notice.invoice_title"
    sent = 0
    for user in recipients(session, invoice):
        lang = user.language.value
        amount = i18n.money(invoice.total, lang)
        session.add(
            Notification(
                tenant_id=invoice.tenant_id,
                kind=NotificationKind.DOCUMENT,
                user_id=user.id,
                invoice_id=invoice.id,
                title=i18n.translate(lang, title_key, number=invoice.number),
                body=i18n.translate(
                    lang,
                    "notice.body",
                    number=invoice.number,
                    contract=contract.number,
                    amount=amount,
                    date=i18n.short_date(invoice.due_date, lang),
                ),
                created_at=now,
            )
        )
        document = mail_templates.Published(
            number=invoice.number,
            issue_date=i18n.short_date(invoice.issue_date, lang),
            contract=contract.number,
            amount=amount,
            due=i18n.short_date(invoice.due_date, lang),
            paper=invoice.paper_copy,
            link=f"{public_url}{routes.BILLING}",
        )
        addresses = [user.primary_email] + ([user.secondary_email] if user.secondary_email else [])
        for address in addresses:
            recipient = mail_templates.recipient_of(session=session, user=user, to=address)
            mail.enqueue(session=session, mail=mail_templates.publication(recipient, document))
            sent += 1
    return sent


def _with_accounts(session: Session, customer_ids: set[int]) -> set[int]:
    """The customers among `customer_ids` with an active account (the others' invoices have no reader)."""
    found: set[int] = set()
    ordered = sorted(customer_ids)
    for start in range(0, len(ordered), _BATCH):
        found.update(
            customer_id
            for customer_id in session.exec(
                select(UserAccount.customer_id).where(
                    col(UserAccount.customer_id).in_(ordered[start : start + _BATCH]),
                    col(UserAccount.is_active).is_(True),
                )
            ).all()
            if customer_id is not None
        )
    return found


def publish_new(*, session: Session, invoice_ids: Sequence[int], now: dt.datetime, public_url: str) -> int:
    """`publish` for the invoices of `invoice_ids`, just inserted in bulk (an import's): those
    of customers without an active account are stamped, as `publish` would, by a few UPDATEs of
    many rows; the others are loaded and published one by one. Returns the e-mails sent."""
    table = Invoice.__table__  # type: ignore[attr-defined]
    customer_of: dict[int, int] = {}
    for start in range(0, len(invoice_ids), _BATCH):
        batch = invoice_ids[start : start + _BATCH]
        rows = session.execute(sa.select(table.c.id, table.c.customer_id).where(table.c.id.in_(batch)))
        customer_of.update((invoice_id, customer_id) for invoice_id, customer_id in rows)
    with_accounts = _with_accounts(session, set(customer_of.values()))
    paper = dict(
        session.execute(
            sa.select(Customer.__table__.c.id, Customer.__table__.c.paper_invoices).where(  # type: ignore[attr-defined]
                Customer.__table__.c.id.in_(sorted(set(customer_of.values()) - with_accounts))  # type: ignore[attr-defined]
            )
        ).all()
    )
    for asked in (False, True):
        quiet = [i for i, customer_id in customer_of.items() if paper.get(customer_id) is asked]
        for start in range(0, len(quiet), _BATCH):
            session.execute(
                sa.update(table)
                .where(table.c.id.in_(quiet[start : start + _BATCH]), table.c.notified_at.is_(None))
                .values(paper_copy=asked, notified_at=now)
            )
    read = sorted(i for i, customer_id in customer_of.items() if customer_id in with_accounts)
    invoices: list[Invoice] = []
    for start in range(0, len(read), _BATCH):
        invoices.extend(
            session.exec(
                select(Invoice).where(col(Invoice.id).in_(read[start : start + _BATCH])).order_by(col(Invoice.id))
            )
        )
    return sum(publish(session=session, invoice=invoice, now=now, public_url=public_url) for invoice in invoices)


def run_billing(
    *, session: Session, tenant_id: int, as_of: dt.date, now: dt.datetime, public_url: str
) -> list[Invoice]:
    """The daily billing job: issue what has come due for invoicing, then publish it."""
    issued = billing.issue_pending_documents(session=session, tenant_id=tenant_id, as_of=as_of)
    session.flush()
    for invoice in issued:
        publish(session=session, invoice=invoice, now=now, public_url=public_url)
    return issued
