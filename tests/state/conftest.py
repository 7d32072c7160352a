"""State tests call the event handlers of real state instances against a seeded database."""

from __future__ import annotations

import json
import re
from http.cookies import SimpleCookie

import pytest
import reflex as rx
import sqlalchemy as sa
from reflex.istate.data import HeaderData, ReflexURL, RouterData, SessionData
from sqlmodel import select

from portal.db import get_engine, session_scope
from portal.services.access.sessions import SESSION_COOKIE
from portal.state.i18n import I18nState
from tests.conftest import AS_OF, frozen_clock, migrate
from tests.support.outbox import send_queued


@pytest.fixture(scope="package", autouse=True)
def one_clock():
    """The handlers read the same day the demo data was generated for (tests/conftest.py)."""
    with frozen_clock() as moment:
        yield moment


@pytest.fixture(scope="session")
def app_db():
    """The database the app itself uses in tests (DATABASE_URL), migrated and seeded once."""
    from portal.seed.demo import seed_demo
    from portal.services.common.branding import load_branding, sync_tenant

    engine = get_engine()
    migrate(engine)
    with frozen_clock(), session_scope() as session:  # what the seed stamps "now" is AS_OF too
        seed_demo(session=session, tenant=sync_tenant(session=session, branding=load_branding("aurora")), as_of=AS_OF)
    return engine


class Browser:
    """One browser tab's state tree, as the app would hold it for a client, and the cookies the
    browser keeps (the HttpOnly session cookie among them) for the portal's HTTP routes."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.root = rx.State(_reflex_internal_init=True)
        self.visit("/")

    def visit(self, url: str) -> None:
        self.url = url
        self.root.router = RouterData(
            session=SessionData(client_token="test-client", client_ip="127.0.0.1"),
            headers=HeaderData(cookie="; ".join(f"{name}={value}" for name, value in self.cookies.items())),
            url=ReflexURL(f"http://127.0.0.1:3000{url}"),
        )

    def state(self, state_cls):
        return self.root.get_substate(state_cls.get_full_name().split("."))

    def run(self, state_cls, handler: str, *args):
        """Call an event handler the way the framework does: on that state's instance."""
        instance = self.state(state_cls)
        return getattr(state_cls, handler).fn(instance, *args)

    def follow(self, result) -> str | None:
        """Do what a page script from state/session.py does: post to the session route (the real
        one, through Starlette's test client), keep the cookies it sets, and open the next page
        with a fresh state tree. The path opened; None when the handler returned no such script."""
        script = script_of(result)
        if script is None or "window.location.replace" not in script:
            return None
        from starlette.testclient import TestClient

        from portal.api import api

        url = json.loads(re.search(r'fetch\(("[^"]+")', script).group(1))
        body = re.search(r"body: (\"(?:[^\"\\]|\\.)*\")", script)
        client = TestClient(api, base_url="http://127.0.0.1:3000", client=("127.0.0.1", 50000), cookies=self.cookies)
        # What the browser sends with the script's fetch: its Origin, and the script's JSON body.
        headers = {"Origin": "http://127.0.0.1:3000"}
        if "'Content-Type': 'application/json'" in script:
            headers["Content-Type"] = "application/json"
        content = json.loads(body.group(1)) if body else ("{}" if "body: '{}'" in script else None)
        response = client.post(url, content=content, headers=headers)
        for header in response.headers.get_list("set-cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel["expires"].startswith("Thu, 01 Jan 1970"):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        opened = (
            json.loads(re.search(r'response\.ok \? ("[^"]*")', script).group(1)) if response.is_success else "/login"
        )
        self.root = rx.State(_reflex_internal_init=True)  # the script dropped the tab's Reflex token
        self.visit(opened)
        if "portal_lang" in self.cookies:  # what the browser sends for the language cookie on hydrate
            self.state(I18nState).lang = self.cookies["portal_lang"]
        return opened


def toast_of(result) -> tuple[str, str] | None:
    """(level, message) of an rx.toast among the handler's return values, if any: ("error", "…")."""
    events = result if isinstance(result, list) else [result]
    for event in events:
        if event is None:
            continue
        args = {name._js_expr: value for name, value in getattr(event, "args", ())}
        call = getattr(args.get("function"), "_return_expr", None)
        level = re.search(r"__toast'\]\?\.\[\"(\w+)\"\]", getattr(call, "_js_expr", ""))
        if call is not None and level:
            return level.group(1), call._args[0]
    return None


def script_of(result) -> str | None:
    """The JavaScript of an rx.call_script among the handler's return values, if any."""
    events = result if isinstance(result, list) else [result]
    for event in events:
        if event is None:
            continue
        args = {name._js_expr: value for name, value in getattr(event, "args", ())}
        if "javascript_code" in args:
            return args["javascript_code"]._var_value
    return None


def redirect_target(result) -> str | None:
    """The path of an rx.redirect among the handler's return values, if any."""
    events = result if isinstance(result, list) else [result]
    for event in events:
        if event is None:
            continue
        args = {name._js_expr: value for name, value in getattr(event, "args", ())}
        if "path" in args and getattr(event.handler.fn, "__qualname__", "") == "_redirect":
            return args["path"]._var_value
    return None


