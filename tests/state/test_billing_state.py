"""Fatture e pagamenti: filters, pages, totals, and what a browser cannot make it show."""

from __future__ import annotations

from sqlmodel import select

from portal import i18n
from portal.db import session_scope
from portal.models import Customer
from portal.pages.billing import BillingState
from portal.services import clock
from portal.services.access import whole_customer
from portal.services.billing_views import overdue_balance


def test_billing_page_lists_and_totals(signed_in):
    browser = signed_in()
    browser.visit("/fatture-e-pagamenti")
    browser.run(BillingState, "load")
    page = browser.state(BillingState)
    assert len(page.rows) == 25 and page.total > 100
    with session_scope() as db:
        customer = db.exec(select(Customer).where(Customer.code == "10093")).one()
        expected = overdue_balance(session=db, scope=whole_customer(customer.id), contract_id=None, today=clock.today())
    assert page.overdue_text == i18n.money(expected, "it")
    assert page.chart_bars[0]["label"] == "Scaduto" and len(page.chart_bars) == 13
    browser.run(BillingState, "choose_status", "overdue")
    assert {row["status"] for row in page.rows} == {"overdue"} and page.total == 1
    browser.run(BillingState, "choose_status", "not-a-status")
    assert page.status == "all"


def test_period_filter_and_its_errors(signed_in):
    browser = signed_in()
    browser.visit("/fatture-e-pagamenti?numero=84963")
    browser.run(BillingState, "load")
    page = browser.state(BillingState)
    assert page.contract == "84963" and {row["contract"] for row in page.rows} == {"84963"}
    browser.run(BillingState, "apply_period", {"date_from": "2025-01-01", "date_to": "2024-01-01"})
    assert page.period_error == "La data iniziale deve precedere quella finale."
    browser.run(BillingState, "apply_period", {"date_from": "2025-13-01", "date_to": ""})
    assert page.period_error == "Data non valida."
    browser.run(BillingState, "apply_period", {"date_from": "2025-01-01", "date_to": "2025-12-31"})
    assert page.period_error == "" and page.total == 12
    assert all(row["due_date"].endswith("/25") for row in page.rows)


def test_foreign_contract_filter_shows_only_my_documents(signed_in):
    browser = signed_in()
    browser.visit("/fatture-e-pagamenti?numero=88120")
    browser.run(BillingState, "load")
    page = browser.state(BillingState)
    assert page.contract == "all" and "88120" not in {row["contract"] for row in page.rows}


def test_restricted_sub_user_sees_only_vehicle_documents(signed_in):
    browser = signed_in("10093.1")
    browser.visit("/fatture-e-pagamenti")
    browser.run(BillingState, "load")
    page = browser.state(BillingState)
    assert {row["contract"] for row in page.rows} <= {"90317", "97702"}
    assert {option["value"] for option in page.contract_options} == {"90317", "97702"}
