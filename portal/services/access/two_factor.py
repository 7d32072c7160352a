"""The second factor of a login: a 6-digit code mailed to the user's PEC, or a TOTP code from
an authenticator app.

An e-mailed code is valid 5 minutes, works once, and is stored only as a salted SHA-256 with its
expiry and an attempt counter; after 5 wrong tries the login must start again. A new code may be
asked for every 30 seconds, at most 5 times per login. An authenticator code is accepted one
time-step early or late, and a time-step already used is refused (no replay).

Wrong codes also count against the account across logins (second_factor_limits.py: a growing
wait, then the account is locked). A user of the authenticator app is never offered an e-mailed
code instead: without the phone, one of the recovery codes (recovery_codes.py) replaces it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from pyotp.totp import TOTP as TotpGenerator  # pyotp re-exports it implicitly, which pyright refuses
from sqlmodel import Session, select

from portal.models import LoginChallenge, UserAccount
from portal.services.access import recovery_codes
from portal.services.access.second_factor_limits import (
    clear_failures,
    locked_account,
    record_failure,
    seconds_to_wait,
)
from portal.services.access.sessions import token_digest
from portal.services.common import audit, mail, mail_templates

CODE_TTL = dt.timedelta(minutes=5)
CHALLENGE_TTL = dt.timedelta(minutes=15)
MAX_ATTEMPTS = 5
RESEND_INTERVAL = dt.timedelta(seconds=30)
MAX_SENDS = 5
SIGN_IN_TICKET_TTL = dt.timedelta(seconds=60)
EMAIL = "email"
TOTP = "totp"


class Check(enum.StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"  # the e-mailed code is too old: ask for a new one
    EXHAUSTED = "exhausted"  # too many wrong codes: start the login again
    INVALID = "invalid"  # unknown, closed or timed-out login
    WAIT = "wait"  # too many wrong codes for the account lately: the code was not looked at
    LOCKED = "locked"  # the account is locked (by this failure or before)


class Resend(enum.StrEnum):
    SENT = "sent"
    TOO_SOON = "too_soon"
    TOO_MANY = "too_many"
    INVALID = "invalid"
    NOT_OFFERED = "not_offered"  # the user has the authenticator app: no code by e-mail


@dataclasses.dataclass(frozen=True)
class CheckResult:
    outcome: Check
    user: UserAccount | None = None
    attempts_left: int = 0
    wait_seconds: int = 0  # with WAIT


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _by_handle(session: Session, handle: str) -> LoginChallenge | None:
    if not handle:
        return None
    return session.exec(select(LoginChallenge).where(LoginChallenge.handle_hash == token_digest(handle))).first()


def _live(session: Session, handle: str, now: dt.datetime) -> LoginChallenge | None:
    challenge = _by_handle(session, handle)
    if challenge is None or challenge.closed_at is not None or challenge.verified_at is not None:
        return None
    if now >= challenge.expires_at:
        return None
    return challenge


def _user_of(session: Session, challenge: LoginChallenge) -> UserAccount:
    # Accounts are never deleted (only deactivated): a challenge always names an existing one.
    user = session.get(UserAccount, challenge.user_id)
    if user is None:
        raise LookupError(f"no account {challenge.user_id} for login challenge {challenge.id}")
    return user


def _mail_code(
    session: Session, challenge: LoginChallenge, user: UserAccount, now: dt.datetime, client_ip: str
) -> None:
    code = _new_code()
    challenge.code_salt = secrets.token_hex(8)
    challenge.code_hash = _digest(challenge.code_salt, code)
    challenge.code_expires_at = now + CODE_TTL
    challenge.attempts = 0
    challenge.sends += 1
    challenge.last_sent_at = now
    session.add(challenge)
    minutes = int(CODE_TTL.total_seconds() // 60)
    recipient = mail_templates.recipient_of(session=session, user=user)
    mail.enqueue(session=session, mail=mail_templates.login_code(recipient, code=code, minutes=minutes))
    audit.record_by(session, "otp.sent", user, client_ip=client_ip, method=EMAIL)


def begin(*, session: Session, user: UserAccount, now: dt.datetime, client_ip: str = "") -> tuple[str, str]:
    """Open the second step after a correct password: (handle for the browser, method)."""
    handle = secrets.token_urlsafe(32)
    method = TOTP if user.totp_secret else EMAIL
    challenge = LoginChallenge(
        user_id=user.id,
        handle_hash=token_digest(handle),
        method=method,
        expires_at=now + CHALLENGE_TTL,
        created_at=now,
    )
    session.add(challenge)
    session.flush()
    if method == EMAIL:
        _mail_code(session, challenge, user, now, client_ip)
    return handle, method


def resend(*, session: Session, handle: str, now: dt.datetime, client_ip: str = "") -> tuple[Resend, int]:
    """Mail a new code: (outcome, seconds to wait). Never for a user of the authenticator app."""
    challenge = _live(session, handle, now)
    if challenge is None:
        return Resend.INVALID, 0
    # Under the account's row lock, read afresh: concurrent requests cannot each pass the limits.
    locked_account(session, challenge.user_id)
    session.refresh(challenge)
    if challenge.closed_at is not None or challenge.verified_at is not None:
        return Resend.INVALID, 0
    if challenge.method != EMAIL:
        return Resend.NOT_OFFERED, 0
    if challenge.sends >= MAX_SENDS:
        return Resend.TOO_MANY, 0
    if challenge.last_sent_at and now - challenge.last_sent_at < RESEND_INTERVAL:
        wait = RESEND_INTERVAL - (now - challenge.last_sent_at)
        return Resend.TOO_SOON, max(1, int(wait.total_seconds()))
    user = _user_of(session, challenge)
    if user.totp_secret:  # the app was turned on after this login began
        return Resend.NOT_OFFERED, 0
    _mail_code(session, challenge, user, now, client_ip)
    return Resend.SENT, 0


def _matching_totp_step(secret: str, code: str, now: dt.datetime) -> int | None:
    totp = TotpGenerator(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_totp(*, user: UserAccount, code: str, now: dt.datetime, secret: str | None = None) -> bool:
    """Check an authenticator code and remember its time-step so it cannot be used again."""
    secret = secret or user.totp_secret
    if not secret or not code.isdigit() or len(code) != 6:
        return False
    step = _matching_totp_step(secret, code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def _code_is_valid(
    session: Session, challenge: LoginChallenge, user: UserAccount, code: str, now: dt.datetime, client_ip: str
) -> bool:
    if challenge.method == EMAIL:
        return hmac.compare_digest(_digest(challenge.code_salt or "", code), challenge.code_hash or "")
    if recovery_codes.looks_like_recovery_code(code):
        used = recovery_codes.redeem(session=session, user=user, code=code, now=now)
        if used:
            audit.record_by(session, "recovery_code.used", user, client_ip=client_ip)
        return used
    return verify_totp(user=user, code=code, now=now)


def check(*, session: Session, handle: str, code: str, now: dt.datetime, client_ip: str = "") -> CheckResult:
    """Check the code of a login (an authenticator code or a recovery code for the app's users)."""
    challenge = _live(session, handle, now)
    if challenge is None:
        return CheckResult(Check.INVALID)
    # The account's row lock serialises every code check of this user: the counts below are read
    # and written by one worker at a time (issue 11).
    user = locked_account(session, challenge.user_id)
    session.refresh(challenge)
    if challenge.closed_at is not None or challenge.verified_at is not None:
        return CheckResult(Check.INVALID)
    if user.locked_at is not None or not user.is_active:
        challenge.closed_at = now
        session.add(challenge)
        return CheckResult(Check.LOCKED, user)
    wait = seconds_to_wait(user, now)
    if wait:
        return CheckResult(Check.WAIT, user, MAX_ATTEMPTS - challenge.attempts, wait_seconds=wait)
    code = code.strip().replace(" ", "")
    if challenge.method == EMAIL and (challenge.code_expires_at is None or now >= challenge.code_expires_at):
        audit.record_by(session, "otp.expired", user, client_ip=client_ip)
        return CheckResult(Check.EXPIRED, user)
    if _code_is_valid(session, challenge, user, code, now, client_ip):
        challenge.verified_at = now
        challenge.code_hash = None  # the code can never be used again
        clear_failures(session=session, user=user)
        session.add_all([challenge, user])
        return CheckResult(Check.OK, user)
    challenge.attempts += 1
    audit.record_by(
        session, "otp.failed", user, client_ip=client_ip, method=challenge.method, attempt=challenge.attempts
    )
    if record_failure(session=session, user=user, now=now, client_ip=client_ip):
        challenge.closed_at = now
        session.add(challenge)
        return CheckResult(Check.LOCKED, user)
    if challenge.attempts >= MAX_ATTEMPTS:
        challenge.closed_at = now
        session.add(challenge)
        return CheckResult(Check.EXHAUSTED, user)
    session.add(challenge)
    return CheckResult(Check.WRONG, user, MAX_ATTEMPTS - challenge.attempts, wait_seconds=seconds_to_wait(user, now))


def verified_user(*, session: Session, handle: str, now: dt.datetime, within: dt.timedelta) -> UserAccount | None:
    """The user of a login whose code was accepted less than `within` ago and not yet used to
    open a session (the forced change of a temporary password happens in that window)."""
    challenge = _by_handle(session, handle)
    if challenge is None or challenge.verified_at is None or challenge.closed_at is not None:
        return None
    if now - challenge.verified_at > within:
        return None
    return session.get(UserAccount, challenge.user_id)


def owner_of(*, session: Session, handle: str) -> int | None:
    """The account a pending check belongs to (re-authentication checks it is the signed-in one)."""
    challenge = _by_handle(session, handle)
    return challenge.user_id if challenge is not None else None


def close(*, session: Session, handle: str, now: dt.datetime) -> None:
    challenge = _by_handle(session, handle)
    if challenge is not None and challenge.closed_at is None:
        challenge.closed_at = now
        session.add(challenge)


def sign_in_ticket(*, session: Session, handle: str, now: dt.datetime) -> str | None:
    """Both factors passed: the login's handle is swapped for a one-time ticket, valid
    SIGN_IN_TICKET_TTL, that the browser trades for its session cookie (services/sign_in.py)."""
    challenge = _by_handle(session, handle)
    if challenge is None or challenge.verified_at is None or challenge.closed_at is not None:
        return None
    ticket = secrets.token_urlsafe(32)
    challenge.handle_hash = token_digest(ticket)
    challenge.verified_at = now
    session.add(challenge)
    return ticket


def redeem_sign_in_ticket(*, session: Session, ticket: str, now: dt.datetime) -> UserAccount | None:
    """The user a ticket was issued for, once: the login is closed by its use."""
    user = verified_user(session=session, handle=ticket, now=now, within=SIGN_IN_TICKET_TTL)
    if user is None:
        return None
    # Closed by a conditional UPDATE, not read-then-write: of several workers handed the same
    # ticket at once, only the one whose UPDATE finds it still open gets the user (issue 11).
    table = LoginChallenge.__table__  # type: ignore[attr-defined]  (SQLModel's table, for Core statements)
    spent = session.execute(
        sa.update(table)
        .where(table.c.handle_hash == token_digest(ticket), table.c.closed_at.is_(None))
        .values(closed_at=now)
        .returning(table.c.id)
    ).scalar_one_or_none()
    return user if spent is not None else None
