"""The websocket's Cookie header as Reflex receives it: the session token replaced by its digest,
any digest the browser sent dropped, the other cookies and the other paths untouched."""

from __future__ import annotations

import asyncio

import pytest

from portal.services.access.sessions import token_digest
from portal.web.session_digest import SessionCookieDigest


def _seen(path: str, cookie: bytes, kind: str = "websocket") -> list[bytes]:
    seen: list[dict] = []

    async def inner(scope, receive, send):
        seen.append(scope)

    asyncio.run(SessionCookieDigest(inner)({"type": kind, "path": path, "headers": [(b"cookie", cookie)]}, None, None))
    return [value for name, value in seen[0]["headers"] if name == b"cookie"]


@pytest.mark.parametrize("kind", ["websocket", "http"])
def test_the_token_becomes_its_digest_on_the_event_path(kind):
    cookie = b"portal_lang=en; portal_session=abc123; other=x"
    expected = f"portal_lang=en; portal_session_sha256={token_digest('abc123')}; other=x".encode()
    assert _seen("/_event/", cookie, kind) == [expected]


def test_a_digest_the_browser_sends_is_dropped():
    assert _seen("/_event/", b"portal_session_sha256=" + token_digest("abc").encode() + b"; portal_lang=it") == [
        b"portal_lang=it"
    ]


def test_no_session_cookie_adds_nothing():
    assert _seen("/_event/", b"portal_lang=it") == [b"portal_lang=it"]


@pytest.mark.parametrize("path", ["/api/sessione", "/api/allegati/1", "/_upload", "/contratti"])
def test_other_paths_keep_the_token(path):
    assert _seen(path, b"portal_session=abc123") == [b"portal_session=abc123"]
