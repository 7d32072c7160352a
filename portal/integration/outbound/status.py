"""Status changes sent by the core system (POST /api/v1/requests/{code}/status): made exactly as a
service-desk answer (tickets.service_desk_update), so the customer gets the bell notice and the
e-mail, by the tenant's core-system account (account.py).

Rules. The status is one the desk sets: in_progress, waiting_customer, resolved or rejected
(`submitted` is only the state a customer's submission creates). As on the desk, any of them may
follow any other (a resolved request may be reopened). A message to the customer is optional, at
most MAX_MESSAGE characters. The same status with no message changes nothing. A `reference` (the
core system's id of the change) makes a retried call harmless: a second call with a reference
already used on that request changes nothing and answers `duplicate`. An unknown code and another
tenant's request are the same NotFound; every refusal changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from portal.integration.outbound import events
from portal.integration.outbound.account import core_system_account
from portal.integration.outbound.errors import InvalidInput, NotFound
from portal.models import ServiceRequest
from portal.models.enums import RequestStatus
from portal.models.outbound import RequestEvent
from portal.services.requests import tickets

SETTABLE = (RequestStatus.IN_PROGRESS, RequestStatus.WAITING_CUSTOMER, RequestStatus.RESOLVED, RequestStatus.REJECTED)
MAX_MESSAGE = 5000  # a thread message's limit, as the desk's answer box
MAX_REFERENCE = 100


def apply_status(
    session: Session,
    *,
    tenant_id: int,
    code: str,
    status: str,
    message: str = "",
    now: dt.datetime,
    public_url: str,
    reference: str | None = None,
) -> dict[str, Any]:
    """Move the tenant's request `code` to `status`, with an optional message to the customer.
    Returns {"code", "status", "changed", "duplicate", "notified" (e-mails queued), "event_ids"}."""
    wanted = RequestStatus.parse(status)
    if wanted not in SETTABLE:
        raise InvalidInput(f"status must be one of {', '.join(s.value for s in SETTABLE)}; not {str(status)[:40]!r}")
    if not isinstance(message, str) or len(message.strip()) > MAX_MESSAGE:
        raise InvalidInput(f"the message is text of at most {MAX_MESSAGE} characters")
    if reference is not None and (not isinstance(reference, str) or not 1 <= len(reference) <= MAX_REFERENCE):
        raise InvalidInput(f"a reference is 1 to {MAX_REFERENCE} characters")
    request = session.exec(
        select(ServiceRequest).where(ServiceRequest.tenant_id == tenant_id, ServiceRequest.code == code)
    ).first()
    if request is None:
        raise NotFound(f"no request {str(code)[:40]}")
    assert wanted is not None
    answer = {"code": request.code, "status": request.status.value, "changed": False, "duplicate": False}
    if reference is not None and _used(session, request, reference):
        return answer | {"duplicate": True, "notified": 0, "event_ids": []}
    if wanted == request.status and not message.strip():
        return answer | {"notified": 0, "event_ids": []}
    mark = events.last_number(session, tenant_id)
    with events.referenced(session, reference):
        notified = tickets.service_desk_update(
            session=session,
            request=request,
            operator=core_system_account(session, tenant_id),
            body=message,
            status=wanted,
            now=now,
            public_url=public_url,
        )
    written = session.exec(
        select(RequestEvent.seq)
        .where(RequestEvent.request_id == request.id, col(RequestEvent.seq) > mark)
        .order_by(col(RequestEvent.seq))
    ).all()
    return answer | {"status": request.status.value, "changed": True, "notified": notified, "event_ids": list(written)}


def _used(session: Session, request: ServiceRequest, reference: str) -> bool:
    return (
        session.exec(
            select(RequestEvent.id).where(RequestEvent.request_id == request.id, RequestEvent.reference == reference)
        ).first()
        is not None
    )
