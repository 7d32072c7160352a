"""Webhooks: each request event pushed to the tenant's active endpoints, signed, retried.

A delivery row is written with its event (same transaction): the body is fixed then, so every
attempt sends the same bytes. The body is signed with the endpoint's secret (HMAC-SHA256 of
"<unix time>.<body>", header X-Portal-Signature: t=<unix time>,v1=<hex>), and the event number goes
in X-Portal-Event-Id so the receiver can drop a repeat. A 2xx answer is delivered; anything else (an
error status, a redirect, no answer within TIMEOUT) is retried after RETRY_DELAYS, and the delivery
is given up after MAX_ATTEMPTS. Each delivery is taken by one sender at a time (a conditional
UPDATE, as the mail outbox does), with no transaction open while the endpoint is called; a sender
that dies leaves its claim to expire after CLAIM_FOR. On PostgreSQL a job sends each delivery once
its transaction commits, and a periodic job sends what is due again (portal/jobs/tasks.py); with
SQLite the app's background loop does (portal/jobs/embedded.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Callable
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from portal.db import session_scope
from portal.integration.outbound.document import event_data, iso, request_data
from portal.integration.outbound.errors import InvalidInput, NotFound
from portal.models import ServiceRequest
from portal.models.outbound import RequestEvent, WebhookDelivery, WebhookEndpoint
from portal.services.common import clock
from portal.services.common.mail_sender import Sessions

# After the n-th failed attempt the next waits RETRY_DELAYS[n - 1]: about 14 hours and a half in all.
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT = httpx.Timeout(10.0, connect=5.0)  # a receiver should answer at once and work afterwards
CLAIM_FOR = dt.timedelta(minutes=2)  # longer than any attempt can last
BATCH = 100
SIGNATURE_HEADER = "X-Portal-Signature"
EVENT_ID_HEADER = "X-Portal-Event-Id"
USER_AGENT = "portal-webhooks/1"

# After a commit that wrote deliveries, the app's own sender (SQLite) is woken.
wake = threading.Event()
# Called with every delivery written, in the caller's transaction: on PostgreSQL portal/jobs adds
# the job that sends it there, so the job exists exactly when the delivery does.
enqueue_hooks: list[Callable[[Session, WebhookDelivery], None]] = []


# Signing ------------------------------------------------------------------------------------------


def body_of(payload: dict[str, Any]) -> bytes:
    """The bytes sent: compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# Endpoints ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class EndpointRow:
    id: int
    url: str
    description: str
    is_active: bool
    created_at: dt.datetime
    disabled_at: dt.datetime | None


def _checked_url(url: str) -> str:
    url = url.strip()
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise InvalidInput(f"not a URL: {error}") from error
    if parsed.scheme not in ("http", "https") or not parsed.host or len(url) > 500 or parsed.userinfo:
        raise InvalidInput("the URL must be http:// or https://, name a host, hold no password, at most 500 characters")
    return url


def add_endpoint(
    session: Session, *, tenant_id: int, url: str, description: str = "", now: dt.datetime | None = None
) -> tuple[EndpointRow, str]:
    """A new active endpoint and its secret (shown once to the operator, who gives it to the receiver)."""
    endpoint = WebhookEndpoint(
        tenant_id=tenant_id,
        url=_checked_url(url),
        secret=f"whsec_{secrets.token_urlsafe(32)}",
        description=description.strip()[:200],
        created_at=now or clock.now(),
    )
    session.add(endpoint)
    session.flush()
    return _endpoint_row(endpoint), endpoint.secret


def _endpoint_row(endpoint: WebhookEndpoint) -> EndpointRow:
    return EndpointRow(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        is_active=endpoint.is_active,
        created_at=endpoint.created_at,
        disabled_at=endpoint.disabled_at,
    )


def list_endpoints(session: Session, *, tenant_id: int) -> list[EndpointRow]:
    rows = session.exec(
        select(WebhookEndpoint).where(WebhookEndpoint.tenant_id == tenant_id).order_by(col(WebhookEndpoint.id))
    ).all()
    return [_endpoint_row(row) for row in rows]


