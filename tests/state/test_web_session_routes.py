"""Login and logout CSRF (issue 11, finding 10): the session routes answer only the portal's own
page posting JSON. Each refused request is one a forged page on another site could send; after
each, no session exists and the ticket still works for the real page."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from portal.models import UserAccount, UserSession
from portal.pages.login import LoginState
from portal.seed.demo import DEMO_PASSWORD
from portal.services.access.sessions import SESSION_COOKIE, token_digest
from tests.state.conftest import Browser, address_of, id_mark, mailed_code, rows_after, script_of

PORTAL = "http://127.0.0.1:3000"
JSON = "application/json"

FORGED = [
    pytest.param(
        {"Content-Type": "application/x-www-form-urlencoded", "Origin": PORTAL}, "form", id="form-same-origin"
    ),
    pytest.param({"Content-Type": "text/plain", "Origin": PORTAL}, "json", id="text-plain-same-origin"),
    pytest.param({"Content-Type": "text/plain", "Origin": "https://evil.example"}, "json", id="text-plain-evil"),
    pytest.param({"Content-Type": "multipart/form-data; boundary=x", "Origin": PORTAL}, "json", id="multipart"),
    pytest.param({"Origin": PORTAL}, "json", id="no-content-type"),
    pytest.param({"Content-Type": JSON, "Origin": "https://evil.example"}, "json", id="json-evil-origin"),
    pytest.param({"Content-Type": JSON, "Origin": "null"}, "json", id="json-null-origin"),
    pytest.param({"Content-Type": JSON, "Origin": "http://127.0.0.1:3000.evil.example"}, "json", id="json-suffix"),
    pytest.param({"Content-Type": JSON, "Origin": "http://127.0.0.1:3001"}, "json", id="json-other-port"),
    pytest.param({"Content-Type": JSON, "Origin": "https://127.0.0.1:3000"}, "json", id="json-other-scheme"),
    pytest.param({"Content-Type": JSON}, "json", id="json-says-nothing"),
    pytest.param({"Content-Type": JSON, "Sec-Fetch-Site": "cross-site"}, "json", id="json-cross-site"),
    pytest.param({"Content-Type": JSON, "Sec-Fetch-Site": "same-site"}, "json", id="json-same-site"),
    pytest.param({"Content-Type": JSON, "Origin": PORTAL, "Sec-Fetch-Site": "cross-site"}, "json", id="json-spoofed"),
]


def _client(cookies: dict[str, str] | None = None) -> TestClient:
    from portal.api import api

    return TestClient(api, base_url=PORTAL, client=("127.0.0.1", 50000), cookies=cookies or {})


def _ticket() -> tuple[str, int]:
    """A real one-time ticket, as the login page hands it to the browser after both factors."""
    browser = Browser()
    browser.visit("/login")
    browser.run(LoginState, "submit", {"username": "10093", "password": DEMO_PASSWORD})
    script = script_of(browser.run(LoginState, "verify_code", {"code": mailed_code(address_of("10093"))}))
    body = re.search(r"body: (\"(?:[^\"\\]|\\.)*\")", script or "")
    assert body is not None, "the login did not hand over a ticket"
    from portal.db import session_scope

    with session_scope() as db:
        user_id = db.exec(select(UserAccount.id).where(UserAccount.username == "10093")).one()
    return json.loads(json.loads(body.group(1)))["ticket"], user_id


@pytest.mark.parametrize(("headers", "encoding"), FORGED)
def test_a_forged_login_opens_no_session(app_db, headers, encoding):
    ticket, user_id = _ticket()
    mark = id_mark(UserSession)
    content = f"ticket={ticket}" if encoding == "form" else json.dumps({"ticket": ticket})
    forged = _client().post("/api/sessione", content=content, headers=headers)
    assert forged.status_code == 403
    assert SESSION_COOKIE not in forged.cookies and "set-cookie" not in forged.headers
    assert rows_after(UserSession, mark, UserSession.user_id == user_id) == []
    # the ticket is untouched: the portal's own page still opens the session with it
    real = _client().post(
        "/api/sessione", content=json.dumps({"ticket": ticket}), headers={"Content-Type": JSON, "Origin": PORTAL}
    )
    assert real.status_code == 204
    opened = rows_after(UserSession, mark, UserSession.user_id == user_id)
    assert [(row.token_hash, row.revoked_at) for row in opened] == [(token_digest(real.cookies[SESSION_COOKIE]), None)]


def test_the_portal_page_may_also_say_same_origin_without_origin(app_db):
    ticket, user_id = _ticket()
    mark = id_mark(UserSession)
    answer = _client().post(
        "/api/sessione",
        content=json.dumps({"ticket": ticket}),
        headers={"Content-Type": JSON, "Sec-Fetch-Site": "same-origin"},
    )
    assert answer.status_code == 204
    assert len(rows_after(UserSession, mark, UserSession.user_id == user_id)) == 1


@pytest.mark.parametrize(("headers", "encoding"), FORGED)
def test_a_forged_logout_leaves_the_cookie(signed_in, headers, encoding):
    browser = signed_in()
    token = browser.cookies[SESSION_COOKIE]
    content = "x=1" if encoding == "form" else "{}"
    forged = _client({SESSION_COOKIE: token}).post("/api/sessione/esci", content=content, headers=headers)
    assert forged.status_code == 403
    assert "set-cookie" not in forged.headers
    from portal.db import session_scope

    with session_scope() as db:
        stored = db.exec(select(UserSession).where(UserSession.token_hash == token_digest(token))).one()
    assert stored.revoked_at is None


def test_logout_is_post_only(signed_in):
    browser = signed_in()
    token = browser.cookies[SESSION_COOKIE]
    answer = _client({SESSION_COOKIE: token}).get("/api/sessione/esci", headers={"Origin": PORTAL})
    assert answer.status_code == 405
    assert "set-cookie" not in answer.headers
