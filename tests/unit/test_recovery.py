"""Password reset by e-mail link, unlock with contract data, and no user enumeration."""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import select

from portal.models import MailMessage, PasswordResetToken, UserAccount, UserSession
from portal.seed.demo import DEMO_PASSWORD
from portal.services.accounts import SignIn, authenticate
from portal.services.recovery import Reset, complete_reset, link_is_valid, request_reset, unlock
from portal.services.sessions import SessionPolicy, open_session, resolve_session

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc)
URL = "http://portal.test"
NEW = "a quiet harbour at dawn"


def _user(db, username="10093"):
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _link_token(db, user) -> str:
    body = db.exec(select(MailMessage.body_text).where(MailMessage.user_id == user.id, MailMessage.kind == "password_reset")
                   .order_by(MailMessage.id.desc())).first()
    return re.search(r"/reimposta-password\?token=([\w-]+)", body).group(1)


def test_reset_link_is_single_use_and_ends_sessions(db, demo):
    user = _user(db)
    session_token = open_session(session=db, user=user, now=T0, policy=SessionPolicy.from_minutes(idle_minutes=15, absolute_hours=12))
    request_reset(session=db, email=user.primary_email.upper(), now=T0, public_url=URL)
    token = _link_token(db, user)
    stored = db.exec(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id)).one()
    assert token not in stored.token_hash and stored.expires_at == T0 + dt.timedelta(minutes=30)
    assert link_is_valid(session=db, token=token, now=T0)
    assert complete_reset(session=db, token=token, new_password="short", now=T0) == (Reset.WEAK_PASSWORD, "password.too_short")
    assert complete_reset(session=db, token=token, new_password=NEW, now=T0 + dt.timedelta(minutes=10)) == (Reset.DONE, None)
    assert complete_reset(session=db, token=token, new_password=NEW + "!", now=T0 + dt.timedelta(minutes=11)) == (Reset.INVALID_LINK, None)
    assert authenticate(session=db, username="10093", password=NEW, now=T0)[0] is SignIn.OK
    assert resolve_session(session=db, token=session_token, now=T0 + dt.timedelta(minutes=11),
                           policy=SessionPolicy.from_minutes(idle_minutes=15, absolute_hours=12)) is None
    assert db.exec(select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))).all() == []


def test_reset_link_expires_after_30_minutes(db, demo):
    user = _user(db)
    request_reset(session=db, email=user.primary_email, now=T0, public_url=URL)
    token = _link_token(db, user)
    assert not link_is_valid(session=db, token=token, now=T0 + dt.timedelta(minutes=30))
    assert complete_reset(session=db, token=token, new_password=NEW, now=T0 + dt.timedelta(minutes=31))[0] is Reset.INVALID_LINK


def test_unknown_address_gets_no_mail(db, demo):
    before = len(db.exec(select(MailMessage)).all())
    request_reset(session=db, email="nobody@nowhere.example", now=T0, public_url=URL)
    assert len(db.exec(select(MailMessage)).all()) == before


def test_unlock_with_contract_data(db, demo):
    user = _user(db)
    for attempt in range(3):
        authenticate(session=db, username="10093", password=f"wrong {attempt}", now=T0)
    assert user.locked_at is not None
    # wrong data: nothing happens (and the caller is told the same thing)
    unlock(session=db, contract_number="84963", module_number="9", tax_code="09158730961", now=T0, public_url=URL)
    assert user.locked_at is not None
    unlock(session=db, contract_number="84963", module_number="1", tax_code=" 09158730961 ", now=T0, public_url=URL)
    assert user.locked_at is None and user.failed_login_count == 0
    assert authenticate(session=db, username="10093", password=DEMO_PASSWORD, now=T0)[0] is SignIn.OK
    token = _link_token(db, user)
    assert complete_reset(session=db, token=token, new_password=NEW, now=T0 + dt.timedelta(minutes=1))[0] is Reset.DONE
    mail = db.exec(select(MailMessage).where(MailMessage.user_id == user.id, MailMessage.kind == "password_reset")).one()
    assert mail.subject == "Aurora Leasing – Accesso sbloccato" and mail.to_address == user.primary_email