def disable_endpoint(session: Session, *, tenant_id: int, endpoint_id: int, now: dt.datetime | None = None) -> int:
    """Stop pushing to the endpoint; its deliveries still waiting are given up. How many were."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.tenant_id != tenant_id:
        raise NotFound(f"no webhook endpoint {endpoint_id}")
    moment = now or clock.now()
    endpoint.is_active, endpoint.disabled_at = False, endpoint.disabled_at or moment
    session.add(endpoint)
    dropped = session.execute(
        sa.update(WebhookDelivery)
        .where(
            col(WebhookDelivery.endpoint_id) == endpoint_id,
            col(WebhookDelivery.delivered_at).is_(None),
            col(WebhookDelivery.given_up_at).is_(None),
        )
        .values(given_up_at=moment, last_error="endpoint disabled")
        .execution_options(synchronize_session=False)
    )
    return dropped.rowcount  # pyright: ignore[reportAttributeAccessIssue]


# Deliveries written with their event ------------------------------------------------------------------


def enqueue_event(*, session: Session, event: RequestEvent, request: ServiceRequest) -> list[WebhookDelivery]:
    """One delivery per active endpoint of the tenant, in the event's transaction."""
    endpoints = session.exec(
        select(WebhookEndpoint.id).where(
            WebhookEndpoint.tenant_id == event.tenant_id, col(WebhookEndpoint.is_active).is_(True)
        )
    ).all()
    if not endpoints:
        return []
    payload = {"event": event_data(event, request.code), "request": request_data(session, request)}
    now = clock.now()
    rows = [
        WebhookDelivery(
            tenant_id=event.tenant_id,
            endpoint_id=endpoint_id,
            event_id=event.id,
            event_seq=event.seq,
            event_kind=event.kind,
            request_code=request.code,
            payload=payload,
            next_attempt_at=now,
            created_at=now,
        )
        for endpoint_id in endpoints
    ]
    session.add_all(rows)
    session.flush()
    for row in rows:
        for hook in enqueue_hooks:
            hook(session, row)
    if not sa_event.contains(session, "after_commit", _wake):
        sa_event.listen(session, "after_commit", _wake)
    return rows


def _wake(_session: Session) -> None:
    wake.set()


# Sending ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    given_up: int = 0


@dataclasses.dataclass(frozen=True)
class _Attempt:
    url: str
    secret: str
    body: bytes
    event_seq: int
    event_kind: str
    delivery_id: int
    attempt: int


def _free_for(owner: str, now: dt.datetime):
    return sa.or_(
        col(WebhookDelivery.claimed_until).is_(None),
        col(WebhookDelivery.claimed_until) < now,
        col(WebhookDelivery.claimed_by) == owner,
    )


def _waiting(now: dt.datetime):
    """Not delivered, not given up, due, to an endpoint still active."""
    active = select(WebhookEndpoint.id).where(col(WebhookEndpoint.is_active).is_(True))
    return (
        col(WebhookDelivery.delivered_at).is_(None),
        col(WebhookDelivery.given_up_at).is_(None),
        col(WebhookDelivery.next_attempt_at) <= now,
        col(WebhookDelivery.endpoint_id).in_(active),
    )


def _claim(session: Session, delivery_id: int, now: dt.datetime, owner: str) -> _Attempt | None:
    taken = session.execute(
        sa.update(WebhookDelivery)
        .where(col(WebhookDelivery.id) == delivery_id, *_waiting(now), _free_for(owner, now))
        .values(claimed_until=now + CLAIM_FOR, claimed_by=owner)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # pyright: ignore[reportAttributeAccessIssue]
        return None
    delivery = session.exec(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)).one()
    endpoint = session.exec(select(WebhookEndpoint).where(WebhookEndpoint.id == delivery.endpoint_id)).one()
    return _Attempt(
        url=endpoint.url,
        secret=endpoint.secret,
        body=body_of(delivery.payload),
        event_seq=delivery.event_seq,
        event_kind=delivery.event_kind,
        delivery_id=delivery.id,
        attempt=delivery.attempts + 1,
    )


