"""Passwords, authentication and server-side sessions."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from portal.models import AuditEvent, UserAccount, UserSession
from portal.seed.demo import DEMO_PASSWORD
from portal.services.access.accounts import SignIn, authenticate, initials_of, principal_for
from portal.services.access.passwords import hash_password, verify_password
from portal.services.access.sessions import SessionPolicy, close_session, open_session, resolve_session, token_digest
from tests.conftest import NOW as T0
from tests.unit.conftest import id_mark, rows_after

POLICY = SessionPolicy.from_minutes(idle_minutes=15, absolute_hours=12)


def test_password_hash_is_argon2id():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery") is True
    assert verify_password(hashed, "wrong horse battery") is False
    assert verify_password(None, "anything") is False


def test_authenticate_and_lockout_after_three_failures(db, demo):
    user = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
    events = id_mark(db, AuditEvent)
    assert authenticate(session=db, username="10093", password=DEMO_PASSWORD, now=T0) == (SignIn.OK, user)
    for attempt in range(1, 3):
        assert authenticate(session=db, username="10093", password=f"wrong-{attempt}", now=T0) == (SignIn.FAILED, None)
        assert user.locked_at is None and user.failed_login_count == attempt
    assert authenticate(session=db, username="10093", password="wrong-3", now=T0) == (SignIn.FAILED, None)
    assert user.locked_at == T0
    # locked: even the right password is refused, and only then is the lock revealed
    assert authenticate(session=db, username="10093", password=DEMO_PASSWORD, now=T0) == (SignIn.LOCKED, None)
    assert authenticate(session=db, username="10093", password="wrong-4", now=T0) == (SignIn.FAILED, None)
    assert [(event.action, event.user_id) for event in rows_after(db, AuditEvent, events)] == [
        ("login.password_ok", user.id),
        ("login.failure", user.id),
        ("login.failure", user.id),
        ("login.failure", user.id),
        ("account.locked", user.id),
        ("login.refused_locked", user.id),
        ("login.failure", user.id),
    ]
    assert (user.locked_at, user.failed_login_count) == (T0, 3)  # a locked account counts no further


def test_success_resets_the_failure_count(db, demo):
    user = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
    authenticate(session=db, username="10093", password="wrong", now=T0)
    authenticate(session=db, username="10093", password="wrong", now=T0)
    assert user.failed_login_count == 2
    authenticate(session=db, username="10093", password=DEMO_PASSWORD, now=T0)
    assert user.failed_login_count == 0
    authenticate(session=db, username="10093", password="wrong", now=T0)
    assert (user.locked_at, user.failed_login_count) == (None, 1)  # a fresh count: the third failure is not reached


def test_unknown_user_answer_is_the_same(db, demo):
    assert authenticate(session=db, username="nobody", password=DEMO_PASSWORD, now=T0) == (SignIn.FAILED, None)
    assert authenticate(session=db, username="10093", password="wrong", now=T0) == (SignIn.FAILED, None)


def test_session_lifecycle(db, demo):
    user = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
    sessions = id_mark(db, UserSession)
    token = open_session(session=db, user=user, now=T0, policy=POLICY)
    assert len(token) == 43  # 32 random bytes, urlsafe base64 without padding
    [stored] = rows_after(db, UserSession, sessions)
    assert (stored.user_id, stored.created_at, stored.revoked_at) == (user.id, T0, None)
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


def test_the_guard_reads_session_user_and_customer_in_one_statement(db, demo):
    """Every guarded event resolves the session and builds the Principal: one round trip (issue 13)."""
    import sqlalchemy as sa
    from sqlmodel import Session

    user = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
    token = open_session(session=db, user=user, now=T0, policy=POLICY)
    db.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.get_bind()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        with Session(engine) as fresh:  # nothing in its identity map yet
            found = resolve_session(session=fresh, token=token, now=T0 + dt.timedelta(minutes=1), policy=POLICY)
            assert found is not None
            principal = principal_for(session=fresh, user=found)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert (principal.username, principal.customer_name) == ("10093", "Odontoiatrica Valverde S.r.l.")
    assert len(statements) == 1, statements
