"""State tests call the event handlers of real state instances against a seeded database."""

from __future__ import annotations

import json
import re
from http.cookies import SimpleCookie

import pytest
import reflex as rx
from reflex.istate.data import HeaderData, ReflexURL, RouterData, SessionData

from portal.db import get_engine, session_scope
from portal.services.sessions import SESSION_COOKIE
from portal.state.i18n import I18nState
from tests.conftest import AS_OF, migrate


@pytest.fixture(scope="session")
def app_db():
    """The database the app itself uses in tests (DATABASE_URL), migrated and seeded once."""
    from portal.seed.demo import seed_demo
    from portal.services.branding import load_branding, sync_tenant

    engine = get_engine()
    migrate(engine)
    with session_scope() as session:
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
        response = client.post(url, content=json.loads(body.group(1)) if body else None,
                               headers={"Content-Type": "application/json"} if body else {})
        for header in response.headers.get_list("set-cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel["expires"].startswith("Thu, 01 Jan 1970"):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        opened = json.loads(re.search(r'response\.ok \? ("[^"]*")', script).group(1)) if response.is_success else "/login"
        self.root = rx.State(_reflex_internal_init=True)  # the script dropped the tab's Reflex token
        self.visit(opened)
        if "portal_lang" in self.cookies:  # what the browser sends for the language cookie on hydrate
            self.state(I18nState).lang = self.cookies["portal_lang"]
        return opened


def script_of(result) -> str | None:
    """The JavaScript of an rx.call_script among the handler's return values, if any."""
    events = result if isinstance(result, list) else [result]
    for event in events:
        if event is None:
            continue
        args = dict((name._js_expr, value) for name, value in getattr(event, "args", ()))
        if "javascript_code" in args:
            return args["javascript_code"]._var_value
    return None


def redirect_target(result) -> str | None:
    """The path of an rx.redirect among the handler's return values, if any."""
    events = result if isinstance(result, list) else [result]
    for event in events:
        if event is None:
            continue
        args = dict((name._js_expr, value) for name, value in getattr(event, "args", ()))
        if "path" in args and getattr(event.handler.fn, "__qualname__", "") == "_redirect":
            return args["path"]._var_value
    return None


@pytest.fixture
def browser(app_db):
    return Browser()


def last_mail(address: str, kind: str | None = None):
    from sqlmodel import select

    from portal.models import MailMessage

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
