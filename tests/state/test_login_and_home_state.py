"""Event handlers of the login (both factors), shell and home states."""

from __future__ import annotations

from sqlmodel import select

from portal import i18n
from portal.db import session_scope
from portal.models import AuditEvent, Customer, UserAccount, UserSession
from portal.pages.home import HomeState
from portal.pages.login import LoginState
from portal.seed.demo import DEMO_PASSWORD
from portal.services import clock
from portal.services.access import whole_customer
from portal.services.dashboard import home_summary
from portal.services.sessions import SESSION_COOKIE, token_digest
from portal.state.session import SessionState
from tests.state.conftest import address_of, mailed_code, redirect_target


def test_login_requires_both_fields(browser):
    browser.visit("/login")
    browser.run(LoginState, "submit", {"username": " ", "password": ""})
    login = browser.state(LoginState)
    assert login.username_error == "Inserisci lo username."
    assert login.password_error == "Inserisci la password."
    assert not browser.cookies and login.step == "credentials"


def test_wrong_password_is_refused_without_a_session(browser):
    browser.visit("/login")
    result = browser.run(LoginState, "submit", {"username": "10093.1", "password": "Sbagliata-123456"})
    login = browser.state(LoginState)
    assert redirect_target(result) is None and browser.follow(result) is None
    assert login.form_error.startswith("Username o password non corretti.")
    assert not browser.cookies and login.step == "credentials"
    with session_scope() as db:
        assert db.exec(select(AuditEvent).where(AuditEvent.action == "login.failure")).first() is not None
        user = db.exec(select(UserAccount).where(UserAccount.username == "10093.1")).one()
        user.failed_login_count = 0
        db.add(user)


def test_unknown_user_gets_the_same_answer(browser):
    browser.visit("/login")
    browser.run(LoginState, "submit", {"username": "99999", "password": "Sbagliata-123456"})
    unknown = browser.state(LoginState).form_error
    other = type(browser)()
    other.visit("/login")
    other.run(LoginState, "submit", {"username": "20417", "password": "Sbagliata-123456"})
    assert unknown == other.state(LoginState).form_error
    with session_scope() as db:
        user = db.exec(select(UserAccount).where(UserAccount.username == "20417")).one()
        user.failed_login_count = 0
        db.add(user)


def test_password_alone_opens_no_session(browser):
    browser.visit("/login")
    result = browser.run(LoginState, "submit", {"username": "10093", "password": DEMO_PASSWORD})
    login = browser.state(LoginState)
    assert redirect_target(result) is None and login.step == "code" and browser.follow(result) is None
    assert login.code_address.startswith("od") and "@pec.valverde-demo.it" in login.code_address
    result = browser.run(LoginState, "verify_code", {"code": "abcdef"})
    assert login.code_error == "Codice non corretto. Tentativi rimasti: 4."
    assert browser.follow(result) is None and not browser.cookies


def test_code_opens_a_session_and_goes_back(browser):
    browser.visit("/login?next=%2F%3Fx%3D1")
    browser.run(LoginState, "submit", {"username": "10093", "password": DEMO_PASSWORD})
    result = browser.run(LoginState, "verify_code", {"code": mailed_code(address_of("10093"))})
    assert browser.follow(result) == "/?x=1"
    token = browser.cookies[SESSION_COOKIE]
    with session_scope() as db:
        stored = db.exec(select(UserSession).where(UserSession.token_hash == token_digest(token))).one()
        assert stored.revoked_at is None and stored.client_ip == "127.0.0.1"


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
    assert second and second != first
    with session_scope() as db:
        old = db.exec(select(UserSession).where(UserSession.token_hash == token_digest(first))).one()
        assert old.revoked_at is not None


def test_home_without_session_goes_to_login(browser):
    browser.visit("/")
    result = browser.run(HomeState, "load")
    assert redirect_target(result) == "/login?next=%2F"
    assert browser.state(HomeState).loaded is False


def test_home_with_forged_token_goes_to_login(browser):
    browser.cookies[SESSION_COOKIE] = "forged-token"
    browser.visit("/")
    assert redirect_target(browser.run(HomeState, "load")) is not None
    assert browser.state(SessionState).signed_in is False


def test_home_shows_the_customers_figures(signed_in):
    browser = signed_in()
    browser.visit("/")
    assert browser.run(HomeState, "load") is None
    home = browser.state(HomeState)
    with session_scope() as db:
        customer = db.exec(select(Customer).where(Customer.code == "10093")).one()
        expected = home_summary(session=db, scope=whole_customer(customer.id), today=clock.today())
    assert home.loaded
    assert home.overdue_text == i18n.money(expected.overdue_total, "it")
    assert home.next_due_text == i18n.short_date(expected.next_due_date, "it")
    assert home.next_payment_text == i18n.money(expected.next_payment, "it")
    assert home.advances_text == i18n.money(expected.advances_paid, "it")
    assert [card["number"] for card in home.contract_cards] == [card.number for card in expected.contracts]
    assert home.display_name == "Laura Conti" and home.initials == "LC"
    assert {row["code"] for row in home.request_rows} == {row.code for row in expected.latest_requests}


def test_language_switch_reformats_at_once(signed_in):
    browser = signed_in()
    browser.run(HomeState, "load")
    home = browser.state(HomeState)
    italian = home.overdue_text
    browser.run(HomeState, "choose_language", "en")
    assert home.messages["menu.billing"] == "Invoices and payments"
    assert home.overdue_text != italian and home.overdue_text.startswith("€")
    browser.run(HomeState, "choose_language", "xx")
    assert home.lang == "it"


def test_private_customer_sees_only_their_data(signed_in):
    browser = signed_in("20417")
    browser.run(HomeState, "load")
    home = browser.state(HomeState)
    assert [card["number"] for card in home.contract_cards] == ["88120"]
    assert home.lang == "en"  # the user's language applies at login


def test_restricted_sub_user_home(signed_in):
    browser = signed_in("10093.1")
    browser.run(HomeState, "load")
    assert {card["number"] for card in browser.state(HomeState).contract_cards} == {"90317", "97702"}


def test_logout_revokes_the_session(signed_in):
    browser = signed_in()
    token = browser.cookies[SESSION_COOKIE]
    result = browser.run(SessionState, "logout")
    assert browser.follow(result) == "/login"
    assert SESSION_COOKIE not in browser.cookies
    with session_scope() as db:
        stored = db.exec(select(UserSession).where(UserSession.token_hash == token_digest(token))).one()
        assert stored.revoked_at is not None
        assert db.exec(select(AuditEvent).where(AuditEvent.action == "logout")).first() is not None
    # the old token no longer opens the home page, even if the browser sends it again
    browser.cookies[SESSION_COOKIE] = token
    browser.visit("/")
    assert redirect_target(browser.run(HomeState, "load")) is not None


def test_operator_home_lists_every_customers_requests(signed_in):
    browser = signed_in("servicedesk")
    browser.run(HomeState, "load")
    home = browser.state(HomeState)
    assert home.is_operator
    assert {row["customer"] for row in home.request_rows} >= {"Odontoiatrica Valverde S.r.l.", "Alessandro Bianchi"}


def test_the_session_token_never_reaches_the_page_state(signed_in):
    """The credential lives only in the HttpOnly cookie: no state var the browser receives holds it
    (serialized as Reflex serializes state for the browser, which leaves request cookies out)."""
    from reflex.utils.format import json_dumps

    browser = signed_in()
    token = browser.cookies[SESSION_COOKIE]
    browser.run(HomeState, "load")
    assert browser.state(HomeState).loaded
    assert token not in json_dumps(browser.root.dict())
