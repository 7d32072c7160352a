"""The session token never reaches Reflex's state store (issue 11, finding 10).

Reflex copies the headers of the browser's websocket, cookies included, into every state it keeps
(`router.headers`, in memory, on disk or in Redis). On the websocket path this middleware replaces
the session cookie with the SHA-256 of its token (what the database keeps), under another name,
so the states hold only the digest, which opens nothing: the HTTP routes hash whatever cookie they
receive, and a digest cookie the browser sends itself is dropped here.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from portal.services.access.sessions import SESSION_COOKIE, cookie_value, token_digest

DIGEST_COOKIE = "portal_session_sha256"
EVENT_PATH = "/_event"  # Reflex's websocket (constants.Endpoint.EVENT)


def digest_from_cookie_header(header: str) -> str:
    """The digest the middleware put in a Cookie header ("" when absent or unreadable)."""
    return cookie_value(header, DIGEST_COOKIE)


def _rewritten(cookie_header: str) -> str:
    kept: list[str] = []
    for part in cookie_header.split(";"):
        name, sep, value = part.strip().partition("=")
        if not sep or name == DIGEST_COOKIE:
            continue  # only this middleware writes the digest cookie
        if name == SESSION_COOKIE:
            if value:
                kept.append(f"{DIGEST_COOKIE}={token_digest(value)}")
            continue
        kept.append(f"{name}={value}")
    return "; ".join(kept)


class SessionCookieDigest:
    """ASGI middleware: on Reflex's websocket path, the session cookie becomes its digest."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope.get("path", "").startswith(EVENT_PATH):
            cookies = b"; ".join(value for name, value in scope.get("headers", []) if name.lower() == b"cookie")
            headers = [(name, value) for name, value in scope.get("headers", []) if name.lower() != b"cookie"]
            if cookies:
                headers.append((b"cookie", _rewritten(cookies.decode("latin-1")).encode("latin-1")))
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)
