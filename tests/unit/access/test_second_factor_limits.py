"""Issue 11, finding 4: wrong second-factor codes count per account across logins (a growing wait,
then the lock); the authenticator app's users recover with one-time codes, never by e-mail."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
from sqlmodel import select

from portal.models import AuditEvent, LoginChallenge, MailMessage, RecoveryCode, UserAccount
from portal.seed.demo import DEMO_PASSWORD
from portal.services.access import authenticator, recovery_codes, two_factor
from portal.services.access.accounts import SignIn, authenticate
from portal.services.access.two_factor import Check, Resend
from tests.conftest import NOW as T0
from tests.support.outbox import send_queued
from tests.unit.conftest import id_mark, mail_mark, mails_after, rows_after

# The waits after the 1st … 9th wrong code of a window, by hand: none before the 3rd, then 30 s
# doubling, capped at 15 minutes; the 10th locks.
EXPECTED_WAITS = [0, 0, 30, 60, 120, 240, 480, 900, 900]


def _user(db, username="10093"):
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _mailed_code(db, user) -> str:
    send_queued(db)
    body = db.exec(
        select(MailMessage.body_text).where(MailMessage.user_id == user.id).order_by(MailMessage.id.desc())
    ).first()
    return re.search(r"\b(\d{6})\b", body).group(1)


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _with_app(db, user, moment=T0) -> tuple[str, list[str]]:
    secret = authenticator.start_enrolment(session=db, user=user)
    codes = authenticator.confirm_enrolment(session=db, user=user, code=pyotp.TOTP(secret).at(moment), now=moment)
    assert codes is not None
    return secret, codes


def test_wrong_codes_count_across_logins_with_a_growing_wait_then_the_lock(db, demo):
    user = _user(db)
    events = id_mark(db, AuditEvent)
    moment, waits = T0, []
    for _ in range(9):  # a new login each time: the per-login limit of 5 is never reached
        handle, _ = two_factor.begin(session=db, user=user, now=moment)
        result = two_factor.check(session=db, handle=handle, code=_wrong(_mailed_code(db, user)), now=moment)
        assert result.outcome is Check.WRONG
        waits.append(result.wait_seconds)
        moment += dt.timedelta(seconds=result.wait_seconds)
    assert waits == EXPECTED_WAITS
    assert user.second_factor_failures == 9 and user.locked_at is None
    handle, _ = two_factor.begin(session=db, user=user, now=moment)
    code = _mailed_code(db, user)
    assert two_factor.check(session=db, handle=handle, code=_wrong(code), now=moment).outcome is Check.LOCKED
    assert user.locked_at == moment
    # locked like three wrong passwords: the right code and the right password no longer open it
    assert two_factor.check(session=db, handle=handle, code=code, now=moment).outcome is Check.INVALID
    assert authenticate(session=db, username="10093", password=DEMO_PASSWORD, now=moment) == (SignIn.LOCKED, None)
    locks = rows_after(db, AuditEvent, events, AuditEvent.action == "account.locked")
    assert [(event.user_id, event.detail["reason"]) for event in locks] == [(user.id, "second_factor")]


def test_a_code_sent_during_the_wait_is_not_even_looked_at(db, demo):
    user = _user(db)
    for _ in range(3):
        handle, _ = two_factor.begin(session=db, user=user, now=T0)
        two_factor.check(session=db, handle=handle, code=_wrong(_mailed_code(db, user)), now=T0)
    handle, _ = two_factor.begin(session=db, user=user, now=T0)
    code = _mailed_code(db, user)
    early = two_factor.check(session=db, handle=handle, code=code, now=T0 + dt.timedelta(seconds=10))
    assert (early.outcome, early.wait_seconds) == (Check.WAIT, 20)
    challenge = db.exec(
        select(LoginChallenge).where(LoginChallenge.user_id == user.id).order_by(LoginChallenge.id.desc())
    ).first()
    assert challenge.verified_at is None and challenge.attempts == 0  # nothing was tried
    assert two_factor.check(session=db, handle=handle, code=code, now=T0 + dt.timedelta(seconds=30)).outcome is Check.OK
    assert (user.second_factor_failures, user.second_factor_blocked_until) == (0, None)


def test_the_count_starts_again_after_the_window(db, demo):
    user = _user(db)
    moment = T0
    for _ in range(5):
        handle, _ = two_factor.begin(session=db, user=user, now=moment)
        result = two_factor.check(session=db, handle=handle, code=_wrong(_mailed_code(db, user)), now=moment)
        moment += dt.timedelta(seconds=result.wait_seconds)
    assert user.second_factor_failures == 5
    next_day = T0 + dt.timedelta(hours=24)
    handle, _ = two_factor.begin(session=db, user=user, now=next_day)
    result = two_factor.check(session=db, handle=handle, code=_wrong(_mailed_code(db, user)), now=next_day)
    assert (result.outcome, result.wait_seconds, user.second_factor_failures) == (Check.WRONG, 0, 1)


def test_an_app_user_gets_no_mailed_code(db, demo):
    user = _user(db)
    _with_app(db, user)
    mails = mail_mark(db)
    handle, method = two_factor.begin(session=db, user=user, now=T0 + dt.timedelta(minutes=1))
    assert method == two_factor.TOTP
    for seconds in (61, 120, 200):
        outcome, _ = two_factor.resend(session=db, handle=handle, now=T0 + dt.timedelta(seconds=seconds))
        assert outcome is Resend.NOT_OFFERED
    assert mails_after(db, mails) == []


def test_recovery_codes_are_shown_once_stored_hashed_and_work_once(db, demo):
    user = _user(db)
    marks = id_mark(db, RecoveryCode)
    secret, codes = _with_app(db, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code) for code in codes)
    rows = rows_after(db, RecoveryCode, marks)
    assert [row.user_id for row in rows] == [user.id] * 10
    stored = {row.code_hash for row in rows}
    assert all(len(h) == 64 for h in stored)
    assert not any(code.replace("-", "") in h for h in stored for code in codes)
    later = T0 + dt.timedelta(minutes=2)
    handle, _ = two_factor.begin(session=db, user=user, now=later)
    typed = codes[3].lower().replace("-", " ")  # case, dashes and spaces do not matter
    assert two_factor.check(session=db, handle=handle, code=typed, now=later).outcome is Check.OK
    assert recovery_codes.remaining(session=db, user=user) == 9
    # spent: a second use is a wrong code, counted
    handle2, _ = two_factor.begin(session=db, user=user, now=later)
    assert two_factor.check(session=db, handle=handle2, code=codes[3], now=later).outcome is Check.WRONG
    assert user.second_factor_failures == 1
    # a new set replaces the old one
    fresh = authenticator.regenerate_recovery_codes(session=db, user=user, now=later)
    assert two_factor.check(session=db, handle=handle2, code=codes[4], now=later).outcome is Check.WRONG
    assert two_factor.check(session=db, handle=handle2, code=fresh[0], now=later).outcome is Check.OK
    assert recovery_codes.remaining(session=db, user=user) == 9


def test_turning_the_app_off_is_limited_and_told_to_the_owner(db, demo):
    user = _user(db)
    mails = mail_mark(db)
    secret, codes = _with_app(db, user)
    moment, outcomes = T0 + dt.timedelta(minutes=1), []
    for _ in range(9):
        result = authenticator.disable(session=db, user=user, code="000000", now=moment)
        outcomes.append((result.outcome, result.wait_seconds))
        moment += dt.timedelta(seconds=result.wait_seconds)
    assert outcomes == [(Check.WRONG, wait) for wait in EXPECTED_WAITS]
    # during the wait even the right code is not looked at
    assert (
        authenticator.disable(
            session=db, user=user, code=pyotp.TOTP(secret).at(moment), now=moment - dt.timedelta(seconds=1)
        ).outcome
        is Check.WAIT
    )
    assert authenticator.disable(session=db, user=user, code="000000", now=moment).outcome is Check.LOCKED
    assert user.locked_at == moment and user.totp_secret == secret  # refused: the app stays on
    kinds = [mail.kind for mail in mails_after(db, mails)]
    assert kinds == ["authenticator.enabled"]


def test_turning_the_app_off_with_a_code_mails_the_owner_and_drops_the_recovery_codes(db, demo):
    user = _user(db)
    secret, codes = _with_app(db, user)
    mails = mail_mark(db)
    later = T0 + dt.timedelta(minutes=1)
    assert (
        authenticator.disable(session=db, user=user, code=pyotp.TOTP(secret).at(later), now=later).outcome is Check.OK
    )
    assert user.totp_secret is None and recovery_codes.remaining(session=db, user=user) == 0
    [mail] = mails_after(db, mails)
    assert (mail.kind, mail.to_address) == ("authenticator.disabled", user.primary_email)
