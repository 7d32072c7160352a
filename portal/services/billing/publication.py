"""Publishing a new document: a bell notification and an e-mail (primary address, plus the
secondary one when set) for every account that may see the contract, and the record of a paper
copy for the customers who asked for paper invoices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import Session, col, select

from portal import i18n, routes
from portal.models import Contract, Customer, Invoice, Notification, UserAccount
from portal.models.enums import DocumentKind, NotificationKind
from portal.services.access.scope import readers_of
from portal.services.billing import invoices as billing
from portal.services.billing.documents import linked
from portal.services.common import mail, mail_templates


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


def publish_all(*, session: Session, invoices: Sequence[Invoice], now: dt.datetime, public_url: str) -> int:
    """`publish` for many invoices (an import's): the customers without any active account get
    no notice to write, so their invoices are stamped without a query each. Returns the e-mails sent."""
    customer_ids = {invoice.customer_id for invoice in invoices}
    with_accounts: set[int] = set()
    for start in range(0, len(customer_ids), 500):
        batch = sorted(customer_ids)[start : start + 500]
        with_accounts.update(
            customer_id
            for customer_id in session.exec(
                select(UserAccount.customer_id).where(
                    col(UserAccount.customer_id).in_(batch), col(UserAccount.is_active).is_(True)
                )
            ).all()
            if customer_id is not None
        )
    sent = 0
    for invoice in invoices:
        if invoice.customer_id in with_accounts:
            sent += publish(session=session, invoice=invoice, now=now, public_url=public_url)
        elif invoice.notified_at is None:  # what publish does when nobody may read the invoice
            invoice.paper_copy = linked(session, Customer, invoice.customer_id).paper_invoices
            invoice.notified_at = now
            session.add(invoice)
    return sent


def run_billing(
    *, session: Session, tenant_id: int, as_of: dt.date, now: dt.datetime, public_url: str
) -> list[Invoice]:
    """The daily billing job: issue what has come due for invoicing, then publish it."""
    issued = billing.issue_pending_documents(session=session, tenant_id=tenant_id, as_of=as_of)
    session.flush()
    for invoice in issued:
        publish(session=session, invoice=invoice, now=now, public_url=public_url)
    return issued
