"""Webhooks: each event is POSTed, signed with the endpoint's secret, to a real HTTP server; a
refusal is retried on the backoff schedule (the test owns the clock) and given up after the last
attempt; each leasing company's endpoints get only its own events."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
import sqlalchemy as sa

from portal.integration.outbound import webhooks
from portal.integration.outbound.__main__ import main as command_main
from portal.integration.outbound.__main__ import run as command
from portal.integration.outbound.errors import InvalidInput
from portal.integration.outbound.status import apply_status
from portal.services.common.mail_sender import in_session
from tests.conftest import NOW
from tests.unit.integration.outbound.conftest import count, open_ticket


def _deliver(db, at: dt.datetime) -> webhooks.DeliveryReport:
    return webhooks.deliver_due(sessions=in_session(db), now=lambda: at)


def _delivery(db, delivery_id: int) -> dict:
    db.flush()
    row = db.execute(
        sa.text(
            "select attempts, next_attempt_at, last_status_code, last_error, delivered_at, given_up_at"
            " from webhook_delivery where id = :d"
        ),
        {"d": delivery_id},
    ).one()
    return dict(row._mapping)


def _stamp(value) -> dt.datetime:
    """A timestamp as plain SQL reads it (SQLite: text, naive) as an aware UTC datetime."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _only_delivery(db, tenant_id: int) -> int:
    return count(db, "select max(id) from webhook_delivery where tenant_id = :t", t=tenant_id)


def test_an_event_is_posted_signed_with_the_endpoint_secret(db, demo, customer, receiver):
    endpoint, secret = webhooks.add_endpoint(db, tenant_id=demo.id, url=receiver.url, description="ERP")
    request = open_ticket(db, customer)
    delivery_id = _only_delivery(db, demo.id)

    assert _deliver(db, NOW) == webhooks.DeliveryReport(delivered=1)
    [received] = receiver.received
    assert received.path == "/hooks/portal"
    assert received.headers["content-type"] == "application/json"
    # the receiver's check, by hand: HMAC-SHA256 of "<t>.<body>" with the secret
    fields = dict(part.split("=", 1) for part in received.headers["x-portal-signature"].split(","))
    assert fields["t"] == str(int(NOW.timestamp()))
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(fields["v1"], expected)
    body = json.loads(received.body)
    seq = count(db, "select seq from request_event where request_id = :r", r=request.id)
    assert received.headers["x-portal-event-id"] == str(seq) == str(body["event"]["id"])
    assert body["event"]["type"] == "request.opened" and body["event"]["request_code"] == request.code
    assert body["request"]["code"] == request.code and body["request"]["status"] == "submitted"
    state = _delivery(db, delivery_id)
    assert (state["attempts"], state["last_status_code"], _stamp(state["delivered_at"])) == (1, 200, NOW)
    # delivered: never sent again
    assert _deliver(db, NOW + dt.timedelta(days=1)) == webhooks.DeliveryReport()
    assert len(receiver.received) == 1
    [row] = [r for r in webhooks.deliveries(db, tenant_id=demo.id, limit=10) if r.id == delivery_id]
    assert (row.state, row.endpoint_url, row.event_id, row.request_code) == (
        "delivered",
        endpoint.url,
        seq,
        request.code,
    )


def test_a_signature_with_another_secret_or_body_does_not_match(db, demo):
    body = b'{"event":{"id":1}}'
    header = webhooks.signature("whsec_right", 1700000000, body)
    digest = header.split("v1=")[1]
    assert digest == hmac.new(b"whsec_right", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert digest != webhooks.signature("whsec_wrong", 1700000000, body).split("v1=")[1]
    assert digest != webhooks.signature("whsec_right", 1700000000, body + b" ").split("v1=")[1]


def test_a_refusal_is_retried_after_the_backoff_then_delivered(db, demo, customer, receiver):
    receiver.answers = [500, 200]
    webhooks.add_endpoint(db, tenant_id=demo.id, url=receiver.url)
    open_ticket(db, customer)
    delivery_id = _only_delivery(db, demo.id)

    assert _deliver(db, NOW) == webhooks.DeliveryReport(retrying=1)
    state = _delivery(db, delivery_id)
    assert (state["attempts"], state["last_status_code"], state["last_error"]) == (1, 500, "HTTP 500")
    assert _stamp(state["next_attempt_at"]) == NOW + dt.timedelta(minutes=1)
    assert _deliver(db, NOW + dt.timedelta(seconds=59)) == webhooks.DeliveryReport()  # not yet due
    assert len(receiver.received) == 1
    assert _deliver(db, NOW + dt.timedelta(minutes=1)) == webhooks.DeliveryReport(delivered=1)
    state = _delivery(db, delivery_id)
    assert (state["attempts"], state["last_status_code"], state["last_error"]) == (2, 200, None)
    # both attempts carried the same body and event id
    assert receiver.received[0].body == receiver.received[1].body
    assert receiver.received[1].headers["x-portal-delivery-attempt"] == "2"


def test_a_delivery_is_given_up_after_the_last_attempt(db, demo, customer, receiver):
    receiver.answers = [503]
    webhooks.add_endpoint(db, tenant_id=demo.id, url=receiver.url)
    open_ticket(db, customer)
    delivery_id = _only_delivery(db, demo.id)
    # 1 min, 5 min, 30 min, 2 h, 12 h after each failure
    waits = [dt.timedelta(0), dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30)]
    waits += [dt.timedelta(hours=2), dt.timedelta(hours=12)]
    at = NOW
    for n, wait in enumerate(waits, start=1):
        at += wait
        report = _deliver(db, at)
        assert report == (webhooks.DeliveryReport(retrying=1) if n < 6 else webhooks.DeliveryReport(given_up=1))
    state = _delivery(db, delivery_id)
    assert (state["attempts"], state["last_status_code"], _stamp(state["given_up_at"])) == (6, 503, at)
    assert at - NOW == dt.timedelta(hours=14, minutes=36)
    assert _deliver(db, at + dt.timedelta(days=2)) == webhooks.DeliveryReport()
    assert len(receiver.received) == 6


