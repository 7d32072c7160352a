"""The requests' event log: every change of a request (opened, a message with its files, a status
change) writes one event in the change's own transaction, so an event exists exactly when its
change has committed. The services that change requests (services/requests/tickets.py) call
`record`; the feed reads the log by number and the webhooks push each event.

Numbering. The cursor of the feed is the tenant's event number (`seq`). A database sequence would
not do on PostgreSQL: numbers are taken when a row is inserted, not when it commits, so a reader
could see number 11 committed, move its cursor past it, and never see number 10 committed a moment
later; timestamps have the same flaw. Each number is instead taken by updating the tenant's row of
`outbound_sequence`, whose lock is held until the transaction ends: a second writer of the same
tenant waits there until the first has committed (or rolled back, giving its number back). The
numbers are thus committed in order, with no gap, and a cursor never skips an event. The wait is
short (the rest of a request's transaction: a few inserts and the e-mails written to the outbox),
and writers of other tenants never wait. SQLite serialises all writers anyway.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal.integration.outbound import webhooks
from portal.integration.outbound.document import actor_of
from portal.models import ServiceRequest, UserAccount
from portal.models.outbound import OutboundSequence, RequestEvent

OPENED = "request.opened"
MESSAGE_ADDED = "request.message_added"
STATUS_CHANGED = "request.status_changed"
KINDS = (OPENED, MESSAGE_ADDED, STATUS_CHANGED)

_REFERENCE = "portal.outbound.reference"  # session.info: the core system's id of the change under way


def take_number(session: Session, tenant_id: int) -> int:
    """The tenant's next event number; the row stays locked until the caller's transaction ends."""
    bump = (
        sa.update(OutboundSequence)
        .where(col(OutboundSequence.tenant_id) == tenant_id)
        .values(last_seq=OutboundSequence.last_seq + 1)
        .execution_options(synchronize_session=False)
    )
    if session.execute(bump).rowcount == 0:  # pyright: ignore[reportAttributeAccessIssue]
        try:  # the tenant's first event: its row, or the row a concurrent first event made
            with session.begin_nested():
                session.add(OutboundSequence(tenant_id=tenant_id, last_seq=0))
                session.flush()
        except IntegrityError:
            pass
        session.execute(bump)
    return session.exec(select(OutboundSequence.last_seq).where(OutboundSequence.tenant_id == tenant_id)).one()


def last_number(session: Session, tenant_id: int) -> int:
    """The last event number committed (or written by this transaction) in the tenant; 0 when none."""
    found = session.exec(select(OutboundSequence.last_seq).where(OutboundSequence.tenant_id == tenant_id)).first()
    return found or 0


@contextlib.contextmanager
def referenced(session: Session, reference: str | None) -> Iterator[None]:
    """The events written meanwhile carry `reference` (the core system's id of its change)."""
    session.info[_REFERENCE] = reference
    try:
        yield
    finally:
        session.info.pop(_REFERENCE, None)


def record(
    session: Session, request: ServiceRequest, kind: str, *, by: UserAccount, now: dt.datetime, **detail: Any
) -> RequestEvent:
    """Write the event of a change already made to `request` in this session, and its webhook
    deliveries (which carry the request as it stands now)."""
    session.flush()  # the change first: the number's lock is then held only for the rest of the transaction
    event = RequestEvent(
        tenant_id=request.tenant_id,
        seq=take_number(session, request.tenant_id),
        request_id=request.id,
        kind=kind,
        actor=actor_of(by),
        detail=detail,
        reference=session.info.get(_REFERENCE),
        created_at=now,
    )
    session.add(event)
    session.flush()
    webhooks.enqueue_event(session=session, event=event, request=request)
    return event
