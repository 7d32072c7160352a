"""Passwords, authentication and server-side sessions."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from portal.models import AuditEvent, UserAccount, UserSession
from portal.seed.demo import DEMO_PASSWORD
from portal.services.accounts import authenticate, initials_of, principal_for
from portal.services.passwords import hash_password, verify_password
from portal.services.sessions import SessionPolicy, close_session, open_session, resolve_session, token_digest

POLICY = SessionPolicy.from_minutes(idle_minutes=15, absolute_hours=12)
T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc)


def test_password_hash_is_argon2id():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "wrong horse battery")
    assert not verify_password(None, "anything")


def test_authenticate(db, demo):
    assert authenticate(session=db, username="10093", password=DEMO_PASSWORD, now=T0) is not None
    assert authenticate(session=db, username="10093", password="not the password", now=T0) is None
    assert authenticate(session=db, username="nobody", password=DEMO_PASSWORD, now=T0) is None
    actions = [event.action for event in db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert actions[-3:] == ["login.success", "login.failure", "login.failure"]


def test_session_lifecycle(db, demo):
    user = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
    token = open_session(session=db, user=user, now=T0, policy=POLICY)
    assert len(token) >= 43  # 32 random bytes, urlsafe base64
    stored = db.exec(select(UserSession).where(UserSession.user_id == user.id)).one()
    assert stored.token_hash == token_digest(token) != token
    assert resolve_session(session=db, token=token, now=T0 + dt.timedelta(minutes=10), policy=POLICY).id == user.id
    # activity keeps it alive past the idle limit counted from login...
    assert resolve_session(session=db, token=token, now=T0 + dt.timedelta(minutes=24), policy=POLICY) is not None
    # ...but 15 idle minutes end it for good
    assert resolve_session(session=db, token=token, now=T0 + dt.timedelta(minutes=40), policy=POLICY) is None
    assert resolve_session(session=db, token=token, now=T0 + dt.timedelta(minutes=41), policy=POLICY) is None


def test_absolute_lifetime_and_logout(db, demo):
    user = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
    token = open_session(session=db, user=user, now=T0, policy=POLICY)
    moment = T0
    while moment < T0 + dt.timedelta(hours=11, minutes=50):
        moment += dt.timedelta(minutes=10)
        assert resolve_session(session=db, token=token, now=moment, policy=POLICY) is not None
    assert resolve_session(session=db, token=token, now=T0 + dt.timedelta(hours=12), policy=POLICY) is None

    other = open_session(session=db, user=user, now=T0, policy=POLICY)
    assert close_session(session=db, token=other, now=T0)
    assert resolve_session(session=db, token=other, now=T0, policy=POLICY) is None
    assert resolve_session(session=db, token="", now=T0, policy=POLICY) is None
    assert resolve_session(session=db, token="forged", now=T0, policy=POLICY) is None


def test_principal_carries_no_secret(db, demo):
    user = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
    principal = principal_for(session=db, user=user)
    assert principal.customer_name == "Odontoiatrica Valverde S.r.l."
    assert principal.initials == "LC"
    assert "password" not in " ".join(principal.__dataclass_fields__)
    assert initials_of("Odontoiatrica Valverde S.r.l.") == "OV"
