"""The access log: an account's own sign-ins, successful and failed, newest first, with the device
(from the browser's User-Agent) and the place where the IP tells one without any lookup.

No geolocation database ships with the portal and nothing is downloaded at run time: an address in
a private, loopback or link-local range is named as such, any other is shown as it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session, col, select
from ua_parser import parse

from portal.models import AuditEvent, UserSession

SUCCESS = "login.success"
# A wrong password, a locked account, an expired temporary password, a wrong second-factor code.
FAILURES = ("login.failure", "login.refused_locked", "login.temporary_password_expired", "otp.failed")
KEEP_MONTHS = 12


@dataclasses.dataclass(frozen=True)
class Device:
    browser: str  # "Firefox 121", "" when unknown
    system: str  # "Windows 10", "" when unknown


@dataclasses.dataclass(frozen=True)
class SignInEvent:
    event_id: int
    at: dt.datetime
    success: bool
    reason: str  # the audit action
    client_ip: str
    private_network: bool  # a private, loopback or link-local address: no public place to tell
    browser: str
    system: str
    user_agent: str
    current: bool  # the event that opened the session asking


@lru_cache(maxsize=512)
def device_of(user_agent: str) -> Device:
    if not user_agent:
        return Device("", "")
    result = parse(user_agent[:300])
    browser = system = ""
    if result.user_agent is not None and result.user_agent.family != "Other":
        browser = " ".join(part for part in (result.user_agent.family, result.user_agent.major or "") if part)
    if result.os is not None and result.os.family != "Other":
        system = " ".join(part for part in (result.os.family, result.os.major or "") if part)
    return Device(browser, system)


def is_private_network(client_ip: str) -> bool:
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


def since(now: dt.datetime) -> dt.datetime:
    """The start of the window the access log covers (twelve months back)."""
    return now - dt.timedelta(days=365)


def _condition(user_ids: list[int], start: dt.datetime) -> list[sa.ColumnElement[bool]]:
    return [
        col(AuditEvent.user_id).in_(user_ids),
        col(AuditEvent.action).in_((SUCCESS, *FAILURES)),
        col(AuditEvent.created_at) >= start,
    ]


def current_session_id(*, session: Session, session_digest: str) -> int | None:
    """The id of the session whose token has this SHA-256 (the state holds only the digest)."""
    if not session_digest:
        return None
    return session.exec(select(UserSession.id).where(UserSession.token_hash == session_digest)).first()


def _as_event(event: AuditEvent, current_session: int | None) -> SignInEvent:
    device = device_of(event.user_agent)
    opened = (event.detail or {}).get("session_id") if isinstance(event.detail, dict) else None
    return SignInEvent(
        event_id=event.id,
        at=event.created_at,
        success=event.action == SUCCESS,
        reason=event.action,
        client_ip=event.client_ip,
        private_network=is_private_network(event.client_ip),
        browser=device.browser,
        system=device.system,
        user_agent=event.user_agent,
        current=current_session is not None and opened == current_session,
    )


def sign_ins(
    *,
    session: Session,
    user_id: int,
    now: dt.datetime,
    offset: int = 0,
    limit: int = 20,
    session_digest: str = "",
) -> tuple[list[SignInEvent], int]:
    """One page of the account's sign-ins of the last twelve months, newest first, and how many in all."""
    conditions = _condition([user_id], since(now))
    total = int(session.exec(select(sa.func.count(col(AuditEvent.id))).where(*conditions)).one())
    rows = session.exec(
        select(AuditEvent)
        .where(*conditions)
        .order_by(col(AuditEvent.created_at).desc(), col(AuditEvent.id).desc())
        .offset(max(0, offset))
        .limit(limit)
    ).all()
    current = current_session_id(session=session, session_digest=session_digest)
    return [_as_event(row, current) for row in rows], total


def sign_ins_of(*, session: Session, user_ids: list[int], now: dt.datetime) -> list[AuditEvent]:
    """Every sign-in event of these accounts in the last twelve months, oldest first (the export)."""
    return list(
        session.exec(
            select(AuditEvent)
            .where(*_condition(user_ids, since(now)))
            .order_by(col(AuditEvent.created_at), col(AuditEvent.id))
        ).all()
    )
