"""GET /metrics for Prometheus (docs/DEPLOY.md): only for the bearer of PORTAL_METRICS_TOKEN; HTTP
requests counted by route template (never the path: no ticket in a label); Reflex events counted
by handler; the outbox's backlog read at the scrape."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import secrets
from types import SimpleNamespace

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from portal import api as api_module
from portal.config import settings
from portal.models.mail import MailOutbox
from portal.services.common import mail_sender
from portal.state.session import SessionState
from portal.web import event_metrics, metrics
from portal.web.stack import protect
from tests.conftest import NOW

TOKEN = "t0ken-for-the-metrics-test-" + "x" * 8


@pytest.fixture
def app(monkeypatch):
    """The portal's routes inside its middlewares, as the backend serves them; no database is read
    for the outbox (its own test is below)."""
    monkeypatch.setattr(api_module, "settings", dataclasses.replace(settings, metrics_token=TOKEN))
    monkeypatch.setattr(metrics, "OutboxCollector", lambda: _NoOutbox())
    return protect(api_module.api)


class _NoOutbox(metrics.Collector):
    def collect(self):
        return iter(())


def _samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """The samples called `name` in the text format, by their sorted labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def _scrape(client: TestClient) -> str:
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def test_without_the_setting_the_endpoint_does_not_exist(monkeypatch):
    monkeypatch.setattr(api_module, "settings", dataclasses.replace(settings, metrics_token=""))
    client = TestClient(protect(api_module.api))
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}"],
)
def test_a_wrong_or_missing_token_is_refused(app, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    answer = TestClient(app).get("/metrics", headers=headers)
    assert answer.status_code == 401
    assert "portal_" not in answer.text


def test_requests_are_counted_by_route_template_not_by_path(app):
    client = TestClient(app)
    key = (("method", "GET"), ("route", "/api/download/{token}"), ("status", "4xx"))
    before = _samples(_scrape(client), "portal_http_requests_total").get(key, 0.0)
    ticket = secrets.token_urlsafe(16)
    assert client.get(f"/api/download/{ticket}").status_code == 404  # no session: nothing to download

    text = _scrape(client)
    assert _samples(text, "portal_http_requests_total")[key] == before + 1
    durations = _samples(text, "portal_http_request_duration_seconds_count")
    assert durations[(("method", "GET"), ("route", "/api/download/{token}"))] >= 1
    assert ticket not in text
    # The scrape itself is a request like any other, under its own template.
    assert _samples(text, "portal_http_requests_total")[(("method", "GET"), ("route", "/metrics"), ("status", "2xx"))]


def test_a_path_that_matches_no_route_is_not_a_label(app):
    client = TestClient(app)
    probe = "/wp-admin/" + secrets.token_hex(8)
    client.get(probe)
    text = _scrape(client)
    assert probe not in text
    assert any(dict(labels)["route"] == metrics.UNMATCHED for labels in _samples(text, "portal_http_requests_total"))


def test_labels_of_a_request():
    assert metrics.status_class(204) == "2xx" and metrics.status_class(503) == "5xx"
    assert metrics.method_label({"method": "PROPFIND"}) == "other"
    assert metrics.route_label({"path": "/_upload"}) == "/_upload"
    assert metrics.route_label({"path": "/_event/", "route": None}) == "/_event"
    assert metrics.route_label({"path": "/secret-ish/123"}) == metrics.UNMATCHED


def test_open_websockets_are_a_gauge_that_goes_back_down():
    async def app(scope, receive, send):
        assert metrics.WEBSOCKETS_OPEN._value.get() == opened + 1  # pyright: ignore[reportAttributeAccessIssue]

    opened = metrics.WEBSOCKETS_OPEN._value.get()  # pyright: ignore[reportAttributeAccessIssue]
    asyncio.run(metrics.HttpMetrics(app)({"type": "websocket", "path": "/_event/"}, None, None))  # pyright: ignore[reportArgumentType]
    assert metrics.WEBSOCKETS_OPEN._value.get() == opened  # pyright: ignore[reportAttributeAccessIssue]


# Reflex events --------------------------------------------------------------------------------------


def _event_counts(label: str) -> tuple[float, float, float]:
    text = metrics.exposition(_NoOutbox())
    key = (("handler", label),)
    return (
        _samples(text.decode(), "portal_events_total").get(key, 0.0),
        _samples(text.decode(), "portal_event_errors_total").get(key, 0.0),
        _samples(text.decode(), "portal_event_duration_seconds_count").get(key, 0.0),
    )


def test_each_event_handled_is_counted_and_timed_by_handler_and_errors_apart():
    """The wrapper around Reflex's BaseStateEventProcessor._execute_event (portal/web/event_metrics.py)."""
    calls = []

    async def execute(processor, *, entry, registered_handler):
        calls.append(entry.event.name)
        if entry.event.payload.get("fail"):
            raise RuntimeError("the handler failed")

    wrapped = event_metrics.measured(execute)
    registered = SimpleNamespace(states=(SessionState,))
    name = SessionState.get_full_name() + ".metrics_test_handler"
    label = "SessionState.metrics_test_handler"
    before = _event_counts(label)

    asyncio.run(
        wrapped(
            None, entry=SimpleNamespace(event=SimpleNamespace(name=name, payload={})), registered_handler=registered
        )
    )
    with pytest.raises(RuntimeError):
        failing = SimpleNamespace(event=SimpleNamespace(name=name, payload={"fail": True}))
        asyncio.run(wrapped(None, entry=failing, registered_handler=registered))

    assert calls == [name, name]
    events, errors, timed = _event_counts(label)
    assert (events - before[0], errors - before[1], timed - before[2]) == (2, 1, 2)


def test_the_wrapper_is_installed_once_on_reflexs_event_processor():
    from reflex_base.event.processor import BaseStateEventProcessor

    event_metrics.install()
    installed = BaseStateEventProcessor._execute_event
    event_metrics.install()
    assert BaseStateEventProcessor._execute_event is installed
    assert getattr(installed, "_portal_metrics", False)


# The outbox -----------------------------------------------------------------------------------------


def _outbox_row(created_at: dt.datetime, **done) -> MailOutbox:
    return MailOutbox(
        kind="metrics_test", to_address="metrics@example.test", subject="s", next_attempt_at=created_at,
        created_at=created_at, **done,
    )  # fmt: skip


def test_the_outbox_backlog_is_read_at_the_scrape(db):
    before = mail_sender.backlog(session=db)
    oldest = NOW - dt.timedelta(days=400)  # older than anything the demo data wrote
    db.add(_outbox_row(oldest))
    db.add(_outbox_row(NOW - dt.timedelta(minutes=5)))
    db.add(_outbox_row(NOW - dt.timedelta(days=500), sent_at=NOW))  # sent: not waiting
    db.add(_outbox_row(NOW - dt.timedelta(days=500), failed_at=NOW))  # given up: not waiting
    db.flush()

    collector = metrics.OutboxCollector(sessions=lambda: contextlib.nullcontext(db), now=lambda: NOW)
    values = {family.name: family.samples[0].value for family in collector.collect()}
    assert values == {
        "portal_outbox_waiting": before.waiting + 2,
        "portal_outbox_oldest_age_seconds": 400 * 24 * 3600,
    }


def test_the_scrape_answers_when_the_database_does_not():
    @contextlib.contextmanager
    def broken():
        raise OSError("database away")
        yield

    assert list(metrics.OutboxCollector(sessions=broken).collect()) == []
