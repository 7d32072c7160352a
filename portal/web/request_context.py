"""Who is asking, for the logs and for the rate limits (issue 13).

The outermost middleware of the app (portal/web/stack.py):
- the client's address: behind the reverse proxy of deploy/ every connection comes from the proxy,
  so with PORTAL_TRUSTED_PROXY_HOPS=n (1 in production) the address is the n-th entry from the
  right of X-Forwarded-For, the one the trusted proxy wrote; entries further left are what the
  client claimed and are ignored. Reflex (the tab's client_ip) and the portal's HTTP routes both
  read it from the request, so the per-address rate limits count real clients, not the proxy;
- a request id: the proxy's X-Request-ID when it looks like one, else a fresh one; it is sent
  back in the answer's X-Request-ID and written on every log line of the request (portal/logs.py);
- the session: the first 16 hex digits of the SHA-256 of the session cookie (what the database
  keeps), on the log lines; never the cookie itself.
A websocket is one request: every event of the tab logs the id of its connection.
"""

from __future__ import annotations

import logging
import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.logs import REQUEST_ID, SESSION
from portal.services.access.sessions import token_digest, token_from_cookie_header
from portal.web.asgi import header

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
logger = logging.getLogger(__name__)
WEBSOCKET_OPENED, WEBSOCKET_CLOSED = "websocket opened", "websocket closed"


def forwarded_client(forwarded_for: str, hops: int) -> str | None:
    """The address `hops` trusted proxies saw: the hops-th entry from the right; None when the
    header has fewer entries (then the connection's own address stands)."""
    entries = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    return entries[-hops] if hops > 0 and len(entries) >= hops else None


def session_tag(cookie_header: str) -> str:
    token = token_from_cookie_header(cookie_header)
    return token_digest(token)[:16] if token else ""


class RequestContext:
    """ASGI middleware: client address behind the proxy, request id and session tag for the logs."""

    def __init__(self, app: ASGIApp, *, trusted_proxy_hops: int = 0):
        self.app = app
        self.hops = trusted_proxy_hops

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        claimed = header(scope, b"x-request-id") or ""
        request_id = claimed if _REQUEST_ID.match(claimed) else uuid.uuid4().hex
        if self.hops and (client := forwarded_client(header(scope, b"x-forwarded-for") or "", self.hops)):
            port = scope["client"][1] if scope.get("client") else 0
            scope = {**scope, "client": (client, port)}
        request_token = REQUEST_ID.set(request_id)
        session_token = SESSION.set(session_tag(header(scope, b"cookie") or ""))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", request_id.encode())]}
            await send(message)

        websocket = scope["type"] == "websocket"
        if websocket:  # a tab's connection: which process serves it, for how long
            logger.info(WEBSOCKET_OPENED)
        try:
            await self.app(scope, receive, send if websocket else send_with_id)
        finally:
            if websocket:
                logger.info(WEBSOCKET_CLOSED)
            REQUEST_ID.reset(request_token)
            SESSION.reset(session_token)
