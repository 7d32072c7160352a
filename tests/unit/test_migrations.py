"""The alembic migrations and the SQLModel tables must describe the same schema."""

from __future__ import annotations

import os
import secrets

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import portal.models  # noqa: F401  (registers every table in SQLModel's metadata)
from alembic import command
from portal.db import make_engine
from portal.jobs.tasks import alembic_include_name
from tests.conftest import _TMP, alembic_config, migrate


def _fresh_engine():
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        from tests.conftest import _postgres_engine

        return _postgres_engine(url)
    return make_engine(f"sqlite:///{_TMP / f'migrations-{secrets.token_hex(3)}.db'}"), None


def _drop(engine, schema):
    if schema:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_models_match_migrations():
    engine, schema = _fresh_engine()
    try:
        migrate(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": alembic_include_name}
            )
            differences = compare_metadata(context, SQLModel.metadata)
        assert differences == [], f"models and migrations disagree: {differences}"
    finally:
        _drop(engine, schema)


def test_migrations_downgrade_and_upgrade_again():
    engine, schema = _fresh_engine()
    try:
        migrate(engine)
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)
        assert "contract" in sa.inspect(engine).get_table_names()
    finally:
        _drop(engine, schema)


def test_customer_scoped_queries_are_indexed(engine):
    inspector = sa.inspect(engine)
    for table in ("contract", "schedule_line", "invoice", "payment", "leased_asset", "service_request"):
        indexed_first_columns = {index["column_names"][0] for index in inspector.get_indexes(table)}
        assert "customer_id" in indexed_first_columns, f"{table} has no index starting with customer_id"


def test_migrations_keep_existing_data():
    """Down to the first revision's successor and up again on a database full of demo data:
    every row survives and no foreign key is left dangling."""
    from sqlmodel import Session

    from portal.seed.demo import seed_demo
    from portal.services.common.branding import load_branding, sync_tenant
    from tests.conftest import AS_OF

    engine, schema = _fresh_engine()
    try:
        migrate(engine)
        with Session(engine) as session:
            seed_demo(
                session=session, tenant=sync_tenant(session=session, branding=load_branding("aurora")), as_of=AS_OF
            )
            session.commit()
        with engine.connect() as connection:
            before = {
                table: connection.execute(sa.text(f"select count(*) from {table}")).scalar()
                for table in ("invoice", "invoice_line", "schedule_line", "user_account", "payment")
            }
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0002")
        migrate(engine)
        with engine.connect() as connection:
            after = {table: connection.execute(sa.text(f"select count(*) from {table}")).scalar() for table in before}
            if engine.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert after == before
    finally:
        _drop(engine, schema)
