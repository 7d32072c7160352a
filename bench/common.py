"""Helpers shared by the benchmarks: a seeded `large` database and a SQL statement counter."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from portal.db import make_engine

AS_OF = dt.date.fromisoformat(os.environ.get("BENCH_AS_OF", dt.date.today().isoformat()))


@functools.cache
def large_database() -> sa.Engine:
    """A migrated database holding the demo data and the fleet customer (SIZE=large)."""
    from alembic.config import Config

    from alembic import command
    from portal.config import PROJECT_ROOT
    from portal.seed.demo import seed_demo
    from portal.seed.fleet import seed_fleet
    from portal.services.common.branding import load_branding, sync_tenant

    url = (
        os.environ.get("BENCH_DATABASE_URL")
        or f"sqlite:///{Path(tempfile.mkdtemp(prefix='portal-bench-')) / 'large.db'}"
    )
    engine = make_engine(url)
    with engine.begin() as connection:
        config = Config(str(PROJECT_ROOT / "alembic.ini"))
        config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
        config.attributes["connection"] = connection
        config.attributes["skip_logging"] = True
        command.upgrade(config, "head")
    started = time.perf_counter()
    with Session(engine) as session:
        tenant = sync_tenant(session=session, branding=load_branding("aurora"))
        seed_demo(session=session, tenant=tenant, as_of=AS_OF)
        seed_fleet(session=session, tenant=tenant, as_of=AS_OF)
        session.commit()
    print(f"seeded the large data set in {time.perf_counter() - started:.1f} s ({engine.url.get_backend_name()})")
    return engine


@contextlib.contextmanager
def count_statements(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def timed(fn: Callable[[], object], repeat: int = 7) -> tuple[float, float]:
    """(median, best) wall time in milliseconds over `repeat` runs after one warm-up."""
    fn()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs), min(runs)


@contextlib.contextmanager
def peak_memory() -> Iterator[list[float]]:
    """Peak Python memory allocated inside the block, in MiB (tracemalloc)."""
    import tracemalloc

    result: list[float] = []
    tracemalloc.start()
    try:
        yield result
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result.append(peak / 2**20)
