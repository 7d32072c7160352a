"""State tests call the event handlers of real state instances against a seeded database."""

from __future__ import annotations

import pytest
import reflex as rx
from reflex.istate.data import ReflexURL, RouterData, SessionData

from portal.db import get_engine, session_scope
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
    """One browser tab's state tree, as the app would hold it for a client."""

    def __init__(self):
        self.root = rx.State(_reflex_internal_init=True)
        self.visit("/")

    def visit(self, url: str) -> None:
        self.root.router = RouterData(
            session=SessionData(client_token="test-client", client_ip="127.0.0.1"),
            url=ReflexURL(f"http://127.0.0.1:3000{url}"),
        )

    def state(self, state_cls):
        return self.root.get_substate(state_cls.get_full_name().split("."))

    def run(self, state_cls, handler: str, *args):
        """Call an event handler the way the framework does: on that state's instance."""
        instance = self.state(state_cls)
        return getattr(state_cls, handler).fn(instance, *args)


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
        browser.run(LoginState, "verify_code", {"code": mailed_code(address_of(username))})
        assert browser.state(LoginState).session_token, "login failed"
        return browser

    return sign_in
