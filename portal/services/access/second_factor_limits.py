"""How many wrong second-factor codes an account may see, counted across logins (issue 11).

Each login allows MAX_ATTEMPTS codes (two_factor.py), but a thief who knows the password could
open login after login. So every wrong code (e-mailed, authenticator, recovery, or the code that
turns the app off) also counts against the account, in a window of FAILURE_WINDOW from the first:

- from the DELAY_AFTER-th failure on, the next code is only looked at after a wait that doubles
  with each failure (DELAY_BASE, then twice that, ... up to DELAY_CAP);
- the FAILURE_CEILING-th failure locks the account as three wrong passwords do (`locked_at`): it
  opens again only through the unlock link or a password reset, mailed to the owner.

Callers hold the account's row lock (`locked_account`) while they read, check the code and count,
so several workers cannot each test a code against the same count.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from portal.models import UserAccount
from portal.services.common import audit

FAILURE_WINDOW = dt.timedelta(hours=24)
FAILURE_CEILING = 10
DELAY_AFTER = 3
DELAY_BASE = dt.timedelta(seconds=30)
DELAY_CAP = dt.timedelta(minutes=15)


def locked_account(session: Session, user_id: int) -> UserAccount:
    """The account's row, read afresh and locked until the transaction ends (SELECT … FOR UPDATE;
    SQLite serialises writers itself and refuses a write based on a stale read)."""
    statement = (
        select(UserAccount).where(UserAccount.id == user_id).with_for_update().execution_options(populate_existing=True)
    )
    return session.exec(statement).one()


def delay_after(failures: int) -> dt.timedelta:
    """The wait imposed after the `failures`-th wrong code of the window."""
    if failures < DELAY_AFTER:
        return dt.timedelta(0)
    return min(DELAY_BASE * 2 ** (failures - DELAY_AFTER), DELAY_CAP)


def seconds_to_wait(user: UserAccount, now: dt.datetime) -> int:
    """0 when a code may be tried now; else the whole seconds still to wait."""
    until = user.second_factor_blocked_until
    if until is None or now >= until:
        return 0
    return max(1, int((until - now).total_seconds() + 0.999))


def record_failure(*, session: Session, user: UserAccount, now: dt.datetime, client_ip: str = "") -> bool:
    """Count one wrong code against the account (its row locked by the caller); True when this
    failure locked the account."""
    window_start = user.second_factor_window_start
    if window_start is None or now - window_start >= FAILURE_WINDOW:
        user.second_factor_window_start = now
        user.second_factor_failures = 0
    user.second_factor_failures += 1
    failures = user.second_factor_failures
    if failures >= FAILURE_CEILING:
        # The lock is the state now; the count starts again once the owner has unlocked.
        user.locked_at = now
        user.second_factor_failures = 0
        user.second_factor_window_start = None
        user.second_factor_blocked_until = None
        session.add(user)
        audit.record_by(session, "account.locked", user, client_ip=client_ip, reason="second_factor")
        return True
    wait = delay_after(failures)
    user.second_factor_blocked_until = now + wait if wait else None
    session.add(user)
    return False


def clear_failures(*, session: Session, user: UserAccount) -> None:
    """A right code: the count starts again."""
    user.second_factor_failures = 0
    user.second_factor_window_start = None
    user.second_factor_blocked_until = None
    session.add(user)
