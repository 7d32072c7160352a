"""The one guard: every handler of the app carries it (or says it is public), and it refuses a
visitor without a session and a customer calling an operator's handler."""

from __future__ import annotations

import inspect

import reflex as rx
from sqlmodel import select

import portal.portal  # noqa: F401  (registers every page and its states)
from portal.db import session_scope
from portal.models import Notification, UserAccount
from portal.pages.desk_broadcast import BroadcastState
from portal.pages.home import HomeState
from portal.pages.profile import SubUsersState
from portal.state.session import GUARD_MARK, Audience
from tests.state.conftest import Browser, redirect_target


def _portal_states(cls=rx.State):
    for sub in cls.get_substates():
        if sub.__module__.startswith("portal."):
            yield sub
        yield from _portal_states(sub)


def _portal_handlers():
    for state in _portal_states():
        for name, handler in state.event_handlers.items():
            if handler.fn is not None and getattr(handler.fn, "__module__", "").startswith("portal."):
                yield state, name, handler.fn


def test_every_handler_is_guarded_or_public():
    handlers = list(_portal_handlers())
    assert len(handlers) > 60  # the walk really sees the app
    unmarked = [f"{state.__name__}.{name}" for state, name, fn in handlers if not hasattr(fn, GUARD_MARK)]
    assert unmarked == [], "every handler needs @guard(...) or @public (see docs/ARCHITECTURE.md)"
    for state, name, fn in handlers:
        mark = getattr(fn, GUARD_MARK)
        if mark.startswith("class:"):  # a mixin's handler: each page names whom it serves
            audience = getattr(state, mark.removeprefix("class:"), None)
            assert isinstance(audience, Audience), f"{state.__name__}.{name} needs {mark.removeprefix('class:')}"


def test_reflex_sees_a_guarded_handler_as_the_browser_calls_it():
    parameters = list(inspect.signature(SubUsersState.event_handlers["open_edit_sub_user"].fn).parameters)
    assert parameters == ["self", "user_id"]  # the Principal is the guard's, never the browser's


def test_no_session_is_sent_to_the_login_page_and_changes_nothing(app_db):
    browser = Browser()
    browser.visit("/profilo")
    with session_scope() as db:
        sub_user = db.exec(select(UserAccount).where(UserAccount.username == "10093.1")).one()
    browser.state(SubUsersState).delete_id = sub_user.id  # as if the browser had sent it
    result = browser.run(SubUsersState, "confirm_delete")
    assert redirect_target(result) == "/login?next=%2Fprofilo"
    with session_scope() as db:
        assert db.get(UserAccount, sub_user.id).is_active is True
    browser.visit("/")
    assert redirect_target(browser.run(HomeState, "load")) == "/login?next=%2F"
    assert browser.state(HomeState).loaded is False


def test_a_customer_calling_an_operator_handler_is_refused(signed_in):
    browser = signed_in("10093")
    browser.visit("/operatore/comunicazioni")
    title = "Guard test: a customer's broadcast"
    result = browser.run(BroadcastState, "send", {"title": title, "body": "to every customer"})
    assert redirect_target(result) == "/login?next=%2Foperatore%2Fcomunicazioni"
    with session_scope() as db:
        assert db.exec(select(Notification).where(Notification.title == title)).all() == []
