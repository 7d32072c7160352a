"""Fatture e pagamenti: filters, pages, totals, and what a browser cannot make it show."""

from __future__ import annotations

from decimal import Decimal as D

from sqlmodel import col, select

from portal import i18n
from portal.db import session_scope
from portal.models import Contract, Customer, Invoice
from portal.models.enums import DocumentKind
from portal.pages.billing import BillingState
from portal.state import contract_choices
from tests.conftest import AS_OF


def _invoices(customer_code: str, *contract_numbers: str) -> list[Invoice]:
    """The customer's documents (only those of `contract_numbers` when given), read with a plain select."""
    query = (
        select(Invoice).join(Customer, col(Customer.id) == Invoice.customer_id).where(Customer.code == customer_code)
    )
    if contract_numbers:
        query = query.join(Contract, col(Contract.id) == Invoice.contract_id).where(
            col(Contract.number).in_(contract_numbers)
        )
    with session_scope() as db:
        return list(db.exec(query).all())


def test_billing_page_lists_and_totals(signed_in):
    browser = signed_in()
    browser.visit("/fatture-e-pagamenti")
    browser.run(BillingState, "load")
    page = browser.state(BillingState)
    documents = _invoices("10093")
    assert page.total == len(documents) and len(page.rows) == 25
    # overdue: invoices (credit notes aside) past due and not paid in full, by hand from the rows
    unpaid_past_due = [i for i in documents if i.due_date < AS_OF and i.paid_amount < i.total]
    overdue = sum((i.total - i.paid_amount for i in unpaid_past_due if i.kind is DocumentKind.INVOICE), D("0"))
    assert page.overdue_text == i18n.money(overdue, "it")
    assert page.chart_bars[0].label == "Scaduto" and len(page.chart_bars) == 13
    browser.run(BillingState, "choose_status", "overdue")
    assert len(unpaid_past_due) == 1  # the demo leaves one instalment unpaid
    assert [row.number for row in page.rows] == [unpaid_past_due[0].number] and page.total == 1
    assert [row.status for row in page.rows] == ["overdue"]
    browser.run(BillingState, "choose_status", "not-a-status")
    assert page.status == "all" and page.total == len(documents)


def test_period_filter_and_its_errors(signed_in):
    browser = signed_in()
    browser.visit("/fatture-e-pagamenti?numero=84963")
    browser.run(BillingState, "load")
    page = browser.state(BillingState)
    assert page.contract == "84963" and {row.contract for row in page.rows} == {"84963"}
    browser.run(BillingState, "apply_period", {"date_from": "2025-01-01", "date_to": "2024-01-01"})
    assert page.period_error == "La data iniziale deve precedere quella finale."
    browser.run(BillingState, "apply_period", {"date_from": "2025-13-01", "date_to": ""})
    assert page.period_error == "Data non valida."
    browser.run(BillingState, "apply_period", {"date_from": "2025-01-01", "date_to": "2025-12-31"})
    assert page.period_error == "" and page.total == 12
    assert all(row.due_date.endswith("/25") for row in page.rows)


def test_foreign_contract_filter_shows_only_my_documents(signed_in):
    browser = signed_in()
    browser.visit("/fatture-e-pagamenti?numero=88120")
    browser.run(BillingState, "load")
    page = browser.state(BillingState)
    assert page.contract == "all" and page.total == len(_invoices("10093"))  # all of mine, none of 88120
    assert "88120" not in {row.contract for row in page.rows}


def test_restricted_sub_user_sees_only_vehicle_documents(signed_in):
    browser = signed_in("10093.1")
    browser.visit("/fatture-e-pagamenti")
    browser.run(BillingState, "load")
    page = browser.state(BillingState)
    assert {row.contract for row in page.rows} == {"90317", "97702"}
    assert page.total == len(_invoices("10093", "90317", "97702"))
    assert {option.value for option in page.contract_options} == {"90317", "97702"}


def test_the_contract_filter_of_a_customer_with_many_contracts_is_searched(signed_in, monkeypatch):
    """The search narrows the filter's choices and not the list; the chosen contract stays a choice."""
    monkeypatch.setattr(contract_choices, "ALL_SHOWN_UP_TO", 2)
    monkeypatch.setattr(contract_choices, "MATCHES_SHOWN", 2)
    browser = signed_in()
    browser.visit("/fatture-e-pagamenti")
    browser.run(BillingState, "load")
    page = browser.state(BillingState)
    assert page.contract_search_offered is True
    assert [option.value for option in page.contract_options] == ["90317", "97702"]
    browser.run(BillingState, "search_contracts", "849")
    assert [option.value for option in page.contract_options] == ["84963"]
    assert page.total == len(_invoices("10093"))  # the search alone filters nothing
    browser.run(BillingState, "choose_contract", "84963")
    assert page.total == len(_invoices("10093", "84963")) and {row.contract for row in page.rows} == {"84963"}
    browser.run(BillingState, "search_contracts", "903")
    assert [option.value for option in page.contract_options] == ["90317", "84963"]
    assert page.contract_search_note == (
        "1 contratto trovato su 4: scrivi parte del numero o del prodotto per trovare gli altri."
    )
