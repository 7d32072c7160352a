"""The second factor of a login: a 6-digit code mailed to the user's PEC, or a TOTP code from
an authenticator app.

An e-mailed code is valid 5 minutes, works once, and is stored only as a salted SHA-256 with its
expiry and an attempt counter; after 5 wrong tries the login must start again. A new code may be
asked for every 30 seconds, at most 5 times per login. An authenticator code is accepted one
time-step early or late, and a time-step already used is refused (no replay).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import hmac
import secrets

import pyotp
from pyotp.totp import TOTP as TotpGenerator  # pyotp re-exports it implicitly, which pyright refuses
from sqlmodel import Session, select

from portal.models import LoginChallenge, UserAccount
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


class Resend(enum.StrEnum):
    SENT = "sent"
    TOO_SOON = "too_soon"
    TOO_MANY = "too_many"
    INVALID = "invalid"


@dataclasses.dataclass(frozen=True)
class CheckResult:
    outcome: Check
    user: UserAccount | None = None
    attempts_left: int = 0


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
    mail.deliver(session=session, mail=mail_templates.login_code(recipient, code=code, minutes=minutes))
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
    """Mail a new code (also to switch from the app to e-mail): (outcome, seconds to wait)."""
    challenge = _live(session, handle, now)
    if challenge is None:
        return Resend.INVALID, 0
    if challenge.sends >= MAX_SENDS:
        return Resend.TOO_MANY, 0
    if challenge.last_sent_at and now - challenge.last_sent_at < RESEND_INTERVAL:
        wait = RESEND_INTERVAL - (now - challenge.last_sent_at)
        return Resend.TOO_SOON, max(1, int(wait.total_seconds()))
    user = _user_of(session, challenge)
    challenge.method = EMAIL
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


def check(*, session: Session, handle: str, code: str, now: dt.datetime, client_ip: str = "") -> CheckResult:
    challenge = _live(session, handle, now)
    if challenge is None:
        return CheckResult(Check.INVALID)
    user = _user_of(session, challenge)
    code = code.strip().replace(" ", "")
    if challenge.method == EMAIL:
        if challenge.code_expires_at is None or now >= challenge.code_expires_at:
            audit.record_by(session, "otp.expired", user, client_ip=client_ip)
            return CheckResult(Check.EXPIRED, user)
        valid = hmac.compare_digest(_digest(challenge.code_salt or "", code), challenge.code_hash or "")
    else:
        valid = verify_totp(user=user, code=code, now=now)
    if valid:
        challenge.verified_at = now
        challenge.code_hash = None  # the code can never be used again
        session.add_all([challenge, user])
        return CheckResult(Check.OK, user)
    challenge.attempts += 1
    audit.record_by(
        session, "otp.failed", user, client_ip=client_ip, method=challenge.method, attempt=challenge.attempts
    )
    if challenge.attempts >= MAX_ATTEMPTS:
        challenge.closed_at = now
        session.add(challenge)
        return CheckResult(Check.EXHAUSTED, user)
    session.add(challenge)
    return CheckResult(Check.WRONG, user, MAX_ATTEMPTS - challenge.attempts)


def verified_user(*, session: Session, handle: str, now: dt.datetime, within: dt.timedelta) -> UserAccount | None:
    """The user of a login whose code was accepted less than `within` ago and not yet used to
    open a session (the forced change of a temporary password happens in that window)."""
    challenge = _by_handle(session, handle)
    if challenge is None or challenge.verified_at is None or challenge.closed_at is not None:
        return None
    if now - challenge.verified_at > within:
        return None
    return session.get(UserAccount, challenge.user_id)


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
    if user is not None:
        close(session=session, handle=ticket, now=now)
    return user


# Authenticator-app enrolment -------------------------------------------------------------


def start_enrolment(*, session: Session, user: UserAccount) -> str:
    """A new secret, pending until the user proves the app works with a first code."""
    user.totp_pending_secret = pyotp.random_base32()
    session.add(user)
    return user.totp_pending_secret


def cancel_enrolment(*, session: Session, user: UserAccount) -> None:
    """Forget a pending secret the user never confirmed."""
    user.totp_pending_secret = None
    session.add(user)


def provisioning_uri(*, user: UserAccount, issuer: str) -> str:
    if not user.totp_pending_secret:
        raise ValueError("no enrolment in progress")
    return TotpGenerator(user.totp_pending_secret).provisioning_uri(name=user.username, issuer_name=issuer)


def confirm_enrolment(*, session: Session, user: UserAccount, code: str, now: dt.datetime, client_ip: str = "") -> bool:
    pending = user.totp_pending_secret
    if not pending:
        return False
    user.totp_last_step = None
    if not verify_totp(user=user, code=code.strip(), now=now, secret=pending):
        return False
    user.totp_secret = pending
    user.totp_pending_secret = None
    session.add(user)
    audit.record_by(session, "totp.enabled", user, client_ip=client_ip)
    return True


def disable(*, session: Session, user: UserAccount, code: str, now: dt.datetime, client_ip: str = "") -> bool:
    """Turning the app off needs a current code from it: logins fall back to e-mailed codes."""
    if not verify_totp(user=user, code=code.strip(), now=now):
        return False
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_last_step = None
    session.add(user)
    audit.record_by(session, "totp.disabled", user, client_ip=client_ip)
    return True