def test_an_unreachable_endpoint_is_retried(db, demo, customer, receiver):
    receiver.__exit__()  # nobody listens on that port any more
    webhooks.add_endpoint(db, tenant_id=demo.id, url=receiver.url)
    open_ticket(db, customer)
    assert _deliver(db, NOW) == webhooks.DeliveryReport(retrying=1)
    state = _delivery(db, _only_delivery(db, demo.id))
    assert state["last_status_code"] is None and state["last_error"].startswith("ConnectError")


def test_each_company_gets_only_its_own_events(db, demo, customer, other, receiver):
    webhooks.add_endpoint(db, tenant_id=other.tenant.id, url=receiver.url)
    marks = count(db, "select coalesce(max(id), 0) from webhook_delivery")
    open_ticket(db, customer)  # the demo company's request
    assert count(db, "select count(*) from webhook_delivery where id > :m", m=marks) == 0
    assert _deliver(db, NOW) == webhooks.DeliveryReport()
    assert receiver.received == []


def test_a_disabled_endpoint_gets_nothing_more(db, demo, customer, receiver):
    endpoint, _secret = webhooks.add_endpoint(db, tenant_id=demo.id, url=receiver.url)
    open_ticket(db, customer)
    waiting = _only_delivery(db, demo.id)
    assert webhooks.disable_endpoint(db, tenant_id=demo.id, endpoint_id=endpoint.id, now=NOW) == 1
    marks = count(db, "select coalesce(max(id), 0) from webhook_delivery")
    open_ticket(db, customer)
    assert count(db, "select count(*) from webhook_delivery where id > :m", m=marks) == 0
    assert _deliver(db, NOW + dt.timedelta(hours=1)) == webhooks.DeliveryReport()
    assert receiver.received == []
    state = _delivery(db, waiting)
    assert (state["last_error"], _stamp(state["given_up_at"])) == ("endpoint disabled", NOW)


def test_a_status_change_from_the_core_system_is_pushed_too(db, demo, customer, receiver):
    request = open_ticket(db, customer)
    webhooks.add_endpoint(db, tenant_id=demo.id, url=receiver.url)
    apply_status(db, tenant_id=demo.id, code=request.code, status="resolved", now=NOW, public_url="http://portal.test")
    assert _deliver(db, NOW) == webhooks.DeliveryReport(delivered=1)
    body = json.loads(receiver.received[0].body)
    assert body["event"]["type"] == "request.status_changed" and body["event"]["actor"] == "core_system"
    assert body["event"]["detail"] == {"from_status": "submitted", "to_status": "resolved"}
    assert body["request"]["status"] == "resolved"


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "example.com/hook", "https://", "https://user:pw@example.com/", "x" * 501]
)
def test_a_bad_url_is_refused(db, demo, url):
    endpoints = count(db, "select count(*) from webhook_endpoint")
    with pytest.raises(InvalidInput):
        webhooks.add_endpoint(db, tenant_id=demo.id, url=url)
    assert count(db, "select count(*) from webhook_endpoint") == endpoints


def test_the_command_shows_the_secret_once(db, demo):
    import argparse

    lines: list[str] = []
    add = argparse.Namespace(action="add", url="https://erp.example.it/hooks", description="ERP")
    assert command(db, demo.id, add, out=lines.append) == 0
    secret = count(db, "select count(*) from webhook_endpoint where url = 'https://erp.example.it/hooks'")
    assert secret == 1
    stored = db.execute(sa.text("select secret from webhook_endpoint where url = 'https://erp.example.it/hooks'"))
    value = stored.scalar_one()
    assert value.startswith("whsec_") and any(value in line for line in lines)
    listed: list[str] = []
    command(db, demo.id, argparse.Namespace(action="list"), out=listed.append)
    assert any("https://erp.example.it/hooks" in line for line in listed)
    assert not any(value in line for line in listed)


def test_the_command_refuses_wrong_arguments():
    with pytest.raises(SystemExit) as exit_info:
        command_main(["webhooks", "add"])
    assert exit_info.value.code == 2
