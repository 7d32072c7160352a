"""The gate in front of Reflex's `POST /_upload` (issue 11, finding 7).

Reflex parses the whole multipart body (spooling files to disk) before any event handler, and so
before any sign-in or size check, runs. This middleware decides before the body is read:
- no live portal session in the cookie: 401, nothing read;
- a Content-Length above the limit (or not a number): 413 (400), nothing read;
- a body sent without a length (chunked) or longer than it said: the bytes are counted as they
  arrive and, past the limit, the app is told the client went away and the client gets 413.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.db import session_scope
from portal.services.access.sessions import SESSION_POLICY, resolve_session, token_from_cookie_header
from portal.services.common import clock
from portal.web.asgi import header

UPLOAD_PATH = "/_upload"


def has_live_session(token: str) -> bool:
    """A session that resolve_session accepts now (not touched: an upload is not a page visit)."""
    if not token:
        return False
    with session_scope() as db:
        return resolve_session(session=db, token=token, now=clock.now(), policy=SESSION_POLICY, touch=False) is not None


async def _answer(send: Send, status: int) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": f"{status}".encode()})


class UploadGuard:
    """ASGI middleware for POST /_upload: session first, then the body's size, before Reflex."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, is_signed_in: Callable[[str], bool] = has_live_session):
        self.app = app
        self.max_bytes = max_bytes
        self.is_signed_in = is_signed_in

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope.get("method") != "POST"
            or not (path == UPLOAD_PATH or path.startswith(UPLOAD_PATH + "/"))
        ):
            await self.app(scope, receive, send)
            return
        if not await run_in_threadpool(self.is_signed_in, token_from_cookie_header(header(scope, b"cookie") or "")):
            await _answer(send, 401)
            return
        declared = header(scope, b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _answer(send, 400)
                return
            if int(declared) > self.max_bytes:
                await _answer(send, 413)
                return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        over = False
        answered = False

        async def counting_receive() -> Message:
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Reflex treats a client that went away as the end of the upload and keeps nothing.
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if over:
                return  # the app's answer to the "disconnect" is replaced by 413 below
            answered = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)
        if over and not answered:
            await _answer(send, 413)
