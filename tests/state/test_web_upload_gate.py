"""The gate in front of Reflex's POST /_upload (issue 11, finding 7): who is not signed in and
what is too big are refused before a byte of the body is read; a body without a length is cut
off at the limit. The app behind the gate parses multipart as Reflex does (Starlette's form
parser, spooling files), so what reaches it is what Reflex would spool."""

from __future__ import annotations

import asyncio

import pytest
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from portal.config import DEFAULT_UPLOAD_MAX_BYTES, settings
from portal.services.access.sessions import SESSION_COOKIE
from portal.web.stack import protect
from portal.web.upload_guard import UploadGuard

LIMIT = 64 * 1024
BOUNDARY = "portalboundary"


class Behind:
    """Reflex's upload route as far as the body goes: parse the form, keep the files' sizes."""

    def __init__(self):
        self.calls = 0
        self.kept: list[int] = []

    async def upload(self, request: Request) -> Response:
        self.calls += 1
        try:
            form = await request.form(max_part_size=LIMIT * 4)
        except ClientDisconnect:
            return Response()
        for item in form.getlist("files"):
            self.kept.append(len(await item.read()))  # type: ignore[union-attr]
        return JSONResponse({"kept": self.kept})


def _multipart(size: int) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return head + b"%" * size + f"\r\n--{BOUNDARY}--\r\n".encode()


def _client(behind: Behind, token: str = "") -> TestClient:
    inner = Starlette(routes=[Route("/_upload", behind.upload, methods=["POST"])])
    return TestClient(
        UploadGuard(inner, max_bytes=LIMIT),
        base_url="http://127.0.0.1:3000",
        cookies={SESSION_COOKIE: token} if token else {},
    )


HEADERS = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def _raw(guard: UploadGuard, headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """Call the gate as the server does; (status, how many times it asked for the body)."""
    asked, answered = 0, []

    async def receive():
        nonlocal asked
        asked += 1
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    async def send(message):
        if message["type"] == "http.response.start":
            answered.append(message["status"])

    scope = {"type": "http", "method": "POST", "path": "/_upload", "headers": headers, "query_string": b""}
    asyncio.run(guard(scope, receive, send))
    return answered[0], asked


def test_anonymous_upload_is_refused_unread(app_db):
    behind = Behind()
    guard = UploadGuard(lambda scope, receive, send: behind.upload(Request(scope, receive)), max_bytes=LIMIT)
    status, asked = _raw(guard, [(b"content-length", b"1000"), (b"content-type", HEADERS["Content-Type"].encode())])
    assert (status, asked, behind.calls) == (401, 0, 0)
    forged = [(b"cookie", f"{SESSION_COOKIE}=forged-token".encode()), (b"content-length", b"1000")]
    assert _raw(guard, forged) == (401, 0) and behind.calls == 0


def test_anonymous_upload_through_the_client_is_refused(app_db):
    behind = Behind()
    answer = _client(behind, token="not-a-session").post("/_upload", content=_multipart(10), headers=HEADERS)
    assert (answer.status_code, behind.calls, behind.kept) == (401, 0, [])


def test_oversize_declared_body_is_refused_unread(signed_in):
    token = signed_in().cookies[SESSION_COOKIE]
    behind = Behind()
    guard = UploadGuard(lambda scope, receive, send: behind.upload(Request(scope, receive)), max_bytes=LIMIT)
    cookie = (b"cookie", f"{SESSION_COOKIE}={token}".encode())
    assert _raw(guard, [cookie, (b"content-length", str(LIMIT + 1).encode())]) == (413, 0)
    assert _raw(guard, [cookie, (b"content-length", b"1" + b"0" * 30)]) == (413, 0)
    assert _raw(guard, [cookie, (b"content-length", b"-5")]) == (400, 0)
    assert _raw(guard, [cookie, (b"content-length", b"12abc")]) == (400, 0)
    assert behind.calls == 0


def test_chunked_body_is_cut_off_at_the_limit(signed_in):
    token = signed_in().cookies[SESSION_COOKIE]
    behind = Behind()
    body = _multipart(LIMIT * 3)

    def chunks():
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    answer = _client(behind, token).post("/_upload", content=chunks(), headers=HEADERS)
    assert answer.status_code == 413
    assert behind.calls == 1 and behind.kept == []  # the parser saw the client go away: nothing kept


def test_signed_in_upload_within_the_limit_passes(signed_in):
    token = signed_in().cookies[SESSION_COOKIE]
    behind = Behind()
    answer = _client(behind, token).post("/_upload", content=_multipart(1000), headers=HEADERS)
    assert (answer.status_code, answer.json()) == (200, {"kept": [1000]})
    chunked = _client(behind, token).post("/_upload", content=iter([_multipart(2000)]), headers=HEADERS)
    assert (chunked.status_code, chunked.json()) == (200, {"kept": [1000, 2000]})


def test_other_routes_pass_untouched(app_db):
    behind = Behind()
    inner = Starlette(routes=[Route("/_upload", behind.upload, methods=["GET", "POST"])])
    client = TestClient(UploadGuard(inner, max_bytes=LIMIT), base_url="http://127.0.0.1:3000")
    assert client.get("/_upload").status_code == 200 and behind.calls == 1


@pytest.mark.parametrize("path", ["/_upload", "/_upload/", "/_upload/x"])
def test_the_portal_stack_guards_the_upload_route(app_db, path):
    """protect() is what portal.py hands Reflex: anonymous oversize uploads stop there."""
    behind = Behind()
    inner = Starlette(routes=[Route(path, behind.upload, methods=["POST"])])
    answer = TestClient(protect(inner), base_url="http://127.0.0.1:3000").post(
        path, content=_multipart(10), headers=HEADERS
    )
    assert (answer.status_code, behind.calls) == (401, 0)


def test_the_limit_is_the_setting():
    assert settings.upload_max_bytes == DEFAULT_UPLOAD_MAX_BYTES == 210 * 1024 * 1024
