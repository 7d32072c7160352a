"""Two workers at the same moment (PostgreSQL: SQLite has one writer at a time, so these races only
exist on the production database). The second waits on the row lock of the first and then reads
what the first wrote: a single-use link changes one password, never two; two wrong passwords
count two failures, never one."""

from __future__ import annotations

import os
import re
import threading

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from portal.models import Contract, Customer, UserAccount
from portal.models.mail import MailOutbox
from portal.services.access.accounts import SignIn, authenticate
from portal.services.access.onboarding import Onboarding, register
from portal.services.access.recovery import Reset, complete_reset, request_reset
from tests.conftest import NOW as T0

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="the race needs PostgreSQL")

URL = "http://portal.test"
# children before parents: the rows a test added are deleted in this order
TABLES_ADDED_TO = (
    "password_reset_token",
    "mail_message",
    "mail_outbox",
    "audit_event",
    "user_session",
    "user_account",
)


def _marks(connection) -> dict[str, int]:
    return {
        table: connection.execute(sa.text(f"select coalesce(max(id), 0) from {table}")).scalar_one()
        for table in TABLES_ADDED_TO
    }


def _waiting_on_a_lock(engine) -> bool:
    with engine.connect() as connection:
        return (
            connection.execute(
                sa.text(
                    "select count(*) from pg_stat_activity "
                    "where wait_event_type = 'Lock' and datname = current_database()"
                )
            ).scalar_one()
            > 0
        )


def _second_worker_waits_then(engine, first: Session, action) -> list:
    """Run `action(session)` in another thread while `first` holds its locks; commit `first` once
    the other is waiting on them; the other's result."""
    result: list = []

    def worker() -> None:
        second = Session(engine)
        try:
            result.append(action(second))
            second.commit()
        except Exception as error:  # the test reports it: a failing worker must not hang the suite
            result.append(error)
            second.rollback()
        finally:
            second.close()

    thread = threading.Thread(target=worker)
    thread.start()
    while not _waiting_on_a_lock(engine) and thread.is_alive():
        thread.join(timeout=0.05)  # until the second worker waits on the first one's lock
    first.commit()
    first.close()
    thread.join(timeout=60)
    return result


def test_two_wrong_passwords_at_once_count_two_failures(engine):
    with engine.connect() as connection:
        marks = _marks(connection)
        before = connection.execute(sa.text("select * from user_account where username = '10093'")).mappings().one()
    assert before["failed_login_count"] == 0
    first = Session(engine)  # closed in `finally` too: a failed assertion must not leave it open
    try:
        assert authenticate(session=first, username="10093", password="wrong one", now=T0) == (SignIn.FAILED, None)
        first.flush()
        second = _second_worker_waits_then(
            engine, first, lambda db: authenticate(session=db, username="10093", password="wrong two", now=T0)
        )
        assert second == [(SignIn.FAILED, None)]
        with engine.connect() as connection:
            assert (
                connection.execute(
                    sa.text("select failed_login_count from user_account where username = '10093'")
                ).scalar_one()
                == 2
            )
    finally:
        first.close()
        _restore(engine, marks, before)


def _restore(engine, marks: dict[str, int], before) -> None:
    with engine.begin() as connection:
        for table in TABLES_ADDED_TO:
            connection.execute(sa.text(f"delete from {table} where id > :m"), {"m": marks[table]})
        columns = [name for name in before if name != "id"]
        connection.execute(
            sa.text(f"update user_account set {', '.join(f'{c} = :{c}' for c in columns)} where id = :id"),
            dict(before),
        )


def test_two_workers_using_one_link_at_once(engine):
    with engine.connect() as connection:
        marks = _marks(connection)
        before = connection.execute(sa.text("select * from user_account where username = '10093'")).mappings().one()
    first = Session(engine)  # closed in `finally` too: a failed assertion must not leave it open
    try:
        with Session(engine) as db:
            user = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
            request_reset(session=db, email=user.primary_email, now=T0, public_url=URL, client_ip="race")
            # the link is queued with the token row, in the same transaction
            body = db.exec(select(MailOutbox.body_text).where(MailOutbox.id > marks["mail_outbox"])).one()
            db.commit()
        token = re.search(r"token=([\w-]+)", body).group(1)

        assert complete_reset(session=first, token=token, new_password="first worker's password", now=T0) == (
            Reset.DONE,
            None,
        )  # not committed yet: the link's row stays locked
        second_result = _second_worker_waits_then(
            engine,
            first,
            lambda db: complete_reset(session=db, token=token, new_password="second worker's password", now=T0),
        )
        assert second_result == [(Reset.INVALID_LINK, None)]
        with Session(engine) as db:
            used = db.exec(
                sa.text("select count(*) from password_reset_token where id > :m and used_at is not null").bindparams(
                    m=marks["password_reset_token"]
                )
            ).one()
            assert used == (1,)
    finally:
        first.close()
        _restore(engine, marks, before)


def test_two_registrations_at_once_make_one_account(engine):
    with engine.connect() as connection:
        marks = _marks(connection)
        before = connection.execute(sa.text("select * from user_account where username = '10093'")).mappings().one()
    with Session(engine) as db:
        bakery = db.exec(select(Customer).where(Customer.code == "41250")).one()
        contract = db.exec(select(Contract).where(Contract.customer_id == bakery.id)).first()
        assert db.exec(select(UserAccount).where(UserAccount.customer_id == bakery.id)).first() is None
        data = {
            "tenant_id": bakery.tenant_id,
            "contract_number": contract.number,
            "module_number": contract.module_number,
            "tax_code": bakery.partita_iva or bakery.codice_fiscale,
            "email": bakery.pec or "",  # the PEC on file: the base code asked for it too
            "language": "it",
            "now": T0,
            "public_url": URL,
        }
    first = Session(engine)  # closed in `finally` too: a failed assertion must not leave it open
    try:
        assert register(session=first, client_ip="192.0.2.1", **data).outcome is Onboarding.SENT
        second = _second_worker_waits_then(
            engine, first, lambda db: register(session=db, client_ip="192.0.2.2", **data)
        )
        assert [result.outcome for result in second] == [Onboarding.WAIT]
        with engine.connect() as connection:
            assert (
                connection.execute(sa.text("select count(*) from user_account where username = '41250'")).scalar_one()
                == 1
            )
            assert (
                connection.execute(
                    sa.text("select count(*) from mail_outbox where id > :m"), {"m": marks["mail_outbox"]}
                ).scalar_one()
                == 1
            )
    finally:
        first.close()
        _restore(engine, marks, before)
