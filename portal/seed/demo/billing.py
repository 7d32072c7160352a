"""The demo's billing history: every document due by `as_of`, one fee waived by a credit note,
payments collected except one overdue instalment (the core system's, built in its scratch
database), and the company's newest document announced (the portal's)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from sqlmodel import Session, col, select

from portal.config import settings
from portal.models import Contract, Customer, Invoice, Tenant
from portal.models.enums import PaymentMethod
from portal.seed.builders import moment
from portal.seed.history import collect_payments, latest_instalment_before
from portal.services.billing import invoices as billing
from portal.services.billing.publication import publish
from portal.services.contracts.lifecycle import close_finished_contracts


def issue_documents(session: Session, *, tenant: Tenant, old_lease: Contract, as_of: dt.date) -> None:
    """Everything due by `as_of`, with an investigation fee billed at signing and then waived:
    the demo's credit note. The plan's documents up to each of those days come first, so invoice
    numbers follow the calendar."""
    fee_day = old_lease.signed_on
    billing.issue_pending_documents(session=session, tenant_id=tenant.id, as_of=fee_day)
    fee = billing.issue_invoice(
        session=session,
        contract=old_lease,
        numbering=billing.InvoiceNumbering(session, tenant.id),
        issue_date=fee_day,
        due_date=dt.date(2016, 6, 20),
        description=f"Spese di istruttoria pratica contratto {old_lease.number}",
        taxable=D("250.00"),
        payment_method=PaymentMethod.BANK_TRANSFER,
    )
    waiver_day = dt.date(2016, 6, 15)
    billing.issue_pending_documents(session=session, tenant_id=tenant.id, as_of=waiver_day - dt.timedelta(days=1))
    billing.issue_credit_note(
        session=session,
        contract=old_lease,
        corrected=fee,
        numbering=billing.InvoiceNumbering(session, tenant.id),
        issue_date=waiver_day,
        reason="Spese di istruttoria non dovute",
    )
    billing.issue_pending_documents(session=session, tenant_id=tenant.id, as_of=as_of)
    session.flush()


def settle_history(session: Session, *, customer_ids: list[int], overdue_contract: Contract, as_of: dt.date) -> None:
    """The bank pays everything due before `as_of` but the latest instalment of
    `overdue_contract`; finished contracts close."""
    overdue_line = latest_instalment_before(session, overdue_contract, as_of)
    collect_payments(
        session=session,
        customer_ids=customer_ids,
        as_of=as_of,
        unpaid_line_ids={overdue_line.id} if overdue_line else set(),
    )
    session.flush()
    close_finished_contracts(session=session, as_of=as_of)


def newest_document(session: Session, company: Customer) -> str:
    """The number of the company's newest document: the one the data set announces."""
    latest = session.exec(
        select(Invoice.number)
        .where(Invoice.customer_id == company.id)
        .order_by(col(Invoice.issue_date).desc(), col(Invoice.id).desc())
    ).first()
    if latest is None:
        raise LookupError(f"customer {company.code} has no document to announce")
    return latest


def announce(session: Session, *, tenant_id: int, number: str) -> None:
    """The document is announced as the billing job would, on its issue day; the rest is history."""
    invoice = session.exec(select(Invoice).where(Invoice.tenant_id == tenant_id, Invoice.number == number)).one()
    publish(session=session, invoice=invoice, now=moment(invoice.issue_date, 8, 5), public_url=settings.public_url)