def _post(attempt: _Attempt, now: dt.datetime) -> tuple[int | None, str]:
    """(status code or None, error); no error when the receiver answered 2xx."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature(attempt.secret, int(now.timestamp()), attempt.body),
        EVENT_ID_HEADER: str(attempt.event_seq),
        "X-Portal-Event-Type": attempt.event_kind,
        "X-Portal-Delivery-Id": str(attempt.delivery_id),
        "X-Portal-Delivery-Attempt": str(attempt.attempt),
    }
    try:
        response = httpx.post(attempt.url, content=attempt.body, headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"HTTP {response.status_code}"


def _record(session: Session, delivery_id: int, outcome: tuple[int | None, str], now: dt.datetime) -> str:
    status_code, error = outcome
    row = session.exec(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)).one()
    row.attempts += 1
    row.last_attempt_at, row.last_status_code, row.last_error = now, status_code, error or None
    row.claimed_until = row.claimed_by = None
    if not error:
        row.delivered_at, result = now, "delivered"
    elif row.attempts < MAX_ATTEMPTS:
        row.next_attempt_at, result = now + RETRY_DELAYS[row.attempts - 1], "retrying"
    else:
        row.given_up_at, result = now, "given_up"
    session.add(row)
    return result


def deliver_one(
    delivery_id: int,
    *,
    owner: str,
    sessions: Sessions = session_scope,
    now: Callable[[], dt.datetime] | None = None,
) -> str | None:
    """One attempt at a due delivery: "delivered", "retrying" or "given_up"; None when there was
    nothing for this sender to do (delivered, given up, not yet due, or another sender holds it)."""
    moment = now or clock.now
    with sessions() as session:
        attempt = _claim(session, delivery_id, moment(), owner)
    if attempt is None:
        return None
    outcome = _post(attempt, moment())
    with sessions() as session:
        return _record(session, delivery_id, outcome, moment())


def deliver_due(
    *,
    sessions: Sessions = session_scope,
    now: Callable[[], dt.datetime] | None = None,
    limit: int = BATCH,
    owner: str | None = None,
) -> DeliveryReport:
    """Attempt every delivery that is due (up to `limit`), oldest first."""
    moment = now or clock.now
    owner = owner or f"sender:{secrets.token_hex(8)}"
    with sessions() as session:
        due = session.exec(
            select(WebhookDelivery.id)
            .where(*_waiting(moment()), _free_for(owner, moment()))
            .order_by(col(WebhookDelivery.id))
            .limit(limit)
        ).all()
    report = DeliveryReport()
    for delivery_id in due:
        result = deliver_one(delivery_id, owner=owner, sessions=sessions, now=moment)
        if result is not None:
            setattr(report, result, getattr(report, result) + 1)
    return report


# The delivery log ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DeliveryRow:
    """One delivery as an operator page shows it."""

    id: int
    endpoint_id: int
    endpoint_url: str
    event_id: int
    event_type: str
    request_code: str
    state: str  # waiting, retrying, delivered, given_up
    attempts: int
    last_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: dt.datetime | None  # None once delivered or given up
    delivered_at: dt.datetime | None
    given_up_at: dt.datetime | None
    created_at: dt.datetime


def _state(row: WebhookDelivery) -> str:
    if row.delivered_at is not None:
        return "delivered"
    if row.given_up_at is not None:
        return "given_up"
    return "retrying" if row.attempts else "waiting"


def deliveries(session: Session, *, tenant_id: int, limit: int = 100) -> list[DeliveryRow]:
    """The tenant's latest deliveries, newest first."""
    rows = session.exec(
        select(WebhookDelivery, WebhookEndpoint.url)
        .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.tenant_id == tenant_id)
        # the whole request: the log never shows it (sqlmodel types the column as its value)
        .options(defer(WebhookDelivery.payload))  # pyright: ignore[reportArgumentType]
        .order_by(col(WebhookDelivery.id).desc())
        .limit(max(1, min(limit, 1000)))
    ).all()
    return [
        DeliveryRow(
            id=row.id,
            endpoint_id=row.endpoint_id,
            endpoint_url=url,
            event_id=row.event_seq,
            event_type=row.event_kind,
            request_code=row.request_code,
            state=_state(row),
            attempts=row.attempts,
            last_attempt_at=row.last_attempt_at,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            next_attempt_at=None if row.delivered_at or row.given_up_at else row.next_attempt_at,
            delivered_at=row.delivered_at,
            given_up_at=row.given_up_at,
            created_at=row.created_at,
        )
        for row, url in rows
    ]


def describe(row: DeliveryRow) -> str:
    """One line of the delivery log, for the command line."""
    when = iso(row.delivered_at or row.given_up_at or row.last_attempt_at or row.created_at)
    status = "-" if row.last_status_code is None else str(row.last_status_code)
    return (
        f"{row.id:>6} {when} event {row.event_id} {row.event_type} {row.request_code} -> {row.endpoint_url}: "
        f"{row.state}, {row.attempts} attempt(s), last {status}{'' if not row.last_error else ' ' + row.last_error}"
    )
