"""What each page leaves in the state tree is pickled to the state store with every event of the
tab: plain values only, never ORM rows (issue 13). Each page is loaded as its route does, then
every state of the tree is walked."""

from __future__ import annotations

from sqlmodel import col, select

from portal import routes
from portal.db import session_scope
from portal.models import Customer, ServiceRequest
from portal.pages.assets import AssetsState
from portal.pages.billing import BillingState
from portal.pages.contracts import ContractsState
from portal.pages.desk import DeskState
from portal.pages.desk_detail import DeskDetailState
from portal.pages.home.state import HomeState
from portal.pages.integration import IntegrationState
from portal.pages.notifications import NotificationsPageState
from portal.pages.operator_customers import OperatorCustomersState
from portal.pages.plan import PlanState
from portal.pages.profile import ProfileState, SecurityState, SubUsersState
from portal.pages.request_detail import RequestDetailState
from portal.pages.requests import RequestsState
from tests.support.pickled import held_orm_objects


def _request_code(customer_code: str) -> str:
    with session_scope() as db:
        return db.exec(
            select(ServiceRequest.code)
            .join(Customer, col(Customer.id) == ServiceRequest.customer_id)
            .where(Customer.code == customer_code)
            .order_by(col(ServiceRequest.id))
        ).first()


def _load(browser, url: str, *states) -> None:
    browser.visit(url)
    for state in states:
        browser.run(state, "load")


def test_customer_pages_leave_no_orm_rows_in_the_state(signed_in):
    browser = signed_in()
    _load(browser, routes.HOME, HomeState)
    _load(browser, routes.BILLING, BillingState)
    _load(browser, f"{routes.CONTRACTS}?numero=90317", ContractsState)
    _load(browser, f"{routes.PLAN}?numero=90317", PlanState)
    _load(browser, routes.ASSETS, AssetsState)
    _load(browser, routes.REQUESTS, RequestsState)
    _load(browser, f"{routes.REQUEST_DETAIL}?codice={_request_code('10093')}", RequestDetailState)
    _load(browser, routes.NOTIFICATIONS, NotificationsPageState)
    _load(browser, routes.PROFILE, ProfileState, SecurityState, SubUsersState)
    # the pages really hold data: the walk below looks at rows, not at empty lists
    assert browser.state(PlanState).rows and browser.state(RequestsState).rows
    assert browser.state(RequestDetailState).found
    held = held_orm_objects(browser.root)
    assert held == [], "\n".join(held)


def test_operator_pages_leave_no_orm_rows_in_the_state(signed_in):
    browser = signed_in("servicedesk")
    _load(browser, routes.DESK, DeskState)
    _load(browser, f"{routes.DESK_DETAIL}?codice={_request_code('10093')}", DeskDetailState)
    _load(browser, routes.OPERATOR_CUSTOMERS, OperatorCustomersState)
    _load(browser, routes.INTEGRATION, IntegrationState)  # with runs: tests/state/test_integration_states.py
    assert browser.state(DeskState).rows and browser.state(DeskDetailState).found
    held = held_orm_objects(browser.root)
    assert held == [], "\n".join(held)
