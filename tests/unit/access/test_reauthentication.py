"""Issue 11, finding 9: the primary e-mail, the authenticator and the IBAN change only after the
password and a code are given again (stamped on the session row for 5 minutes); the old address
is told of a new primary e-mail."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
from sqlmodel import select

from portal.models import AuditEvent, MailMessage, UserAccount, UserSession
from portal.seed.demo import DEMO_PASSWORD
from portal.services.access import authenticator, profile, reauth, two_factor
from portal.services.access.sessions import (
    SessionPolicy,
    open_session,
    reauthenticated_recently,
    token_digest,
)
from portal.services.access.two_factor import Check
from tests.conftest import NOW as T0
from tests.support.outbox import send_queued
from tests.unit.conftest import id_mark, mail_mark, mails_after, rows_after

POLICY = SessionPolicy.from_minutes(idle_minutes=15, absolute_hours=12)


def _user(db, username="10093"):
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _mailed_code(db, user) -> str:
    send_queued(db)
    body = db.exec(
        select(MailMessage.body_text)
        .where(MailMessage.user_id == user.id, MailMessage.kind == "login_code")
        .order_by(MailMessage.id.desc())
    ).first()
    return re.search(r"\b(\d{6})\b", body).group(1)


def _row(db, token) -> UserSession:
    return db.exec(select(UserSession).where(UserSession.token_hash == token_digest(token))).one()


def test_password_then_mailed_code_stamps_the_session_for_five_minutes(db, demo):
    user = _user(db)
    token = open_session(session=db, user=user, now=T0, policy=POLICY)
    assert reauthenticated_recently(session=db, token=token, now=T0) is False
    started = reauth.start(session=db, user=user, password=DEMO_PASSWORD, now=T0)
    assert started.outcome is reauth.Start.CODE_NEEDED and started.method == two_factor.EMAIL
    result = reauth.finish(
        session=db, user=user, token=token, handle=started.handle, code=_mailed_code(db, user), now=T0
    )
    assert result.outcome is Check.OK
    assert _row(db, token).reauthenticated_at == T0
    assert reauthenticated_recently(session=db, token=token, now=T0 + dt.timedelta(minutes=4, seconds=59))
    assert not reauthenticated_recently(session=db, token=token, now=T0 + dt.timedelta(minutes=5))
    # the check cannot become a sign-in afterwards
    assert two_factor.sign_in_ticket(session=db, handle=started.handle, now=T0) is None
    # another session of the same user is not re-authenticated by it
    other = open_session(session=db, user=user, now=T0, policy=POLICY)
    assert reauthenticated_recently(session=db, token=other, now=T0) is False


def test_a_wrong_password_counts_towards_the_lock_and_asks_no_code(db, demo):
    user = _user(db)
    mails = mail_mark(db)
    outcomes = [reauth.start(session=db, user=user, password=f"wrong-{n}", now=T0).outcome for n in range(3)]
    assert outcomes == [reauth.Start.WRONG_PASSWORD, reauth.Start.WRONG_PASSWORD, reauth.Start.LOCKED]
    assert user.locked_at == T0
    assert reauth.start(session=db, user=user, password=DEMO_PASSWORD, now=T0).outcome is reauth.Start.LOCKED
    # no code was mailed; the owner is told of the lock, with the link that unlocks it
    assert [mail.kind for mail in mails_after(db, mails)] == ["account_locked"]


def test_a_wrong_code_or_another_users_check_stamps_nothing(db, demo):
    user, other = _user(db), _user(db, "20417")
    token = open_session(session=db, user=user, now=T0, policy=POLICY)
    started = reauth.start(session=db, user=user, password=DEMO_PASSWORD, now=T0)
    code = _mailed_code(db, user)
    wrong = "000000" if code != "000000" else "111111"
    assert reauth.finish(session=db, user=user, token=token, handle=started.handle, code=wrong, now=T0).outcome is (
        Check.WRONG
    )
    assert user.second_factor_failures == 1  # counted with the login's codes
    # the other user's check, with its right code, is refused for this session's user
    theirs = reauth.start(session=db, user=other, password=DEMO_PASSWORD, now=T0)
    their_code = _mailed_code(db, other)
    result = reauth.finish(session=db, user=user, token=token, handle=theirs.handle, code=their_code, now=T0)
    assert result.outcome is Check.INVALID
    assert _row(db, token).reauthenticated_at is None


def test_an_app_user_confirms_with_the_app_or_a_recovery_code(db, demo):
    user = _user(db)
    secret = authenticator.start_enrolment(session=db, user=user)
    codes = authenticator.confirm_enrolment(session=db, user=user, code=pyotp.TOTP(secret).at(T0), now=T0)
    token = open_session(session=db, user=user, now=T0, policy=POLICY)
    later = T0 + dt.timedelta(minutes=1)
    mails = mail_mark(db)
    started = reauth.start(session=db, user=user, password=DEMO_PASSWORD, now=later)
    assert started.method == two_factor.TOTP and mails_after(db, mails) == []  # nothing mailed
    assert (
        reauth.finish(session=db, user=user, token=token, handle=started.handle, code=codes[0], now=later).outcome
        is Check.OK
    )


def test_the_primary_email_changes_only_after_reauthentication_and_the_old_address_is_told(db, demo):
    user = _user(db)
    old = user.primary_email
    mails, events = mail_mark(db), id_mark(db, AuditEvent)
    settings = {"language": "it", "primary_email": "thief@example.org", "secondary_email": "", "paper_invoices": None}
    errors = profile.update_settings(session=db, user=user, **settings)
    assert errors == {"primary_email": "reauth.required"}
    assert user.primary_email == old and mails_after(db, mails) == []
    assert rows_after(db, AuditEvent, events) == []
    assert profile.update_settings(session=db, user=user, reauthenticated=True, **settings) == {}
    assert user.primary_email == "thief@example.org"
    [mail] = mails_after(db, mails)
    assert (mail.kind, mail.to_address) == ("primary_email_changed", old)
    assert "thief@example.org" in mail.body_text


def test_other_settings_need_no_reauthentication(db, demo):
    user = _user(db)
    mails = mail_mark(db)
    errors = profile.update_settings(
        session=db, user=user, language="en", primary_email=user.primary_email, secondary_email="", paper_invoices=None
    )
    assert errors == {} and user.language.value == "en" and mails_after(db, mails) == []
