"""The second factor: e-mailed codes (expiry, single use, attempts, resend) and TOTP."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
from sqlmodel import select

from portal.models import AuditEvent, LoginChallenge, MailMessage, UserAccount
from portal.services.access import authenticator, two_factor
from portal.services.access.sessions import token_digest
from portal.services.access.two_factor import Check, Resend
from tests.conftest import NOW as T0
from tests.support.outbox import send_queued
from tests.unit.conftest import id_mark, mail_mark, mails_after, rows_after


def _user(db, username="10093"):
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _mailed_code(db, user) -> str:
    send_queued(db)
    body = db.exec(
        select(MailMessage.body_text).where(MailMessage.user_id == user.id).order_by(MailMessage.id.desc())
    ).first()
    return re.search(r"\b(\d{6})\b", body).group(1)


def _wrong_totp(secret: str, moment: dt.datetime) -> str:
    """Six digits the authenticator shows neither at `moment` nor one step before or after."""
    valid = {pyotp.TOTP(secret).at(moment + dt.timedelta(seconds=30 * step)) for step in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def test_code_is_mailed_and_stored_hashed(db, demo):
    user = _user(db)
    challenges = id_mark(db, LoginChallenge)
    handle, method = two_factor.begin(session=db, user=user, now=T0)
    assert method == two_factor.EMAIL
    code = _mailed_code(db, user)
    [challenge] = rows_after(db, LoginChallenge, challenges)
    assert challenge.user_id == user.id
    assert code not in (challenge.code_hash or "") and len(challenge.code_hash) == 64
    assert challenge.code_expires_at == T0 + dt.timedelta(minutes=5)
    assert handle not in challenge.handle_hash
    result = two_factor.check(session=db, handle=handle, code=code, now=T0 + dt.timedelta(minutes=4))
    assert result.outcome is Check.OK and result.user.id == user.id
    # used once: never again
    assert (
        two_factor.check(session=db, handle=handle, code=code, now=T0 + dt.timedelta(minutes=4)).outcome
        is Check.INVALID
    )


def test_expired_code_never_works(db, demo):
    user = _user(db)
    handle, _ = two_factor.begin(session=db, user=user, now=T0)
    code = _mailed_code(db, user)
    assert (
        two_factor.check(session=db, handle=handle, code=code, now=T0 + dt.timedelta(minutes=5)).outcome
        is Check.EXPIRED
    )
    assert (
        two_factor.check(session=db, handle=handle, code=code, now=T0 + dt.timedelta(minutes=6)).outcome
        is Check.EXPIRED
    )


def test_five_wrong_codes_end_the_login(db, demo):
    user = _user(db)
    events = id_mark(db, AuditEvent)
    handle, _ = two_factor.begin(session=db, user=user, now=T0)
    code = _mailed_code(db, user)
    wrong = "000000" if code != "000000" else "111111"
    results, moment = [], T0
    for _ in range(5):
        results.append(two_factor.check(session=db, handle=handle, code=wrong, now=moment))
        moment += dt.timedelta(seconds=results[-1].wait_seconds)  # the account's wait (issue 11), then the next
    assert [r.outcome for r in results] == [Check.WRONG] * 4 + [Check.EXHAUSTED]
    assert [r.attempts_left for r in results[:4]] == [4, 3, 2, 1]
    # the right code no longer helps
    assert two_factor.check(session=db, handle=handle, code=code, now=moment).outcome is Check.INVALID
    failures = rows_after(db, AuditEvent, events, AuditEvent.action == "otp.failed")
    assert [event.user_id for event in failures] == [user.id] * 5


def test_resend_is_throttled_and_replaces_the_code(db, demo, monkeypatch):
    codes = ["111111", "222222", "333333", "444444", "555555"]  # distinct, so a replaced code shows
    monkeypatch.setattr(two_factor, "_new_code", iter(codes).__next__)
    user = _user(db)
    mails = mail_mark(db)
    handle, _ = two_factor.begin(session=db, user=user, now=T0)
    outcome, wait = two_factor.resend(session=db, handle=handle, now=T0 + dt.timedelta(seconds=10))
    assert outcome is Resend.TOO_SOON and wait == 20
    moment = T0
    for _ in range(4):
        moment += dt.timedelta(seconds=31)
        assert two_factor.resend(session=db, handle=handle, now=moment)[0] is Resend.SENT
    assert two_factor.resend(session=db, handle=handle, now=moment + dt.timedelta(seconds=31))[0] is Resend.TOO_MANY
    mailed = [re.search(r"\b(\d{6})\b", mail.body_text).group(1) for mail in mails_after(db, mails)]
    assert mailed == codes  # the first, then one per accepted resend; none for the refused ones
    assert two_factor.check(session=db, handle=handle, code="111111", now=moment).outcome is Check.WRONG
    assert two_factor.check(session=db, handle=handle, code="555555", now=moment).outcome is Check.OK


def test_unknown_handle(db, demo):
    assert two_factor.check(session=db, handle="made-up", code="123456", now=T0).outcome is Check.INVALID
    assert two_factor.resend(session=db, handle="", now=T0)[0] is Resend.INVALID


def test_totp_enrolment_login_and_replay(db, demo):
    user = _user(db)
    secret = authenticator.start_enrolment(session=db, user=user)
    assert user.totp_secret is None
    assert "otpauth://totp/" in authenticator.provisioning_uri(user=user, issuer="Aurora Leasing")
    assert authenticator.confirm_enrolment(session=db, user=user, code=_wrong_totp(secret, T0), now=T0) is None
    assert (user.totp_secret, user.totp_pending_secret) == (None, secret)
    assert authenticator.confirm_enrolment(session=db, user=user, code=pyotp.TOTP(secret).at(T0), now=T0)
    assert user.totp_secret == secret and user.totp_pending_secret is None

    later = T0 + dt.timedelta(minutes=3)
    handle, method = two_factor.begin(session=db, user=user, now=later)
    assert method == two_factor.TOTP
    code = pyotp.TOTP(secret).at(later)
    assert two_factor.check(session=db, handle=handle, code=code, now=later).outcome is Check.OK
    # the same code in a new login, within the same 30 seconds: refused as a replay
    handle2, _ = two_factor.begin(session=db, user=user, now=later)
    assert (
        two_factor.check(session=db, handle=handle2, code=code, now=later + dt.timedelta(seconds=5)).outcome
        is Check.WRONG
    )
    # a code one step late is accepted once
    next_step = later + dt.timedelta(seconds=30)
    assert (
        two_factor.check(session=db, handle=handle2, code=pyotp.TOTP(secret).at(next_step), now=next_step).outcome
        is Check.OK
    )
    # no e-mail fallback (issue 11): asking a code by mail is refused and mails nothing
    mails = mail_mark(db)
    handle3, _ = two_factor.begin(session=db, user=user, now=later + dt.timedelta(minutes=2))
    assert two_factor.resend(session=db, handle=handle3, now=later + dt.timedelta(minutes=2))[0] is Resend.NOT_OFFERED
    assert mails_after(db, mails) == []
    assert db.exec(select(LoginChallenge.method).where(LoginChallenge.handle_hash == token_digest(handle3))).one() == (
        two_factor.TOTP
    )


def test_disabling_totp_needs_a_current_code(db, demo):
    user = _user(db)
    secret = authenticator.start_enrolment(session=db, user=user)
    authenticator.confirm_enrolment(session=db, user=user, code=pyotp.TOTP(secret).at(T0), now=T0)
    later = T0 + dt.timedelta(minutes=1)
    assert authenticator.disable(session=db, user=user, code="12345", now=later).outcome is Check.WRONG
    assert (
        authenticator.disable(session=db, user=user, code=_wrong_totp(secret, later), now=later).outcome is Check.WRONG
    )
    assert user.totp_secret == secret  # refused: the authenticator stays on
    assert (
        authenticator.disable(session=db, user=user, code=pyotp.TOTP(secret).at(later), now=later).outcome is Check.OK
    )
    assert user.totp_secret is None


def test_a_sign_in_ticket_opens_one_session_once_and_soon(db, demo):
    from portal.models import UserSession
    from portal.services.access import sign_in
    from portal.services.access.sessions import SessionPolicy, open_session, token_digest

    policy = SessionPolicy.from_minutes(idle_minutes=15, absolute_hours=12)
    user = _user(db)
    events = id_mark(db, AuditEvent)
    handle, _ = two_factor.begin(session=db, user=user, now=T0)
    assert two_factor.sign_in_ticket(session=db, handle=handle, now=T0) is None  # no code accepted yet
    assert two_factor.check(session=db, handle=handle, code=_mailed_code(db, user), now=T0).outcome is Check.OK
    ticket = two_factor.sign_in_ticket(session=db, handle=handle, now=T0)
    assert ticket is not None and len(ticket) == 43 and ticket != handle  # 32 random bytes, urlsafe
    assert (
        two_factor.verified_user(session=db, handle=handle, now=T0, within=dt.timedelta(minutes=10)) is None
    )  # handle retired
    previous = open_session(session=db, user=user, now=T0, policy=policy)
    late = T0 + two_factor.SIGN_IN_TICKET_TTL + dt.timedelta(seconds=1)
    assert sign_in.open_from_ticket(session=db, ticket=ticket, now=late, policy=policy) is None
    opened = sign_in.open_from_ticket(
        session=db,
        ticket=ticket,
        now=T0 + dt.timedelta(seconds=5),
        policy=policy,
        client_ip="10.0.0.7",
        previous_token=previous,
    )
    assert opened is not None and opened.language == "it" and opened.token != previous
    row = db.exec(select(UserSession).where(UserSession.token_hash == token_digest(opened.token))).one()
    assert row.user_id == user.id and row.client_ip == "10.0.0.7" and row.revoked_at is None
    old = db.exec(select(UserSession).where(UserSession.token_hash == token_digest(previous))).one()
    assert old.revoked_at is not None  # the browser's previous session ends: sessions rotate at login
    sessions = id_mark(db, UserSession)
    assert sign_in.open_from_ticket(session=db, ticket=ticket, now=T0 + dt.timedelta(seconds=6), policy=policy) is None
    assert rows_after(db, UserSession, sessions) == []  # a ticket is spent once
    successes = rows_after(db, AuditEvent, events, AuditEvent.action == "login.success")
    assert [event.user_id for event in successes] == [user.id]
