"""Re-authentication: the password and the second factor again, before a change that would hand
the account to whoever holds the session (issue 11): the primary e-mail (where codes and reset
links go), the authenticator app, the IBAN.

Two steps, as at login: the password (wrong ones count towards the lock like a login's), then a
code (the app's, a recovery code, or one mailed for users without the app; wrong ones count per
account in second_factor_limits.py). Success is stamped on the session row for REAUTH_WINDOW.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from sqlmodel import Session

from portal.models import UserAccount
from portal.services.access import two_factor
from portal.services.access.accounts import count_password_failure
from portal.services.access.passwords import verify_password
from portal.services.access.sessions import mark_reauthenticated
from portal.services.common import audit


class Start(enum.StrEnum):
    CODE_NEEDED = "code_needed"
    WRONG_PASSWORD = "wrong_password"
    LOCKED = "locked"


@dataclasses.dataclass(frozen=True)
class Started:
    outcome: Start
    handle: str = ""  # the pending check's handle (its hash is stored), with CODE_NEEDED
    method: str = ""


def start(*, session: Session, user: UserAccount, password: str, now: dt.datetime, client_ip: str = "") -> Started:
    """The password step; with the right one the code is asked (and mailed, without the app)."""
    if user.locked_at is not None:
        return Started(Start.LOCKED)
    if not verify_password(user.password_hash, password):
        audit.record_by(session, "reauth.password_failed", user, client_ip=client_ip)
        locked = count_password_failure(session=session, user=user, now=now, client_ip=client_ip)
        return Started(Start.LOCKED if locked else Start.WRONG_PASSWORD)
    handle, method = two_factor.begin(session=session, user=user, now=now, client_ip=client_ip)
    return Started(Start.CODE_NEEDED, handle, method)


def finish(
    *,
    session: Session,
    user: UserAccount,
    token: str,
    handle: str,
    code: str,
    now: dt.datetime,
    client_ip: str = "",
    hashed: bool = False,
) -> two_factor.CheckResult:
    """The code step: on success the session is re-authenticated now, and the check is closed so
    it can never become a sign-in."""
    if two_factor.owner_of(session=session, handle=handle) != user.id:
        return two_factor.CheckResult(two_factor.Check.INVALID)
    result = two_factor.check(session=session, handle=handle, code=code, now=now, client_ip=client_ip)
    if result.outcome is two_factor.Check.OK:
        two_factor.close(session=session, handle=handle, now=now)
        if not mark_reauthenticated(session=session, token=token, now=now, hashed=hashed):
            return two_factor.CheckResult(two_factor.Check.INVALID)
        audit.record_by(session, "reauth.success", user, client_ip=client_ip)
    return result
