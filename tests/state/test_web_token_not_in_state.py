"""Reflex keeps the websocket's headers, cookies included, in every state it stores (memory, disk,
Redis): the session token must not be among them (issue 11, finding 10). The connection's headers
pass through the portal's real middleware stack, then reach the states as Reflex hands them over."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from portal.pages.home import HomeState
from portal.services.access.sessions import SESSION_COOKIE, token_digest
from portal.state.session import SessionState
from portal.web.stack import protect
from tests.state.conftest import Browser, redirect_target


def _websocket_cookie(cookie_header: str) -> str:
    """The Cookie header Reflex's socket app receives when the browser connects with `cookie_header`."""
    seen: list[dict] = []

    async def reflex_socket(scope, receive, send):
        seen.append(scope)

    scope = {"type": "websocket", "path": "/_event/", "headers": [(b"cookie", cookie_header.encode())]}
    asyncio.run(protect(reflex_socket)(scope, None, None))
    return b"; ".join(value for name, value in seen[0]["headers"] if name == b"cookie").decode()


def _connect(browser: Browser, cookie_header: str, path: str = "/") -> None:
    """Open `path` with the headers the websocket hands Reflex (RouterData is frozen: replaced)."""
    browser.visit(path)
    browser.root.router = replace(
        browser.root.router, headers=replace(browser.root.router.headers, cookie=_websocket_cookie(cookie_header))
    )


def test_the_stored_state_holds_no_session_token(signed_in):
    browser = signed_in()
    token = browser.cookies[SESSION_COOKIE]
    _connect(browser, f"portal_lang=it; {SESSION_COOKIE}={token}")
    browser.run(HomeState, "load")
    assert browser.state(HomeState).loaded is True  # the guard recognised the user from the digest
    stored = browser.root._serialize() + b"".join(substate._serialize() for substate in browser.root.substates.values())
    assert token.encode() not in stored
    assert token_digest(token).encode() in stored  # the headers were stored: only the digest is there


def test_a_digest_sent_by_the_browser_opens_nothing(signed_in):
    """Whoever reads a stored state (or the database) learns the digest: sent as a cookie, it is dropped."""
    browser = signed_in()
    digest = token_digest(browser.cookies[SESSION_COOKIE])
    fresh = Browser()
    _connect(fresh, f"portal_session_sha256={digest}")
    assert redirect_target(fresh.run(HomeState, "load")) == "/login?next=%2F"
    assert fresh.state(HomeState).loaded is False
    _connect(fresh, f"{SESSION_COOKIE}={digest}")
    assert redirect_target(fresh.run(HomeState, "load")) == "/login?next=%2F"
    assert fresh.state(SessionState).signed_in is False


def test_logout_through_the_digest_ends_the_session(signed_in):
    browser = signed_in()
    token = browser.cookies[SESSION_COOKIE]
    _connect(browser, f"{SESSION_COOKIE}={token}")
    browser.run(SessionState, "logout")
    browser.visit("/")  # the raw cookie again, as the HTTP routes would see it: the session is over
    assert redirect_target(browser.run(HomeState, "load")) == "/login?next=%2F"
