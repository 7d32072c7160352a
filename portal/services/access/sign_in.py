"""The end of a login: a one-time ticket becomes the session the browser keeps as an HttpOnly cookie.

The page's state never holds the session token: it hands the browser a ticket (two_factor.sign_in_ticket),
the browser posts it to /api/sessione, and this module opens the session there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session, select

from portal.models import UserSession
from portal.services.access import two_factor
from portal.services.access.accounts import complete_login
from portal.services.access.sessions import (
    SessionPolicy,
    close_session,
    open_session,
    resolve_session,
    token_digest,
)
from portal.services.common import audit


@dataclasses.dataclass(frozen=True)
class OpenedSession:
    token: str
    language: str


def open_from_ticket(
    *,
    session: Session,
    ticket: str,
    now: dt.datetime,
    policy: SessionPolicy,
    client_ip: str = "",
    user_agent: str = "",
    previous_token: str = "",
) -> OpenedSession | None:
    """A new session for the ticket's user (never the one the browser had), or None for a used,
    expired or unknown ticket."""
    user = two_factor.redeem_sign_in_ticket(session=session, ticket=ticket, now=now)
    if user is None or not user.is_active:
        return None
    if previous_token:
        close_session(session=session, token=previous_token, now=now)
    token = open_session(session=session, user=user, now=now, policy=policy, client_ip=client_ip, user_agent=user_agent)
    opened = session.exec(select(UserSession.id).where(UserSession.token_hash == token_digest(token))).one()
    complete_login(session=session, user=user, now=now, client_ip=client_ip, user_agent=user_agent, session_id=opened)
    return OpenedSession(token=token, language=user.language.value)


def sign_out(
    *, session: Session, token: str, now: dt.datetime, policy: SessionPolicy, client_ip: str = "", hashed: bool = False
) -> None:
    """End the session behind the token (its digest when `hashed`), with an audit record when it was still open."""
    user = resolve_session(session=session, token=token, now=now, policy=policy, touch=False, hashed=hashed)
    if close_session(session=session, token=token, now=now, hashed=hashed) and user is not None:
        audit.record_by(session, "logout", user, client_ip=client_ip)
