"""Event handlers of the login (both factors), shell and home states."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlmodel import col, select

from portal import i18n
from portal.db import session_scope
from portal.models import (
    AuditEvent,
    Contract,
    Customer,
    ServiceRequest,
    SubUserContract,
    UserAccount,
    UserSession,
)
from portal.pages.home import HomeState
from portal.pages.login import LoginState
from portal.seed.demo import DEMO_PASSWORD
from portal.services.access.sessions import SESSION_COOKIE, token_digest
from portal.services.common import clock
from portal.state.session import SessionState
from tests.conftest import AS_OF
from tests.state.conftest import address_of, id_mark, mailed_code, redirect_target, rows_after
from tests.unit.home_figures import active_contract_numbers, home_figures

WRONG_CREDENTIALS = "Username o password non corretti. Dopo tre tentativi errati l'accesso viene bloccato."


def _user(username: str) -> UserAccount:
    with session_scope() as db:
        return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _stored_session(token: str) -> UserSession:
    with session_scope() as db:
        return db.exec(select(UserSession).where(UserSession.token_hash == token_digest(token))).one()


def test_login_requires_both_fields(browser):
    browser.visit("/login")
    browser.run(LoginState, "submit", {"username": " ", "password": ""})
    login = browser.state(LoginState)
    assert login.username_error == "Inserisci lo username."
    assert login.password_error == "Inserisci la password."
    assert browser.cookies == {} and login.step == "credentials"


def test_wrong_password_is_refused_without_a_session(browser, restore_users):
    restore_users("10093.1")
    sub_user = _user("10093.1")
    events, sessions = id_mark(AuditEvent), id_mark(UserSession)
    browser.visit("/login")
    result = browser.run(LoginState, "submit", {"username": "10093.1", "password": "Sbagliata-123456"})
    login = browser.state(LoginState)
    assert redirect_target(result) is None and browser.follow(result) is None
    assert login.form_error == WRONG_CREDENTIALS
    assert browser.cookies == {} and login.step == "credentials"
    assert [(e.action, e.user_id) for e in rows_after(AuditEvent, events)] == [("login.failure", sub_user.id)]
    assert rows_after(UserSession, sessions) == []
    assert _user("10093.1").failed_login_count == sub_user.failed_login_count + 1


def test_unknown_user_gets_the_same_answer(browser, restore_users):
    restore_users("20417")
    events = id_mark(AuditEvent)
    browser.visit("/login")
    browser.run(LoginState, "submit", {"username": "99999", "password": "Sbagliata-123456"})
    unknown = browser.state(LoginState).form_error
    other = type(browser)()
    other.visit("/login")
    other.run(LoginState, "submit", {"username": "20417", "password": "Sbagliata-123456"})
    assert unknown == other.state(LoginState).form_error == WRONG_CREDENTIALS
    assert [(e.action, e.user_id) for e in rows_after(AuditEvent, events)] == [
        ("login.failure", None),
        ("login.failure", _user("20417").id),
    ]


def test_password_alone_opens_no_session(browser):
    sessions = id_mark(UserSession)
    browser.visit("/login")
    result = browser.run(LoginState, "submit", {"username": "10093", "password": DEMO_PASSWORD})
    login = browser.state(LoginState)
    assert redirect_target(result) is None and login.step == "code" and browser.follow(result) is None
    assert login.code_address.startswith("od") and "@pec.valverde-demo.it" in login.code_address
    result = browser.run(LoginState, "verify_code", {"code": "abcdef"})
    assert login.code_error == "Codice non corretto. Tentativi rimasti: 4."
    assert browser.follow(result) is None and browser.cookies == {}
    assert rows_after(UserSession, sessions) == []


def test_code_opens_a_session_and_goes_back(browser):
    browser.visit("/login?next=%2F%3Fx%3D1")
    browser.run(LoginState, "submit", {"username": "10093", "password": DEMO_PASSWORD})
    result = browser.run(LoginState, "verify_code", {"code": mailed_code(address_of("10093"))})
    assert browser.follow(result) == "/?x=1"
    stored = _stored_session(browser.cookies[SESSION_COOKIE])
    assert (stored.user_id, stored.created_at, stored.revoked_at) == (_user("10093").id, clock.now(), None)
    assert stored.client_ip == "127.0.0.1"


def test_login_never_redirects_to_another_site(browser):
    browser.visit("/login?next=%2F%2Fevil.example%2F")
    browser.run(LoginState, "submit", {"username": "10093", "password": DEMO_PASSWORD})
    result = browser.run(LoginState, "verify_code", {"code": mailed_code(address_of("10093"))})
    assert browser.follow(result) == "/"


def test_login_rotates_the_session(signed_in):
    browser = signed_in()
    first = browser.cookies[SESSION_COOKIE]
    browser.visit("/login")
    browser.run(LoginState, "submit", {"username": "10093", "password": DEMO_PASSWORD})
    browser.follow(browser.run(LoginState, "verify_code", {"code": mailed_code(address_of("10093"))}))
    second = browser.cookies[SESSION_COOKIE]
    assert second != first
    assert _stored_session(first).revoked_at == clock.now()
    assert (_stored_session(second).user_id, _stored_session(second).revoked_at) == (_user("10093").id, None)


def test_home_without_session_goes_to_login(browser):
    browser.visit("/")
    result = browser.run(HomeState, "load")
    assert redirect_target(result) == "/login?next=%2F"
    assert browser.state(HomeState).loaded is False


def test_home_with_forged_token_goes_to_login(browser):
    browser.cookies[SESSION_COOKIE] = "forged-token"
    browser.visit("/")
    assert redirect_target(browser.run(HomeState, "load")) == "/login?next=%2F"
    assert browser.state(SessionState).signed_in is False and browser.state(HomeState).loaded is False


def _figures(customer_code: str, **scope):
    """Home's figures for the customer, worked out from the rows (tests/unit/home_figures.py)."""
    with session_scope() as db:
        customer = db.exec(select(Customer).where(Customer.code == customer_code)).one()
        return home_figures(db, customer_id=customer.id, today=AS_OF, **scope)


