"""Shared fixtures: a migrated database per test session, one transaction per test, one clock.

Tests never touch the developer's database: DATABASE_URL is pointed at a temporary SQLite file
before the portal is imported. Data-layer tests run against PostgreSQL instead when
TEST_DATABASE_URL is set (each run in a schema of its own, dropped at the end).

The demo data is generated as of AS_OF and, in the unit and state tests, the portal's clock
(`portal.services.common.clock`) stands still on that day: the seed and the code under test read
the same calendar whatever the real date. PORTAL_TEST_TODAY=YYYY-MM-DD moves both
(`make test-clock-moved` runs the unit and state tests a year on).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import tempfile
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="portal-tests-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'app.db'}"
os.environ.setdefault("PORTAL_TENANT", "aurora")
os.environ["MAIL_BACKEND"] = "outbox"  # tests that need SMTP point at their own aiosmtpd
os.environ["PORTAL_PUBLIC_URL"] = "http://portal.test"
os.environ.pop("REDIS_URL", None)

import pytest
import sqlalchemy as sa
from alembic.config import Config
from sqlmodel import Session

from alembic import command
from portal.config import PROJECT_ROOT
from portal.db import make_engine


def _as_of() -> dt.date:
    value = os.environ.get("PORTAL_TEST_TODAY", "").strip()
    return dt.date.fromisoformat(value) if value else dt.date(2026, 11, 22)


# A fixed day keeps expectations stable; the demo data is generated as of this day.
AS_OF = _as_of()
# What the frozen clock shows: 09:00 UTC, 10:00 or 11:00 in Rome, so still AS_OF there.
NOW = dt.datetime.combine(AS_OF, dt.time(9, 0), tzinfo=dt.UTC)


@contextlib.contextmanager
def frozen_clock(moment: dt.datetime = NOW):
    """Stop the portal's clock at `moment`. Every module reads it as `clock.now()` / `clock.today()`
    through the module (`from portal.services.common import clock`), and `today()` calls `now()`,
    so replacing the one module attribute reaches them all."""
    from portal.services.common import clock

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: moment)
        assert clock.today() == moment.astimezone(clock.ROME).date()
        yield moment


def alembic_config(connection: sa.Connection) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["connection"] = connection
    config.attributes["skip_logging"] = True
    return config


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def _postgres_engine(url: str) -> tuple[sa.Engine, str]:
    schema = f"portal_test_{secrets.token_hex(4)}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    engine = sa.create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    return engine, schema


def _seed(engine: sa.Engine) -> None:
    from portal.seed.demo import seed_demo
    from portal.services.common.branding import load_branding, sync_tenant

    with frozen_clock(), Session(engine) as session:  # what the seed stamps "now" is AS_OF too
        seed_demo(session=session, tenant=sync_tenant(session=session, branding=load_branding("aurora")), as_of=AS_OF)
        session.commit()


@pytest.fixture(scope="session")
def engine():
    """A migrated database holding the demo data as of AS_OF; tests roll back their changes."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engine, schema = _postgres_engine(url)
        migrate(engine)
        _seed(engine)
        yield engine
        engine.dispose()
        admin = sa.create_engine(url)
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    else:
        engine = make_engine(f"sqlite:///{_TMP / 'unit.db'}")
        migrate(engine)
        _seed(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def db(engine):
    """A session whose work is rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def demo(db):
    """The demo tenant; its data (as of AS_OF) is in every test's database."""
    from sqlmodel import select

    from portal.models import Tenant

    return db.exec(select(Tenant).where(Tenant.slug == "aurora")).one()