@pytest.fixture
def browser(app_db):
    return Browser()


# What a test produced ------------------------------------------------------------------------------
# The state tests share one committed database: a test reads back only rows with ids above a mark it
# took before acting (and, where it can, of its own user or request), never a whole table.


def _send_if_mail(model) -> None:
    from portal.models import MailMessage

    if model is MailMessage:
        send_queued()


def id_mark(model) -> int:
    """The highest id of `model`'s table now (0 when empty); for mail, after the outbox was sent."""
    _send_if_mail(model)
    with session_scope() as db:
        return db.exec(select(sa.func.max(model.id))).one() or 0


def rows_after(model, mark: int, *where) -> list:
    """The rows of `model` with an id above `mark` that match `where`, oldest first; for mail, what
    the background sender has sent once the outbox was worked through."""
    _send_if_mail(model)
    with session_scope() as db:
        return list(db.exec(select(model).where(model.id > mark, *where).order_by(model.id)).all())


USER_FIELDS = (
    "password_hash",
    "password_changed_at",
    "temporary_password_sent_at",
    "must_change_password",
    "failed_login_count",
    "locked_at",
    "language",
    "primary_email",
    "secondary_email",
    "totp_secret",
    "totp_pending_secret",
    "totp_last_step",
    "may_submit_requests",
    "all_contracts",
    "is_active",
    # issue 11 (S1b): the second-factor failure count
    "second_factor_failures",
    "second_factor_window_start",
    "second_factor_blocked_until",
)


@pytest.fixture
def restore_users(app_db):
    """`restore_users("20417", …)` before a test changes those seeded accounts: whatever happens,
    they (and their customer's paper-invoice choice) are put back as they were when it was called:
    a failed test leaves no lock, no authenticator, no other language for the tests after it."""
    from portal.models import Customer, UserAccount

    saved: dict[str, tuple[dict, bool | None]] = {}

    def remember(*usernames: str) -> None:
        with session_scope() as db:
            for username in usernames:
                user = db.exec(select(UserAccount).where(UserAccount.username == username)).one()
                customer = db.get(Customer, user.customer_id) if user.customer_id else None
                paper = customer.paper_invoices if customer else None
                saved.setdefault(username, ({field: getattr(user, field) for field in USER_FIELDS}, paper))

    yield remember
    with session_scope() as db:
        for username, (values, paper) in saved.items():
            user = db.exec(select(UserAccount).where(UserAccount.username == username)).one()
            for field, value in values.items():
                setattr(user, field, value)
            db.add(user)
            customer = db.get(Customer, user.customer_id) if user.customer_id else None
            if customer is not None and paper is not None:
                customer.paper_invoices = paper
                db.add(customer)


def last_mail(address: str, kind: str | None = None):
    from sqlmodel import select

    from portal.models import MailMessage

    send_queued()
    with session_scope() as db:
        query = select(MailMessage).where(MailMessage.to_address == address)
        if kind:
            query = query.where(MailMessage.kind == kind)
        return db.exec(query.order_by(MailMessage.id.desc())).first()


def mailed_code(address: str) -> str:
    import re

    return re.search(r"\b(\d{6})\b", last_mail(address, "login_code").body_text).group(1)


def address_of(username: str) -> str:
    from sqlmodel import select

    from portal.models import UserAccount

    with session_scope() as db:
        return db.exec(select(UserAccount.primary_email).where(UserAccount.username == username)).one()


@pytest.fixture
def signed_in(app_db):
    """Sign a fresh browser in (password, then the e-mailed code); 10093 by default."""
    from portal.pages.login import LoginState
    from portal.seed.demo import DEMO_PASSWORD

    def sign_in(username: str = "10093", password: str = DEMO_PASSWORD) -> Browser:
        browser = Browser()
        browser.visit("/login")
        browser.run(LoginState, "submit", {"username": username, "password": password})
        assert browser.state(LoginState).step == "code", browser.state(LoginState).form_error
        result = browser.run(LoginState, "verify_code", {"code": mailed_code(address_of(username))})
        assert browser.follow(result) == "/" and browser.cookies.get(SESSION_COOKIE), "login failed"
        return browser

    return sign_in


@pytest.fixture(autouse=True)
def fresh_limits():
    """Rate-limit counters live in the process's memory: each state test starts with none."""
    from portal.services.common import throttle

    throttle.reset()
    yield
    throttle.reset()


def reauthenticate(browser: Browser, username: str = "10093", password: str | None = None, code: str | None = None):
    """Confirm the identity again in the re-authentication dialog (issue 11): the password, then the
    e-mailed code (or `code`, for a user of the authenticator app). Returns the second step's result."""
    from portal.seed.demo import DEMO_PASSWORD
    from portal.state.reauth import ReauthState

    browser.run(ReauthState, "ask")
    browser.run(ReauthState, "submit_reauth_password", {"password": password or DEMO_PASSWORD})
    state = browser.state(ReauthState)
    assert state.reauth_step == "code", state.reauth_password_error
    return browser.run(ReauthState, "submit_reauth_code", {"code": code or mailed_code(address_of(username))})
