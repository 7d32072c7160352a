"""Issue 13: the health and readiness routes, and the structured log lines (one JSON object a line,
with the request id and session tag, and no secret), through the app's own middleware stack."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re

import pytest
import redis
import sqlalchemy as sa
from starlette.testclient import TestClient

from portal import api as api_module
from portal import logs
from portal.db import make_engine
from portal.pages.login import LoginState
from portal.seed.demo import DEMO_PASSWORD
from portal.services.access.sessions import SESSION_COOKIE, token_digest
from portal.web.stack import protect
from tests.state.conftest import address_of, mailed_code, script_of

UNREACHABLE_DB = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"


def _client(**cookies: str) -> TestClient:
    return TestClient(protect(api_module.api), base_url="http://127.0.0.1:3000", cookies=cookies)


@pytest.fixture
def reachable(monkeypatch, app_db):
    """Point the readiness route at a database and a Redis of the test's choice."""

    def choose(database: sa.Engine | None = None, redis_url: str | None = None) -> None:
        monkeypatch.setattr(api_module, "get_engine", lambda: database or app_db)
        monkeypatch.setattr(api_module, "settings", dataclasses.replace(api_module.settings, redis_url=redis_url))

    return choose


def test_health_says_the_process_is_alive(app_db):
    answer = _client().get("/api/health")
    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})
    assert answer.headers["cache-control"] == "no-store" and re.fullmatch(
        r"[0-9a-f]{32}", answer.headers["x-request-id"]
    )


def test_ready_when_the_database_answers(reachable):
    reachable(redis_url=None)
    answer = _client().get("/api/ready")
    assert (answer.status_code, answer.json()) == (200, {"status": "ok", "checks": {"database": "ok"}})


def test_ready_names_redis_when_it_does_not_answer(reachable):
    reachable(redis_url=UNREACHABLE_REDIS)
    answer = _client().get("/api/ready")
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "checks": {"database": "ok", "redis": "failed"}}
    assert "127.0.0.1:1" not in answer.text  # what failed, never where or why


def test_ready_names_the_database_when_it_does_not_answer(reachable):
    broken = make_engine(UNREACHABLE_DB)
    try:
        reachable(database=broken, redis_url=UNREACHABLE_REDIS)
        answer = _client().get("/api/ready")
    finally:
        broken.dispose()
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "checks": {"database": "failed", "redis": "failed"}}


def test_ready_with_the_machines_redis(reachable):
    try:
        redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {LOCAL_REDIS} on this machine")
    reachable(redis_url=LOCAL_REDIS)
    answer = _client().get("/api/ready")
    assert (answer.status_code, answer.json()) == (200, {"status": "ok", "checks": {"database": "ok", "redis": "ok"}})


@pytest.fixture
def json_logs():
    """Every log record of the process, at DEBUG, as production writes them; put back afterwards."""
    every = [logging.getLogger(), *(logging.getLogger(name) for name in list(logging.root.manager.loggerDict))]
    saved = [(logger, list(logger.handlers), logger.level) for logger in every]
    stream = io.StringIO()
    logs.configure("json", level=logging.DEBUG, stream=stream)
    try:
        yield stream
    finally:
        for logger, handlers, level in saved:
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            for handler in handlers:
                logger.addHandler(handler)
            logger.setLevel(level)


def test_a_sign_in_leaves_no_secret_in_the_log(browser, json_logs, reachable, restore_users):
    """Password, code, the one-time ticket and the session token: none in any line; the lines are
    JSON with time, level, logger and message, and a request's lines carry its id and session tag."""
    restore_users("10093")
    reachable(redis_url=UNREACHABLE_REDIS)  # a request that logs (a warning), for the request's fields
    logging.getLogger("portal.test").info("sign-in of %s with password=%s", "10093", DEMO_PASSWORD)
    browser.visit("/login")
    browser.run(LoginState, "submit", {"username": "10093", "password": DEMO_PASSWORD})
    code = mailed_code(address_of("10093"))
    result = browser.run(LoginState, "verify_code", {"code": code})
    ticket = json.loads(json.loads(f'"{_script_body(result)}"'))["ticket"]
    assert browser.follow(result) == "/"
    token = browser.cookies[SESSION_COOKIE]
    answer = _client(**{SESSION_COOKIE: token}).get("/api/ready", headers={"X-Request-ID": "req-0123456789"})
    assert answer.status_code == 503 and answer.headers["x-request-id"] == "req-0123456789"

    written = json_logs.getvalue()
    lines = [json.loads(line) for line in written.splitlines()]
    assert lines, "nothing was logged"
    assert all({"time", "level", "logger", "message", "pid"} <= set(line) for line in lines)
    for secret in (DEMO_PASSWORD, code, ticket, token, token_digest(token)):
        assert secret not in written
    tenant_id, user_id = _account("10093")
    audited = [line["message"] for line in lines if line["logger"] == "portal.services.common.audit"]
    for action in ("login.password_ok", "otp.sent", "login.success"):
        assert any(message.startswith(f"audit {action} ") for message in audited), (action, audited)
    assert f"audit login.success tenant={tenant_id} user={user_id} " in "".join(audited)
    assert {
        "level": "info",
        "logger": "portal.test",
        "message": "sign-in of 10093 with password=[redacted]",
    }.items() <= lines[0].items()
    warning = next(line for line in lines if line["message"] == "readiness: redis is not reachable (ConnectionError)")
    assert (warning["level"], warning["request_id"], warning["session"]) == (
        "warning",
        "req-0123456789",
        token_digest(token)[:16],
    )


def _account(username: str) -> tuple[int, int]:
    from sqlmodel import select

    from portal.db import session_scope
    from portal.models import UserAccount

    with session_scope() as db:
        user = db.exec(select(UserAccount).where(UserAccount.username == username)).one()
        return user.tenant_id, user.id


def _script_body(result) -> str:
    """The JSON body of the fetch the login page's script sends to /api/sessione (escaped)."""
    return re.search(r'body: "((?:[^"\\]|\\.)*)"', script_of(result)).group(1)


def test_redaction_blanks_values_named_like_secrets():
    assert logs.redact("login code=123456 for x") == "login code=[redacted] for x"
    assert (
        logs.redact('{"password": "s3cret", "username": "10093"}') == '{"password": "[redacted]", "username": "10093"}'
    )
    assert logs.redact("GET /api/download/abcDEF123?x=1") == "GET /api/download/[redacted]?x=1"
    assert logs.redact("portal_session=tok; portal_lang=it") == "portal_session=[redacted]; portal_lang=it"
    assert logs.redact("status code 200, username=10093") == "status code 200, username=10093"
