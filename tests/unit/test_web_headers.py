"""Security headers on every HTTP response (issue 11, finding 10): the portal's routes and
whatever else the app answers, HTML pages with the full Content-Security-Policy."""

from __future__ import annotations

import dataclasses

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from portal.config import settings
from portal.web.headers import SecurityHeaders
from portal.web.stack import protect

PAGE_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; media-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
COMMON = {
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


async def page(request):
    return HTMLResponse("<html><body>page</body></html>")


async def pdf(request):
    return Response(b"%PDF-1.7", media_type="application/pdf", headers={"Content-Security-Policy": "sandbox"})


async def empty(request):
    return Response(status_code=204, headers={"X-Content-Type-Options": "nosniff"})


async def plain(request):
    return PlainTextResponse("ok")


ROUTES = [Route("/page", page), Route("/doc.pdf", pdf), Route("/empty", empty, methods=["POST"]), Route("/ok", plain)]


def _client(https: bool = False) -> TestClient:
    chosen = dataclasses.replace(settings, public_url="https://portale.example" if https else "http://127.0.0.1:3000")
    return TestClient(SecurityHeaders(Starlette(routes=ROUTES), chosen))


def test_html_pages_get_the_full_policy_and_every_header():
    answer = _client().get("/page")
    assert answer.headers.get_list("content-security-policy") == [PAGE_CSP]
    assert {name: answer.headers.get(name) for name in COMMON} == COMMON
    assert "strict-transport-security" not in answer.headers


@pytest.mark.parametrize(
    ("method", "path", "policies"),
    [
        ("GET", "/doc.pdf", ["sandbox", "frame-ancestors 'none'"]),
        ("POST", "/empty", [PAGE_CSP]),
        ("GET", "/ok", ["frame-ancestors 'none'"]),
        ("GET", "/missing", ["frame-ancestors 'none'"]),
    ],
)
def test_other_answers_keep_their_own_and_get_the_rest(method, path, policies):
    answer = _client().request(method, path)
    assert answer.headers.get_list("content-security-policy") == policies
    assert {name: answer.headers.get(name) for name in COMMON} == COMMON
    assert answer.headers.get_list("x-content-type-options") == ["nosniff"]  # never twice


def test_hsts_only_when_the_portal_is_https():
    assert _client(https=True).get("/ok").headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "strict-transport-security" not in _client(https=False).get("/ok").headers


def test_the_portal_stack_puts_them_on_the_portal_routes():
    from portal.api import api

    answer = TestClient(protect(api), base_url="http://127.0.0.1:3000").get("/api/allegati/1")
    assert answer.status_code == 404
    assert {name: answer.headers.get(name) for name in COMMON} == COMMON
    assert answer.headers.get_list("content-security-policy") == [PAGE_CSP]  # an empty 404: no content type
