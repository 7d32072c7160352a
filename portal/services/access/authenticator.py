"""Turning the authenticator app on and off: a pending secret until the first code proves the app
works, recovery codes shown once, and a current code to turn it off (wrong ones count against the
account like a login's). Every change is told to the owner by e-mail."""

from __future__ import annotations

import datetime as dt

import pyotp
from pyotp.totp import TOTP as TotpGenerator  # pyotp re-exports it implicitly, which pyright refuses
from sqlmodel import Session

from portal.models import UserAccount
from portal.services.access import recovery_codes
from portal.services.access.second_factor_limits import (
    clear_failures,
    locked_account,
    record_failure,
    seconds_to_wait,
)
from portal.services.access.two_factor import Check, CheckResult, verify_totp
from portal.services.common import audit, mail, mail_templates


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


def confirm_enrolment(
    *, session: Session, user: UserAccount, code: str, now: dt.datetime, client_ip: str = ""
) -> list[str] | None:
    """The first code proves the app works: the app is on, and the user's recovery codes are
    returned to be shown once (None for a wrong code)."""
    pending = user.totp_pending_secret
    if not pending:
        return None
    user.totp_last_step = None
    if not verify_totp(user=user, code=code.strip(), now=now, secret=pending):
        return None
    user.totp_secret = pending
    user.totp_pending_secret = None
    session.add(user)
    audit.record_by(session, "totp.enabled", user, client_ip=client_ip)
    codes = recovery_codes.issue(session=session, user=user, now=now)
    _tell_owner(session, user, "enabled")
    return codes


def regenerate_recovery_codes(
    *, session: Session, user: UserAccount, now: dt.datetime, client_ip: str = ""
) -> list[str]:
    """A fresh set of recovery codes (the old ones stop working), shown once."""
    if not user.totp_secret:
        raise ValueError("recovery codes belong to the authenticator app")
    codes = recovery_codes.issue(session=session, user=user, now=now)
    audit.record_by(session, "recovery_codes.regenerated", user, client_ip=client_ip)
    _tell_owner(session, user, "recovery_codes")
    return codes


def disable(*, session: Session, user: UserAccount, code: str, now: dt.datetime, client_ip: str = "") -> CheckResult:
    """Turning the app off needs a current code from it (or a recovery code); wrong codes count
    against the account like a login's (a growing wait, then the lock)."""
    user = locked_account(session, user.id)
    if user.locked_at is not None:
        return CheckResult(Check.LOCKED, user)
    wait = seconds_to_wait(user, now)
    if wait:
        return CheckResult(Check.WAIT, user, wait_seconds=wait)
    code = code.strip().replace(" ", "")
    if recovery_codes.looks_like_recovery_code(code):
        valid = recovery_codes.redeem(session=session, user=user, code=code, now=now)
    else:
        valid = verify_totp(user=user, code=code, now=now)
    if not valid:
        audit.record_by(session, "otp.failed", user, client_ip=client_ip, method="totp_disable")
        if record_failure(session=session, user=user, now=now, client_ip=client_ip):
            return CheckResult(Check.LOCKED, user)
        return CheckResult(Check.WRONG, user, wait_seconds=seconds_to_wait(user, now))
    clear_failures(session=session, user=user)
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_last_step = None
    session.add(user)
    recovery_codes.revoke_all(session=session, user=user, now=now)
    audit.record_by(session, "totp.disabled", user, client_ip=client_ip)
    _tell_owner(session, user, "disabled")
    return CheckResult(Check.OK, user)


def _tell_owner(session: Session, user: UserAccount, change: str) -> None:
    """A change of the second factor is told to the owner by e-mail: a thief cannot hide it."""
    recipient = mail_templates.recipient_of(session=session, user=user)
    mail.enqueue(session=session, mail=mail_templates.authenticator_changed(recipient, change=change))
