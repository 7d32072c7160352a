"""Password reset by e-mail link, unlock with contract data, and no user enumeration."""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import select

from portal.models import AuditEvent, MailMessage, PasswordResetToken, UserAccount, UserSession
from portal.seed.demo import DEMO_PASSWORD
from portal.services.access.accounts import SignIn, authenticate
from portal.services.access.recovery import Reset, complete_reset, link_is_valid, request_reset, unlock
from portal.services.access.sessions import SessionPolicy, open_session, resolve_session
from tests.conftest import NOW as T0
from tests.unit.conftest import id_mark, rows_after

URL = "http://portal.test"
NEW = "a quiet harbour at dawn"


def _user(db, username="10093"):
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _link_token(db, user) -> str:
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
    mails, tokens = id_mark(db, MailMessage), id_mark(db, PasswordResetToken)
    request_reset(session=db, email="nobody@nowhere.example", now=T0, public_url=URL)
    assert rows_after(db, MailMessage, mails) == [] and rows_after(db, PasswordResetToken, tokens) == []
    # the same call with a known address does send: the silence above is the refusal, not a broken mailer
    request_reset(session=db, email=_user(db).primary_email, now=T0, public_url=URL)
    assert [(mail.user_id, mail.kind) for mail in rows_after(db, MailMessage, mails)] == [
        (_user(db).id, "password_reset")
    ]


def test_unlock_with_contract_data(db, demo):
    user = _user(db)
    for attempt in range(3):
        authenticate(session=db, username="10093", password=f"wrong {attempt}", now=T0)
    assert (user.locked_at, user.failed_login_count) == (T0, 3)
    # wrong data: nothing happens (and the caller is told the same thing)
    mails, tokens, events = id_mark(db, MailMessage), id_mark(db, PasswordResetToken), id_mark(db, AuditEvent)
    unlock(
        session=db,
        username="10093",
        contract_number="84963",
        module_number="9",
        tax_code="09158730961",
        now=T0,
        public_url=URL,
    )
    # the right contract and module with a well-formed code of somebody else (the private customer's)
    unlock(
        session=db,
        username="10093",
        contract_number="84963",
        module_number="1",
        tax_code="BNCLSN80A01F205T",
        now=T0,
        public_url=URL,
    )
    assert (user.locked_at, user.failed_login_count) == (T0, 3)
    assert rows_after(db, MailMessage, mails) == [] and rows_after(db, PasswordResetToken, tokens) == []
    assert [event.action for event in rows_after(db, AuditEvent, events)] == ["account.unlock_refused"] * 2
    unlock(
        session=db,
        username="10093",
        contract_number="84963",
        module_number="1",
        tax_code=" 09158730961 ",
        now=T0,
        public_url=URL,
    )
    assert user.locked_at is None and user.failed_login_count == 0
    assert authenticate(session=db, username="10093", password=DEMO_PASSWORD, now=T0)[0] is SignIn.OK
    token = _link_token(db, user)
    assert complete_reset(session=db, token=token, new_password=NEW, now=T0 + dt.timedelta(minutes=1))[0] is Reset.DONE
    [mail] = rows_after(db, MailMessage, mails)
    assert (mail.user_id, mail.kind, mail.to_address) == (user.id, "password_reset", user.primary_email)
    assert mail.subject == "Aurora Leasing – Accesso sbloccato"
