"""Alembic environment: used by `alembic` and the tests; `reflex db` drives the same scripts.

The URL comes from portal.config (DATABASE_URL) unless the caller put a connection in
config.attributes["connection"], as the test-suite does.
"""

from logging.config import fileConfig

from sqlmodel import SQLModel

import portal.models  # noqa: F401  (registers every table on the metadata)
from alembic import context
from portal.config import settings
from portal.db import make_engine
from portal.jobs.tasks import alembic_include_name

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _foreign_keys(connection, enabled: bool) -> None:
    """SQLite rebuilds a table to alter it (batch mode): foreign keys must be off meanwhile,
    and the pragma only takes effect outside a transaction, so it is set before migrating."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        include_name=alembic_include_name,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=settings.database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _foreign_keys(connection, False)
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        _foreign_keys(connection, True)
        return
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        _foreign_keys(connection, False)
        connection.commit()  # end the implicit transaction, or the migrations would run inside it
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        _foreign_keys(connection, True)
        connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
