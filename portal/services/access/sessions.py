"""Server-side sessions: a random token in the browser, its SHA-256 in the database.

The token is the credential, so it comes from `secrets` (256 bits), never from Reflex's client
token. A session ends when revoked, after `idle` without activity, or `absolute` after login.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import http.cookies
import secrets

from sqlmodel import Session, col, select

from portal.config import settings
from portal.models import Customer, UserAccount, UserSession

# The session cookie is HttpOnly: set and cleared by HTTP routes (portal/api.py), never by page
# scripts, and read by the app's states from the headers of the browser's connection.
SESSION_COOKIE = "portal_session"
LANGUAGE_COOKIE = "portal_lang"

# Writing last_seen_at on every event would turn each click into a write; a minute of slack
# is far below the idle timeout.
TOUCH_INTERVAL = dt.timedelta(seconds=60)


@dataclasses.dataclass(frozen=True)
class SessionPolicy:
    idle: dt.timedelta
    absolute: dt.timedelta

    @classmethod
    def from_minutes(cls, *, idle_minutes: int, absolute_hours: int) -> SessionPolicy:
        return cls(idle=dt.timedelta(minutes=idle_minutes), absolute=dt.timedelta(hours=absolute_hours))


SESSION_POLICY = SessionPolicy.from_minutes(
    idle_minutes=settings.session_idle_minutes, absolute_hours=settings.session_absolute_hours
)


def cookie_value(header: str, name: str) -> str:
    """The value of cookie `name` in a raw Cookie header ("" when absent or unreadable)."""
    cookies = http.cookies.SimpleCookie()
    try:
        cookies.load(header or "")
    except http.cookies.CookieError:
        return ""
    morsel = cookies.get(name)
    return morsel.value if morsel else ""


def token_from_cookie_header(header: str) -> str:
    """The session token in a raw Cookie header ("" when absent or unreadable)."""
    return cookie_value(header, SESSION_COOKIE)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(
    *,
    session: Session,
    user: UserAccount,
    now: dt.datetime,
    policy: SessionPolicy,
    client_ip: str = "",
    user_agent: str = "",
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=token_digest(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + policy.absolute,
            client_ip=client_ip[:64],
            user_agent=user_agent[:300],
        )
    )
    session.flush()
    return token


def _live_row(session: Session, token: str, hashed: bool = False) -> UserSession | None:
    """`hashed`: `token` is already the token's digest, as the app's states receive it (they never
    see the token itself: portal/web/session_digest.py)."""
    if not token:
        return None
    digest = token if hashed else token_digest(token)
    return session.exec(select(UserSession).where(UserSession.token_hash == digest)).first()


def _live_row_and_user(session: Session, token: str, hashed: bool) -> UserSession | None:
    """The session row, its user and the user's customer in one query: every guarded event asks
    for all three (resolve_session, then principal_for), which then come from the session's
    identity map instead of two more round trips (issue 13). The identity map holds its objects
    weakly: the session's `info` keeps them for as long as the session lives."""
    if not token:
        return None
    digest = token if hashed else token_digest(token)
    found = session.exec(
        select(UserSession, UserAccount, Customer)
        .join(UserAccount, col(UserAccount.id) == col(UserSession.user_id))
        .outerjoin(Customer, col(Customer.id) == col(UserAccount.customer_id))
        .where(UserSession.token_hash == digest)
    ).first()
    if found is None:
        return None
    session.info["portal_signed_in"] = tuple(found)
    return found[0]


def resolve_session(
    *, session: Session, token: str, now: dt.datetime, policy: SessionPolicy, touch: bool = True, hashed: bool = False
) -> UserAccount | None:
    """The user behind a token, or None when the session is unknown, ended or expired.

    `touch=False` for requests the user did not make (a timer refreshing the bell): they must not
    keep an abandoned session alive past its idle limit."""
    row = _live_row_and_user(session, token, hashed)
    if row is None or row.revoked_at is not None:
        return None
    if now >= row.expires_at or now - row.last_seen_at >= policy.idle:
        row.revoked_at = now
        session.add(row)
        return None
    user = session.get(UserAccount, row.user_id)
    if user is None or not user.is_active:
        return None
    if touch and now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
        session.add(row)
    return user


def keep_alive(*, session: Session, token: str, now: dt.datetime, policy: SessionPolicy, hashed: bool = False) -> bool:
    """The user is at the keyboard: the idle clock starts again now, not at the next minute, so the
    page's warning and the server agree on when the session ends. False when it has already ended."""
    if resolve_session(session=session, token=token, now=now, policy=policy, touch=False, hashed=hashed) is None:
        return False
    row = _live_row(session, token, hashed)
    if row is None:
        return False
    row.last_seen_at = now
    session.add(row)
    return True


def _unrevoked_row(session: Session, token: str, hashed: bool) -> UserSession | None:
    row = _live_row(session, token, hashed)
    return None if row is None or row.revoked_at is not None else row


def _stamp(session: Session, token: str, hashed: bool, *, field: str, now: dt.datetime) -> bool:
    """Write `now` into `field` of the session's unrevoked row; False when there is none."""
    row = _unrevoked_row(session, token, hashed)
    if row is None:
        return False
    setattr(row, field, now)
    session.add(row)
    return True


def close_session(*, session: Session, token: str, now: dt.datetime, hashed: bool = False) -> bool:
    return _stamp(session, token, hashed, field="revoked_at", now=now)


def close_all_sessions(
    *, session: Session, user_id: int, now: dt.datetime, except_token_hash: str | None = None
) -> int:
    query = select(UserSession).where(UserSession.user_id == user_id, col(UserSession.revoked_at).is_(None))
    if except_token_hash:
        query = query.where(UserSession.token_hash != except_token_hash)
    rows = session.exec(query).all()
    for row in rows:
        row.revoked_at = now
        session.add(row)
    return len(rows)


# --- issue 11 (S1b): re-authentication, remembered on the session row (never in the page's state) ---

REAUTH_WINDOW = dt.timedelta(minutes=5)


def mark_reauthenticated(*, session: Session, token: str, now: dt.datetime, hashed: bool = False) -> bool:
    """Password and second factor were given again in this session: remember when."""
    return _stamp(session, token, hashed, field="reauthenticated_at", now=now)


def reauthenticated_recently(
    *, session: Session, token: str, now: dt.datetime, within: dt.timedelta = REAUTH_WINDOW, hashed: bool = False
) -> bool:
    """True when this session re-authenticated less than `within` ago (changes of the primary
    e-mail, the authenticator and the IBAN need it)."""
    row = _unrevoked_row(session, token, hashed)
    if row is None or row.reauthenticated_at is None:
        return False
    return now - row.reauthenticated_at < within
