"""Issue 11, finding 10: security counters are raised by the database, one worker at a time.

Several threads, each with its own connection, attack one account at the same moment; the counts
must come out as if the attempts had queued. Meaningful on PostgreSQL (`make test-postgres`, or
TEST_DATABASE_URL): SQLite serialises every writer anyway, so there these tests are skipped.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections import Counter

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from portal.models import AuditEvent, LoginChallenge, MailMessage, UserAccount, UserSession
from portal.models.enums import UserRole
from portal.models.mail import MailOutbox
from portal.models.user import PasswordResetToken, RecoveryCode
from portal.services.access import two_factor
from portal.services.access.accounts import SignIn, authenticate
from portal.services.access.passwords import hash_password
from portal.services.access.two_factor import Check
from tests.conftest import NOW as T0

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="races need a database with concurrent writers (PostgreSQL)"
)

WORKERS = 8
PASSWORD = "Right-horse-battery-9"


@pytest.fixture
def victim(engine):
    """An account committed for real (threads cannot see a test's open transaction); removed after."""
    with Session(engine) as db:
        model = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
        user = UserAccount(
            tenant_id=model.tenant_id,
            customer_id=model.customer_id,
            username=f"race-{secrets.token_hex(4)}",
            role=UserRole.CUSTOMER,
            primary_email="race@pec.example.it",
            password_hash=hash_password(PASSWORD),
        )
        db.add(user)
        db.commit()
        user_id = user.id
    try:
        yield user_id
    finally:
        with engine.begin() as connection:
            # the lock's mail to the owner leaves an unlock link (and maybe queued mail) behind too
            for table in (
                AuditEvent,
                MailMessage,
                MailOutbox,
                LoginChallenge,
                UserSession,
                PasswordResetToken,
                RecoveryCode,
            ):
                connection.execute(sa.delete(table).where(table.user_id == user_id))  # type: ignore[arg-type]
            connection.execute(sa.delete(UserAccount).where(UserAccount.id == user_id))  # type: ignore[arg-type]


def _at_once(engine, work, count=WORKERS) -> list:
    """Run `work(db)` in `count` threads released together, each committing its own session."""
    barrier, results, errors = threading.Barrier(count), [None] * count, []

    def run(index: int) -> None:
        try:
            barrier.wait()
            with Session(engine, expire_on_commit=False) as db:
                results[index] = work(db)
                db.commit()
        except Exception as error:  # noqa: BLE001  (reported below, with the others)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_concurrent_wrong_passwords_count_each_and_lock_once(engine, victim):
    with Session(engine) as db:
        username = db.get(UserAccount, victim).username
    outcomes = _at_once(
        engine, lambda db: authenticate(session=db, username=username, password="wrong-horse", now=T0)[0]
    )
    assert outcomes == [SignIn.FAILED] * WORKERS
    with Session(engine) as db:
        user = db.get(UserAccount, victim)
        assert (user.failed_login_count, user.locked_at) == (3, T0)  # three counted, then locked: no lost update
        locks = db.exec(
            select(AuditEvent).where(AuditEvent.user_id == victim, AuditEvent.action == "account.locked")
        ).all()
        assert len(locks) == 1


def test_concurrent_wrong_codes_queue_behind_the_account_count(engine, victim):
    with Session(engine) as db:
        user = db.get(UserAccount, victim)
        handles = [two_factor.begin(session=db, user=user, now=T0)[0] for _ in range(WORKERS)]
        db.commit()
    outcomes = _at_once(
        engine,
        lambda db: two_factor.check(session=db, handle=handles.pop(), code="not-a-code", now=T0).outcome,
    )
    # By hand: the 1st and 2nd wrong codes cost nothing, the 3rd imposes 30 s; every later code
    # arrives inside that wait and is not looked at.
    assert Counter(outcomes) == {Check.WRONG: 3, Check.WAIT: WORKERS - 3}
    with Session(engine) as db:
        user = db.get(UserAccount, victim)
        assert user.second_factor_failures == 3
        attempts = db.exec(select(LoginChallenge.attempts).where(LoginChallenge.user_id == victim)).all()
        assert sorted(attempts) == [0] * (WORKERS - 3) + [1, 1, 1]


def test_a_sign_in_ticket_sent_by_several_workers_at_once_opens_one_session(engine, victim):
    from portal.services.access import sign_in
    from portal.services.access.sessions import SessionPolicy

    policy = SessionPolicy.from_minutes(idle_minutes=15, absolute_hours=12)
    with Session(engine) as db:
        user = db.get(UserAccount, victim)
        handle, _ = two_factor.begin(session=db, user=user, now=T0)
        challenge = db.exec(select(LoginChallenge).where(LoginChallenge.user_id == victim)).one()
        challenge.verified_at = T0  # as if its code had been accepted
        db.add(challenge)
        db.commit()
        ticket = two_factor.sign_in_ticket(session=db, handle=handle, now=T0)
        db.commit()
    opened = _at_once(
        engine, lambda db: sign_in.open_from_ticket(session=db, ticket=ticket, now=T0, policy=policy) is not None
    )
    assert sorted(opened) == [False] * (WORKERS - 1) + [True]
    with Session(engine) as db:
        assert len(db.exec(select(UserSession).where(UserSession.user_id == victim)).all()) == 1


def test_concurrent_resends_mail_one_code(engine, victim):
    with Session(engine) as db:
        user = db.get(UserAccount, victim)
        handle, _ = two_factor.begin(session=db, user=user, now=T0)
        db.commit()
    later = T0 + two_factor.RESEND_INTERVAL
    outcomes = _at_once(engine, lambda db: two_factor.resend(session=db, handle=handle, now=later)[0])
    # By hand: the first resend is due; every other one is within 30 s of it.
    assert Counter(outcomes) == {two_factor.Resend.SENT: 1, two_factor.Resend.TOO_SOON: WORKERS - 1}
    with Session(engine) as db:
        kinds = db.exec(select(MailOutbox.kind).where(MailOutbox.user_id == victim)).all()
        assert kinds == ["login_code", "login_code"]  # the first code and one resend
