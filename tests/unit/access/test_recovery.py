"""Password reset by e-mail link, unlock with contract data, and no user enumeration."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from sqlmodel import select

from portal.models import AuditEvent, MailMessage, PasswordResetToken, UserAccount, UserSession
from portal.seed.demo import DEMO_PASSWORD
from portal.services.access.accounts import SignIn, authenticate
from portal.services.access.recovery import (
    Reset,
    complete_reset,
    link_is_valid,
    request_reset,
    unlock,
    unlock_with_link,
)
from portal.services.access.sessions import SessionPolicy, open_session, resolve_session
from tests.conftest import NOW as T0
from tests.support.outbox import send_queued
from tests.unit.conftest import id_mark, mail_mark, mails_after, rows_after

URL = "http://portal.test"
NEW = "a quiet harbour at dawn"


def _user(db, username="10093"):
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _link_token(db, user) -> str:
    send_queued(db)
    body = db.exec(
        select(MailMessage.body_text)
        .where(MailMessage.user_id == user.id, MailMessage.kind == "password_reset")
        .order_by(MailMessage.id.desc())
    ).first()
    return re.search(r"/reimposta-password\?token=([\w-]+)", body).group(1)


def test_reset_link_is_single_use_and_ends_sessions(db, demo):
    user = _user(db)
    session_token = open_session(
        session=db, user=user, now=T0, policy=SessionPolicy.from_minutes(idle_minutes=15, absolute_hours=12)
    )
    tokens = id_mark(db, PasswordResetToken)
    request_reset(session=db, email=user.primary_email.upper(), now=T0, public_url=URL)
    token = _link_token(db, user)
    [stored] = rows_after(db, PasswordResetToken, tokens)
    assert stored.user_id == user.id
    assert token not in stored.token_hash and stored.expires_at == T0 + dt.timedelta(minutes=30)
    assert link_is_valid(session=db, token=token, now=T0) is True
    assert complete_reset(session=db, token=token, new_password="short", now=T0) == (
        Reset.WEAK_PASSWORD,
        "password.too_short",
    )
    assert complete_reset(session=db, token=token, new_password=NEW, now=T0 + dt.timedelta(minutes=10)) == (
        Reset.DONE,
        None,
    )
    assert complete_reset(session=db, token=token, new_password=NEW + "!", now=T0 + dt.timedelta(minutes=11)) == (
        Reset.INVALID_LINK,
        None,
    )
    assert authenticate(session=db, username="10093", password=NEW, now=T0)[0] is SignIn.OK
    assert (
        resolve_session(
            session=db,
            token=session_token,
            now=T0 + dt.timedelta(minutes=11),
            policy=SessionPolicy.from_minutes(idle_minutes=15, absolute_hours=12),
        )
        is None
    )
    assert (
        db.exec(select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))).all() == []
    )


def test_reset_link_expires_after_30_minutes(db, demo):
    user = _user(db)
    request_reset(session=db, email=user.primary_email, now=T0, public_url=URL)
    token = _link_token(db, user)
    assert link_is_valid(session=db, token=token, now=T0 + dt.timedelta(minutes=29, seconds=59)) is True
    assert link_is_valid(session=db, token=token, now=T0 + dt.timedelta(minutes=30)) is False
    assert (
        complete_reset(session=db, token=token, new_password=NEW, now=T0 + dt.timedelta(minutes=31))[0]
        is Reset.INVALID_LINK
    )


def test_unknown_address_gets_no_mail(db, demo):
    mails, tokens = mail_mark(db), id_mark(db, PasswordResetToken)
    request_reset(session=db, email="nobody@nowhere.example", now=T0, public_url=URL)
    assert mails_after(db, mails) == [] and rows_after(db, PasswordResetToken, tokens) == []
    # the same call with a known address does send: the silence above is the refusal, not a broken mailer
    request_reset(session=db, email=_user(db).primary_email, now=T0, public_url=URL)
    assert [(mail.user_id, mail.kind) for mail in mails_after(db, mails)] == [(_user(db).id, "password_reset")]


def _lock(db, username="10093"):
    for attempt in range(3):
        authenticate(session=db, username=username, password=f"wrong {attempt}", now=T0)
    return _user(db, username)


def _unlock(db, username="10093", client_ip="", **changes):
    data = {"contract_number": "84963", "module_number": "1", "tax_code": " 09158730961 ", **changes}
    unlock(session=db, username=username, now=T0, public_url=URL, client_ip=client_ip, **data)


def _unlock_token(db, user) -> str:
    send_queued(db)
    body = db.exec(
        select(MailMessage.body_text)
        .where(MailMessage.user_id == user.id, MailMessage.kind.in_(["account_unlock", "account_locked"]))
        .order_by(MailMessage.id.desc())
    ).first()
    return re.search(r"/reimposta-password\?token=([\w-]+)", body).group(1)


def test_the_unlock_form_only_mails_a_link_and_the_link_unlocks(db, demo):
    """Replaces test_unlock_with_contract_data, which asserted the bypass: the contract data printed
    on an invoice reset the counter by themselves."""
    user = _lock(db)
    assert (user.locked_at, user.failed_login_count) == (T0, 3)
    # wrong data: nothing happens (and the caller is told the same thing)
    mails, tokens, events = mail_mark(db), id_mark(db, PasswordResetToken), id_mark(db, AuditEvent)
    _unlock(db, module_number="9")
    # the right contract and module with a well-formed code of somebody else (the private customer's)
    _unlock(db, tax_code="BNCLSN80A01F205T")
    assert mails_after(db, mails) == [] and rows_after(db, PasswordResetToken, tokens) == []
    assert [event.action for event in rows_after(db, AuditEvent, events)] == ["account.unlock_refused"] * 2
    # the right data: a link to the address on file, and the account is still locked
    _unlock(db)
    assert (user.locked_at, user.failed_login_count) == (T0, 3)
    assert authenticate(session=db, username="10093", password=DEMO_PASSWORD, now=T0)[0] is SignIn.LOCKED
    [mail] = mails_after(db, mails)
    assert (mail.user_id, mail.kind, mail.to_address) == (user.id, "account_unlock", user.primary_email)
    assert mail.subject == "Aurora Leasing – Sblocco dell'accesso"
    [stored] = rows_after(db, PasswordResetToken, tokens)
    assert (stored.purpose, stored.expires_at) == ("unlock", T0 + dt.timedelta(hours=24))
    # the link unlocks, once
    token = _unlock_token(db, user)
    assert unlock_with_link(session=db, token=token, now=T0 + dt.timedelta(minutes=5)) is True
    assert (user.locked_at, user.failed_login_count) == (None, 0)
    assert unlock_with_link(session=db, token=token, now=T0 + dt.timedelta(minutes=6)) is False
    assert authenticate(session=db, username="10093", password=DEMO_PASSWORD, now=T0)[0] is SignIn.OK


def test_an_unlock_link_may_also_set_a_new_password(db, demo):
    user = _lock(db)
    _unlock(db)
    token = _unlock_token(db, user)
    assert complete_reset(session=db, token=token, new_password=NEW, now=T0 + dt.timedelta(minutes=1))[0] is Reset.DONE
    assert (user.locked_at, user.failed_login_count) == (None, 0)
    assert authenticate(session=db, username="10093", password=NEW, now=T0)[0] is SignIn.OK
    assert unlock_with_link(session=db, token=token, now=T0 + dt.timedelta(minutes=2)) is False


def test_a_reset_link_does_not_unlock_without_a_new_password(db, demo):
    user = _lock(db)
    request_reset(session=db, email=user.primary_email, now=T0, public_url=URL)
    assert unlock_with_link(session=db, token=_link_token(db, user), now=T0) is False
    assert (user.locked_at, user.failed_login_count) == (T0, 3)


def test_the_owner_is_told_when_the_account_is_locked(db, demo):
    user = _user(db)
    mails = mail_mark(db)
    for attempt in range(2):
        authenticate(session=db, username="10093", password=f"wrong {attempt}", now=T0)
    assert mails_after(db, mails) == []  # two wrong passwords: nobody is bothered yet
    authenticate(session=db, username="10093", password="wrong 2", now=T0)
    [mail] = mails_after(db, mails)
    assert (mail.user_id, mail.kind, mail.to_address) == (user.id, "account_locked", user.primary_email)
    assert mail.subject == "Aurora Leasing – Accesso bloccato"
    assert unlock_with_link(session=db, token=_unlock_token(db, user), now=T0 + dt.timedelta(hours=23)) is True
    assert (user.locked_at, user.failed_login_count) == (None, 0)


def test_lock_notices_are_limited_per_account(db, demo):
    """Whoever locks an account again and again does not flood its owner: three notices a day."""
    user = _user(db)
    mails = mail_mark(db)
    for _ in range(4):
        _lock(db)
        assert user.locked_at is not None
        user.locked_at, user.failed_login_count = None, 0  # as the owner's link would
        db.add(user)
    assert [mail.kind for mail in mails_after(db, mails)] == ["account_locked"] * 3
    # another account locked meanwhile is still told: the limit is the account's, not everybody's
    mails = mail_mark(db)
    sub_user = _lock(db, "10093.1")
    assert [(mail.user_id, mail.kind) for mail in mails_after(db, mails)] == [(sub_user.id, "account_locked")]


def test_unlock_requests_are_limited_per_account_and_per_client(db, demo):
    user = _lock(db)
    mails = mail_mark(db)
    for attempt in range(4):
        _unlock(db, client_ip=f"198.51.100.{attempt}")
    assert len(mails_after(db, mails)) == 3  # the fourth within the hour: nothing sent
    assert (user.locked_at, user.failed_login_count) == (T0, 3)
    # one client trying ten usernames, then the right one for a sub-user: nothing sent either
    sub_user = _lock(db, "10093.1")
    mails = mail_mark(db)
    for attempt in range(10):
        _unlock(db, username=f"9999{attempt}", client_ip="192.0.2.7")
    _unlock(db, username="10093.1", contract_number="90317", module_number="3", client_ip="192.0.2.7")
    assert mails_after(db, mails) == [] and sub_user.locked_at == T0


def test_forgotten_password_requests_are_limited_per_address_and_per_client(db, demo):
    user = _user(db)
    mails, tokens = mail_mark(db), id_mark(db, PasswordResetToken)
    for attempt in range(4):
        request_reset(session=db, email=user.primary_email, now=T0, public_url=URL, client_ip=f"198.51.100.{attempt}")
    assert len(mails_after(db, mails)) == 3 and len(rows_after(db, PasswordResetToken, tokens)) == 3
    other = _user(db, "10093.1")
    mails = mail_mark(db)
    for attempt in range(10):
        request_reset(session=db, email=f"nobody{attempt}@example.org", now=T0, public_url=URL, client_ip="192.0.2.7")
    request_reset(session=db, email=other.primary_email, now=T0, public_url=URL, client_ip="192.0.2.7")
    assert mails_after(db, mails) == []


def test_a_link_used_by_another_worker_meanwhile_is_refused(db, demo):
    """Two workers using one link at once: the one that comes second finds the link taken even when
    it read it as unused (here the other worker's UPDATE lands behind this session's back)."""
    user = _user(db)
    request_reset(session=db, email=user.primary_email, now=T0, public_url=URL)
    token = _link_token(db, user)
    stored = db.exec(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id)).all()[-1]
    assert stored.used_at is None
    db.connection().execute(
        sa.text("update password_reset_token set used_at = :t where id = :i"), {"t": T0, "i": stored.id}
    )
    hash_before = user.password_hash
    assert complete_reset(session=db, token=token, new_password=NEW, now=T0) == (Reset.INVALID_LINK, None)
    assert user.password_hash == hash_before
    assert authenticate(session=db, username="10093", password=DEMO_PASSWORD, now=T0)[0] is SignIn.OK


def test_an_unlock_link_used_by_another_worker_meanwhile_is_refused(db, demo):
    user = _lock(db)
    token = _unlock_token(db, user)
    stored = db.exec(
        select(PasswordResetToken).where(PasswordResetToken.user_id == user.id, PasswordResetToken.purpose == "unlock")
    ).one()
    assert stored.used_at is None
    db.connection().execute(
        sa.text("update password_reset_token set used_at = :t where id = :i"), {"t": T0, "i": stored.id}
    )
    assert unlock_with_link(session=db, token=token, now=T0) is False
    assert (user.locked_at, user.failed_login_count) == (T0, 3)
