"""The requests feed the core system reads (GET /api/v1/requests), its acknowledgements
(POST /api/v1/requests/ack) and the attachments' bytes (GET /api/v1/requests/{code}/attachments/{id}).

The feed is the tenant's event log (events.py) read by number. A cursor is the decimal string of
an event number: "the events after this one". A page holds up to `limit` events after the cursor,
in order, and every request they touched, as it stands now; `next_cursor` is the number of the
page's last event (the cursor itself when the page is empty), so reading on from it skips nothing
and repeats nothing.

Acknowledgement. Each consumer (a name; "core" unless told) has an acknowledged number, 0 at
first: it has taken every event up to that one. By default the feed returns only events after
max(since, acknowledged), so a consumer that reads without a cursor starts where it last
acknowledged; one that crashed after reading and before acknowledging gets the same events again.
Acknowledging a cursor sets the number to it; it never goes back (acknowledging an older cursor
changes nothing), and a cursor past the last event there is is refused. `replay=True` reads after
`since` whatever was acknowledged (to rebuild the core system's copy).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal.integration.outbound.document import event_data, iso, requests_data
from portal.integration.outbound.errors import InvalidInput, NotFound
from portal.integration.outbound.events import last_number
from portal.models import RequestAttachment, ServiceRequest
from portal.models.outbound import OutboundConsumer, RequestEvent
from portal.services.common import clock
from portal.services.requests import attachments as files

DEFAULT_CONSUMER = "core"
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_CONSUMER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}")
_CURSOR = re.compile(r"0|[1-9][0-9]{0,17}")


def parse_cursor(value: str) -> int:
    if not isinstance(value, str) or not _CURSOR.fullmatch(value.strip()):
        raise InvalidInput(f'not a cursor: {str(value)[:40]!r} (a cursor is the decimal number of an event, e.g. "42")')
    return int(value.strip())


def _checked_consumer(name: str) -> str:
    if not isinstance(name, str) or not _CONSUMER.fullmatch(name):
        raise InvalidInput("a consumer name is 1 to 60 letters, digits, dots, dashes or underscores")
    return name


def _consumer(session: Session, tenant_id: int, name: str) -> OutboundConsumer | None:
    return session.exec(
        select(OutboundConsumer).where(OutboundConsumer.tenant_id == tenant_id, OutboundConsumer.name == name)
    ).first()


def acknowledged(session: Session, *, tenant_id: int, consumer: str = DEFAULT_CONSUMER) -> int:
    found = _consumer(session, tenant_id, _checked_consumer(consumer))
    return found.acked_seq if found else 0


def feed(
    session: Session,
    *,
    tenant_id: int,
    since: str | None = None,
    limit: int = DEFAULT_LIMIT,
    consumer: str = DEFAULT_CONSUMER,
    replay: bool = False,
) -> dict[str, Any]:
    """A page of the feed (see the module's docstring): JSON-ready data."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    asked = parse_cursor(since) if since is not None else 0
    done = acknowledged(session, tenant_id=tenant_id, consumer=consumer)
    after = asked if replay else max(asked, done)
    rows = session.exec(
        select(RequestEvent)
        .where(RequestEvent.tenant_id == tenant_id, col(RequestEvent.seq) > after)
        .order_by(col(RequestEvent.seq))
        .limit(limit + 1)
    ).all()
    page, more = rows[:limit], len(rows) > limit
    requests = {
        request.id: request
        for request in session.exec(
            select(ServiceRequest).where(
                ServiceRequest.tenant_id == tenant_id, col(ServiceRequest.id).in_({e.request_id for e in page})
            )
        ).all()
    }
    order = list(dict.fromkeys(event.request_id for event in page))  # first touched first
    return {
        "consumer": consumer,
        "acknowledged": str(done),
        "cursor": str(after),
        "next_cursor": str(page[-1].seq if page else after),
        "has_more": more,
        "events": [event_data(event, requests[event.request_id].code) for event in page],
        "requests": requests_data(session, [requests[request_id] for request_id in order]),
    }


def acknowledge(
    session: Session,
    *,
    tenant_id: int,
    cursor: str,
    consumer: str = DEFAULT_CONSUMER,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Record that `consumer` has taken every event up to `cursor` (see the module's docstring)."""
    name = _checked_consumer(consumer)
    number = parse_cursor(cursor)
    last = last_number(session, tenant_id)
    if number > last:
        raise InvalidInput(f"cursor {number} is past the last event ({last}): acknowledge a next_cursor the feed gave")
    row = _consumer(session, tenant_id, name)
    if row is None:
        try:  # two first acknowledgements at once: the second updates the first's row
            with session.begin_nested():
                row = OutboundConsumer(tenant_id=tenant_id, name=name, acked_seq=0)
                session.add(row)
                session.flush()
        except IntegrityError:
            row = _consumer(session, tenant_id, name)
            assert row is not None
    previous = row.acked_seq
    if number > previous:
        # A conditional update: of two acknowledgements at once, the higher number stays.
        session.execute(
            sa.update(OutboundConsumer)
            .where(col(OutboundConsumer.id) == row.id, col(OutboundConsumer.acked_seq) < number)
            .values(acked_seq=number, acked_at=now or clock.now())
            .execution_options(synchronize_session=False)
        )
        session.refresh(row)
    return {
        "consumer": name,
        "acknowledged": str(row.acked_seq),
        "previous": str(previous),
        "acked_at": iso(row.acked_at),
    }


@dataclasses.dataclass(frozen=True)
class AttachmentFile:
    """A request's file for the core system: stream `path` (it may be a 200 MB video)."""

    id: int
    request_code: str
    name: str
    content_type: str
    size: int
    sha256: str
    path: Path


def attachment(session: Session, *, tenant_id: int, code: str, attachment_id: int) -> AttachmentFile:
    """The file `attachment_id` of the tenant's request `code`; NotFound for anything else
    (another tenant's request, a file of another request, a file missing from the disk)."""
    request = session.exec(
        select(ServiceRequest).where(ServiceRequest.tenant_id == tenant_id, ServiceRequest.code == code)
    ).first()
    row = session.get(RequestAttachment, attachment_id) if request is not None else None
    if request is None or row is None or row.request_id != request.id:
        raise NotFound(f"no attachment {attachment_id} of request {code}")
    path = files.path_of(row.storage_key)
    if not path.is_file():
        raise NotFound(f"the file of attachment {attachment_id} is missing")
    return AttachmentFile(
        id=row.id,
        request_code=request.code,
        name=row.display_name,
        content_type=row.content_type,
        size=row.size_bytes,
        sha256=row.sha256,
        path=path,
    )
