"""Home figures, recomputed here from the rows in plain Python and compared with the SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from sqlmodel import select

from portal.models import Contract, Customer, Invoice, LeasedAsset, ScheduleLine
from portal.models.enums import ContractStatus, DocumentKind, ScheduleLineKind
from portal.services.access import whole_customer
from portal.services.dashboard import home_summary
from tests.conftest import AS_OF


def _customer(db, code="10093"):
    return db.exec(select(Customer).where(Customer.code == code)).one()


@pytest.mark.parametrize("days_later", [0, 60])
def test_home_summary_matches_the_rows(db, demo, days_later):
    """Today the next instalment is already invoiced; in 60 days it is still only planned."""
    today = AS_OF + dt.timedelta(days=days_later)
    customer = _customer(db)
    summary = home_summary(session=db, scope=whole_customer(customer.id), today=today)
    invoices = db.exec(select(Invoice).where(Invoice.customer_id == customer.id)).all()
    contracts = {c.id: c for c in db.exec(select(Contract).where(Contract.customer_id == customer.id)).all()}
    lines = db.exec(select(ScheduleLine).where(ScheduleLine.customer_id == customer.id)).all()

    overdue = sum(
        (i.total - i.paid_amount for i in invoices if i.kind is DocumentKind.INVOICE and i.due_date < today and i.paid_amount < i.total),
        D("0"),
    )
    assert summary.overdue_total == overdue > 0

    invoiced_line_ids = {i.schedule_line_id for i in invoices if i.schedule_line_id}
    candidates = [i.due_date for i in invoices if i.due_date >= today and i.paid_amount < i.total] + [
        line.due_date for line in lines
        if line.due_date >= today and line.id not in invoiced_line_ids and line.kind is not ScheduleLineKind.INDEXATION
        and contracts[line.contract_id].status is ContractStatus.ACTIVE
    ]
    next_day = min(candidates)
    assert summary.next_due_date == next_day
    expected_payment = sum(
        ((i.total - i.paid_amount) * (-1 if i.kind is DocumentKind.CREDIT_NOTE else 1) for i in invoices if i.due_date == next_day and i.paid_amount < i.total),
        D("0"),
    ) + sum(
        (line.amount + (line.amount * contracts[line.contract_id].vat_rate / 100).quantize(D("0.01"))
         for line in lines if line.due_date == next_day and line.id not in invoiced_line_ids and line.kind is not ScheduleLineKind.INDEXATION),
        D("0"),
    )
    assert summary.next_payment == expected_payment > 0

    advance_line_ids = {line.id for line in lines if line.kind is ScheduleLineKind.ADVANCE and contracts[line.contract_id].status is ContractStatus.ACTIVE}
    assert summary.advances_paid == sum((i.paid_amount for i in invoices if i.schedule_line_id in advance_line_ids), D("0"))

    active = [c for c in contracts.values() if c.status is ContractStatus.ACTIVE]
    assert summary.active_contract_count == len(active) == 3
    assets = db.exec(select(LeasedAsset).where(LeasedAsset.customer_id == customer.id)).all()
    assert summary.active_asset_count == sum(1 for a in assets if contracts[a.contract_id].status is ContractStatus.ACTIVE)
    counts = {card.number: card.asset_count for card in summary.contracts}
    assert counts["84963"] == 5
    assert [card.signed_on for card in summary.contracts] == sorted((card.signed_on for card in summary.contracts), reverse=True)
    assert [row.updated_at for row in summary.latest_requests] == sorted((row.updated_at for row in summary.latest_requests), reverse=True)


def test_home_summary_never_mixes_customers(db, demo):
    company = home_summary(session=db, scope=whole_customer(_customer(db, "10093").id), today=AS_OF)
    person = home_summary(session=db, scope=whole_customer(_customer(db, "20417").id), today=AS_OF)
    assert {card.number for card in company.contracts}.isdisjoint({card.number for card in person.contracts})
    assert {row.code for row in company.latest_requests}.isdisjoint({row.code for row in person.latest_requests})
    assert person.overdue_total == 0


def test_empty_customer(db, demo):
    summary = home_summary(session=db, scope=whole_customer(10**9), today=AS_OF)
    assert summary.overdue_total == 0 and summary.next_due_date is None and summary.contracts == []


def test_paying_the_overdue_invoice_clears_it(db, demo):
    from portal.models.enums import PaymentMethod
    from portal.services.billing import record_payment

    customer = _customer(db)
    overdue = db.exec(
        select(Invoice).where(Invoice.customer_id == customer.id, Invoice.due_date < AS_OF, Invoice.paid_amount < Invoice.total)
    ).one()
    record_payment(session=db, invoice=overdue, paid_on=AS_OF, amount=overdue.total - overdue.paid_amount, method=PaymentMethod.BANK_TRANSFER)
    db.flush()
    assert home_summary(session=db, scope=whole_customer(customer.id), today=AS_OF).overdue_total == 0
    assert home_summary(session=db, scope=whole_customer(customer.id), today=AS_OF + dt.timedelta(days=400)).overdue_total > 0