def test_home_shows_the_customers_figures(signed_in):
    browser = signed_in()
    browser.visit("/")
    assert browser.run(HomeState, "load") is None
    home = browser.state(HomeState)
    expected = _figures("10093")
    assert home.loaded is True
    assert home.today_text == i18n.long_date(AS_OF, "it")
    assert home.overdue_text == i18n.money(expected.overdue_total, "it")
    assert home.next_due_text == i18n.short_date(expected.next_due_date, "it")
    assert home.next_payment_text == i18n.money(expected.next_payment, "it")
    assert home.advances_text == i18n.money(expected.advances_paid, "it")
    assert [card.number for card in home.contract_cards] == expected.card_numbers
    assert home.display_name == "Laura Conti" and home.initials == "LC"
    assert [row.code for row in home.request_rows] == expected.request_codes


def test_language_switch_reformats_at_once(signed_in):
    browser = signed_in()
    browser.run(HomeState, "load")
    home = browser.state(HomeState)
    overdue = _figures("10093").overdue_total
    assert home.overdue_text == i18n.money(overdue, "it")
    asyncio.run(browser.run(HomeState, "choose_language", "en"))
    assert home.lang == "en"  # the browser picks the texts by it (tests/unit/test_pages_compile.py, e2e test_access)
    assert home.overdue_text == i18n.money(overdue, "en") and home.overdue_text.startswith("€")
    asyncio.run(browser.run(HomeState, "choose_language", "xx"))
    assert home.lang == "it"


# The private customer's one contract, 88120: 48 monthly instalments from 1 October 2023, then the
# residual value on 1 October 2027; paid on its due date, it closes the contract the day after.
PRIVATE_CAR_ACTIVE = dt.date(2027, 10, 1) >= AS_OF


def test_private_customer_sees_only_their_data(signed_in):
    browser = signed_in("20417")
    browser.run(HomeState, "load")
    home = browser.state(HomeState)
    with session_scope() as db:
        expected = active_contract_numbers(db, "20417")
    assert expected == (["88120"] if PRIVATE_CAR_ACTIVE else [])
    assert [card.number for card in home.contract_cards] == expected
    assert home.lang == "en"  # the user's language applies at login


def test_restricted_sub_user_home(signed_in):
    browser = signed_in("10093.1")
    browser.run(HomeState, "load")
    home = browser.state(HomeState)
    sub_user = _user("10093.1")
    with session_scope() as db:
        granted = db.exec(
            select(Contract.id, Contract.number)
            .join(SubUserContract, col(SubUserContract.contract_id) == Contract.id)
            .where(SubUserContract.user_id == sub_user.id)
        ).all()
    assert {number for _, number in granted} == {"90317", "97702"}  # the demo's van and company car
    expected = _figures("10093", contract_ids={contract_id for contract_id, _ in granted}, user_id=sub_user.id)
    assert [card.number for card in home.contract_cards] == expected.card_numbers
    assert home.overdue_text == i18n.money(expected.overdue_total, "it")
    assert home.advances_text == i18n.money(expected.advances_paid, "it")
    assert [row.code for row in home.request_rows] == expected.request_codes


def test_logout_revokes_the_session(signed_in):
    browser = signed_in()
    token = browser.cookies[SESSION_COOKIE]
    events = id_mark(AuditEvent)
    result = browser.run(SessionState, "logout")
    assert browser.follow(result) == "/login"
    assert SESSION_COOKIE not in browser.cookies
    assert _stored_session(token).revoked_at == clock.now()
    assert [(e.action, e.user_id) for e in rows_after(AuditEvent, events)] == [("logout", _user("10093").id)]
    # the old token no longer opens the home page, even if the browser sends it again
    browser.cookies[SESSION_COOKIE] = token
    browser.visit("/")
    assert redirect_target(browser.run(HomeState, "load")) == "/login?next=%2F"
    assert browser.state(HomeState).loaded is False and _stored_session(token).revoked_at == clock.now()


def test_operator_home_lists_every_customers_requests(signed_in):
    browser = signed_in("servicedesk")
    browser.run(HomeState, "load")
    home = browser.state(HomeState)
    assert home.is_operator is True
    with session_scope() as db:
        expected = db.exec(
            select(ServiceRequest.code, Customer.denominazione)
            .join(Customer, col(Customer.id) == ServiceRequest.customer_id)
            .where(ServiceRequest.tenant_id == _user("servicedesk").tenant_id)
            .order_by(col(ServiceRequest.updated_at).desc(), col(ServiceRequest.id).desc())
            .limit(10)
        ).all()
    assert [(row.code, row.customer) for row in home.request_rows] == [tuple(row) for row in expected]
    # the demo's requests come from two customers at least: the list is not one customer's
    assert {"Odontoiatrica Valverde S.r.l.", "Alessandro Bianchi"} <= {row.customer for row in home.request_rows}


def test_the_session_token_never_reaches_the_page_state(signed_in):
    """The credential lives only in the HttpOnly cookie: no state var the browser receives holds it
    (serialized as Reflex serializes state for the browser, which leaves request cookies out)."""
    from reflex.utils.format import json_dumps

    browser = signed_in()
    token = browser.cookies[SESSION_COOKIE]
    browser.run(HomeState, "load")
    assert browser.state(HomeState).loaded is True
    assert token not in json_dumps(browser.root.dict())
