"""Writing to the audit log."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlmodel import Session

from portal.models import AuditEvent

logger = logging.getLogger(__name__)


def record(
    *,
    session: Session,
    action: str,
    tenant_id: int | None = None,
    user_id: int | None = None,
    customer_id: int | None = None,
    client_ip: str = "",
    user_agent: str = "",
    **detail: Any,
) -> AuditEvent:
    event = AuditEvent(
        tenant_id=tenant_id,
        user_id=user_id,
        customer_id=customer_id,
        action=action,
        detail=detail,
        client_ip=client_ip[:64],
        user_agent=user_agent[:300],
    )
    session.add(event)
    # One log line per audited event (issue 13): what and whose, as ids; the details never hold a
    # secret (names, counts, reasons), and portal/logs.py blanks anything named like one anyway.
    logger.info(
        "audit %s tenant=%s user=%s customer=%s detail=%s",
        action,
        tenant_id,
        user_id,
        customer_id,
        json.dumps(detail, default=str, sort_keys=True),
    )
    return event


def record_by(
    session: Session, action: str, user: Any, client_ip: str = "", user_agent: str = "", **detail: Any
) -> AuditEvent:
    """An event of one account (who did it, or to whom it was done): its tenant, id and customer."""
    return record(
        session=session,
        action=action,
        tenant_id=user.tenant_id,
        user_id=user.id,
        customer_id=user.customer_id,
        client_ip=client_ip,
        user_agent=user_agent,
        **detail,
    )
