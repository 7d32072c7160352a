"""Home figures, recomputed from the rows in plain Python (tests/unit/home_figures.py) and compared
with the SQL of `home_summary`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlmodel import col, select

from portal.models import Contract, Customer, Invoice, Payment, UserAccount
from portal.models.enums import PaymentMethod
from portal.services.access.accounts import principal_for
from portal.services.access.scope import whole_customer
from portal.services.billing.invoices import record_payment
from portal.services.home import home_summary
from tests.conftest import AS_OF
from tests.unit.home_figures import home_figures


def _customer(db, code="10093"):
    return db.exec(select(Customer).where(Customer.code == code)).one()


@pytest.mark.parametrize("days_later", [0, 60])
def test_home_summary_matches_the_rows(db, demo, days_later):
    """Today the next instalment is already invoiced; in 60 days it is still only planned."""
    today = AS_OF + dt.timedelta(days=days_later)
    customer = _customer(db)
    summary = home_summary(session=db, scope=whole_customer(customer.id), today=today)
    expected = home_figures(db, customer_id=customer.id, today=today)

    assert summary.overdue_total == expected.overdue_total > 0
    assert summary.next_due_date == expected.next_due_date
    assert summary.next_payment == expected.next_payment > 0
    assert summary.advances_paid == expected.advances_paid
    assert summary.active_contract_count == expected.active_contract_count
    assert summary.active_asset_count == expected.active_asset_count
    assert [card.number for card in summary.contracts] == expected.card_numbers
    assert {card.number: card.asset_count for card in summary.contracts} == {
        number: expected.asset_counts[number] for number in expected.card_numbers
    }
    assert [row.code for row in summary.latest_requests] == expected.request_codes


def test_the_demo_customer_has_the_figures_the_demo_promises(db, demo):
    """The demo as the issue describes it, by hand: three active contracts, the dental studio's five
    assets, and on AS_OF exactly one overdue instalment."""
    expected = home_figures(db, customer_id=_customer(db).id, today=AS_OF)
    assert expected.active_contract_count == 3 and expected.asset_counts["84963"] == 5
    assert len(expected.request_codes) == 3


def test_restricted_sub_user_sees_only_its_contracts_figures(db, demo):
    sub_user = db.exec(select(UserAccount).where(UserAccount.username == "10093.1")).one()
    principal = principal_for(session=db, user=sub_user)
    assert principal.scope is not None and principal.scope.contract_ids is not None
    granted = set(db.exec(select(Contract.number).where(col(Contract.id).in_(principal.scope.contract_ids))).all())
    assert granted == {"90317", "97702"}
    summary = home_summary(session=db, scope=principal.scope, today=AS_OF, user_id=sub_user.id)
    expected = home_figures(
        db,
        customer_id=principal.scope.customer_id,
        today=AS_OF,
        contract_ids=set(principal.scope.contract_ids),
        user_id=sub_user.id,
    )
    assert (summary.overdue_total, summary.next_due_date, summary.next_payment, summary.advances_paid) == (
        expected.overdue_total,
        expected.next_due_date,
        expected.next_payment,
        expected.advances_paid,
    )
    assert [card.number for card in summary.contracts] == expected.card_numbers
    assert [row.code for row in summary.latest_requests] == expected.request_codes


def test_home_summary_never_mixes_customers(db, demo):
    company = home_summary(session=db, scope=whole_customer(_customer(db, "10093").id), today=AS_OF)
    person = home_summary(session=db, scope=whole_customer(_customer(db, "20417").id), today=AS_OF)
    expected = home_figures(db, customer_id=_customer(db, "20417").id, today=AS_OF)
    assert [card.number for card in person.contracts] == expected.card_numbers
    assert [row.code for row in person.latest_requests] == expected.request_codes
    assert person.overdue_total == expected.overdue_total == D("0")
    assert {card.number for card in company.contracts}.isdisjoint({card.number for card in person.contracts})
    assert {row.code for row in company.latest_requests}.isdisjoint({row.code for row in person.latest_requests})


def test_empty_customer(db, demo):
    summary = home_summary(session=db, scope=whole_customer(10**9), today=AS_OF)
    assert summary.overdue_total == 0 and summary.next_due_date is None and summary.contracts == []


def test_paying_the_overdue_invoice_clears_it(db, demo):
    customer = _customer(db)
    overdue = db.exec(
        select(Invoice).where(
            Invoice.customer_id == customer.id, Invoice.due_date < AS_OF, Invoice.paid_amount < Invoice.total
        )
    ).one()
    outstanding = overdue.total - overdue.paid_amount
    assert home_summary(session=db, scope=whole_customer(customer.id), today=AS_OF).overdue_total == outstanding
    mark = db.exec(select(Payment.id).order_by(col(Payment.id).desc())).first() or 0
    record_payment(session=db, invoice=overdue, paid_on=AS_OF, amount=outstanding, method=PaymentMethod.BANK_TRANSFER)
    db.flush()
    assert [(p.invoice_id, p.amount) for p in db.exec(select(Payment).where(Payment.id > mark)).all()] == [
        (overdue.id, outstanding)
    ]
    assert home_summary(session=db, scope=whole_customer(customer.id), today=AS_OF).overdue_total == 0
    # 400 days on, the instalments invoiced by AS_OF and still unpaid are all overdue
    later = AS_OF + dt.timedelta(days=400)
    expected_later = home_figures(db, customer_id=customer.id, today=later).overdue_total
    assert home_summary(session=db, scope=whole_customer(customer.id), today=later).overdue_total == expected_later > 0
