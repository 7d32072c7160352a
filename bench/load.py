"""Load benchmark: many signed-in tabs navigating the portal over Reflex's websocket, as browsers do.

    python bench/load.py [--url URL --database-url URL] [--users 1,10,50,100,200,500]
                         [--duration 20] [--think 5] [--workers 5]

Without --url it starts the app itself as production runs it (demo mode off, `reflex run --env
prod --single-port`, GRANIAN_WORKERS backend workers) on a database of its own: PostgreSQL (the
`portal_bench` database on BENCH_PG_URL, default this machine's server) with the large data set
(the fleet customer 50001 and its 500 contracts), ANALYZEd after the load, and Redis (db 7 of
BENCH_REDIS_URL) as the state manager when it answers; SQLite and memory state otherwise.

Each virtual user is one tab with a session of its own (opened through the service layer, which
skips the e-mailed code) for 50001, 10093 or 20417 in turn, and follows Home → Fatture e pagamenti
→ Contratti → Piano → Richieste → Home…, waiting a random think time (exponential, mean --think
seconds) between pages. For each number of users it prints page loads per second, the time to the
last delta (p50/p95/p99), errors, bytes per navigation, and the server's CPU (cores busy) and RSS.
The floor is a no-op event's round trip on the same server; the ratio of a page load to it says
how much of the time is the portal's own work.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ws_client import ProtocolError, Tab  # noqa: E402  (after the project root is on the path)
from tests.support import app_process  # noqa: E402

USERNAMES = ("50001", "10093", "20417")
HOME, BILLING, CONTRACTS, PLAN, REQUESTS = "/", "/fatture-e-pagamenti", "/contratti", "/contratti/piano", "/richieste"
TOUR = (HOME, BILLING, CONTRACTS, PLAN, REQUESTS)
ANSWER_TIMEOUT = 60.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclasses.dataclass
class Level:
    users: int
    loads: list[float] = dataclasses.field(default_factory=list)  # seconds to the last delta
    bytes: list[int] = dataclasses.field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    rss_mb: float = 0.0


# --- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reachable(url: str) -> bool:
    import sqlalchemy as sa

    try:
        sa.create_engine(url, connect_args={"connect_timeout": 3}).connect().close()
    except Exception:  # any failure means: not this database
        return False
    return True


def _redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:  # no client, no server: memory state
        return False


def _prepare_database(workdir: Path, fresh: bool) -> str:
    """A database with the large data set (kept from an earlier run unless `fresh`); its URL."""
    import sqlalchemy as sa

    pg = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    if _reachable(pg):
        kept = sa.make_url(pg).set(database="portal_bench").render_as_string(hide_password=False)
        if not fresh and _has_fleet(kept):
            print("database: postgresql, the large data set of an earlier run (--fresh loads it again)")
            return kept
        admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text("drop database if exists portal_bench"))
            connection.execute(sa.text("create database portal_bench"))
        admin.dispose()
        url = sa.make_url(pg).set(database="portal_bench").render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{workdir / 'bench.db'}"
    env = {**os.environ, "DATABASE_URL": url, "PORTAL_DEMO_MODE": "0", "MAIL_BACKEND": "outbox"}
    started = time.perf_counter()
    for command in (["alembic", "upgrade", "head"], ["portal.seed", "--size", "large"]):
        subprocess.run([sys.executable, "-m", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    engine = sa.create_engine(url)
    with engine.connect() as connection:  # autovacuum may be off: a bulk load ends with statistics
        connection.execute(sa.text("analyze"))
        connection.commit()
    engine.dispose()
    print(f"database: {sa.make_url(url).get_backend_name()}, large data set in {time.perf_counter() - started:.0f} s")
    return url


def _has_fleet(url: str) -> bool:
    import sqlalchemy as sa

    if not _reachable(url):
        return False
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.execute(sa.text("select count(*) from customer where code = '50001'")).scalar())
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()


@contextlib.contextmanager
def running_server(workers: int, database_url: str, workdir: Path) -> Iterator[tuple[str, int]]:
    """The backend on a free port; (base URL, process group id)."""
    port = _free_port()
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORTAL_DEMO_MODE": "0",
        "MAIL_BACKEND": "outbox",
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PORTAL_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
        "PORTAL_PRIVATE_DIR": str(workdir / "private"),
        "GRANIAN_WORKERS": str(workers),
        # its own web folder, its packages copied from the browser tests' (the first run builds the frontend)
        "REFLEX_WEB_WORKDIR": app_process.own_web_folder(".web-bench", ".web-e2e"),
        "REFLEX_STATES_WORKDIR": str(workdir / "states"),
        "REFLEX_USE_SYSTEM_BUN": "1",
        "PATH": f"{ROOT / '.tools/node_modules/.bin'}{os.pathsep}{os.environ.get('PATH', '')}",  # bun, as make does
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
    }
    env.pop("REDIS_URL", None)
    env["PORT"] = str(port)
    if not database_url.startswith("sqlite"):
        env["PORTAL_JOB_WORKER"] = "separate"  # as production runs it: no job worker inside the backends
    if _redis_answers(redis_url):
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        env["REDIS_URL"] = redis_url
    if "REDIS_URL" not in env or database_url.startswith("sqlite"):
        workers = 1  # several workers need shared state and a database server (the portal refuses otherwise)
        env["GRANIAN_WORKERS"] = "1"
    print(f"server: {workers} backend workers, state in {'Redis' if 'REDIS_URL' in env else 'memory'}")
    process = app_process.start(app_process.SINGLE_PORT_APP, env, workdir / "server.log")
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((workdir / "server.log").read_text(errors="replace")[-3000:])
            with contextlib.suppress(OSError), urllib.request.urlopen(base + "/ping", timeout=2):
                break
            time.sleep(0.5)
        yield base, process.pid
    finally:
        app_process.stop(process)


def _group_usage(pgid: int) -> tuple[float, float]:
    """CPU seconds so far and resident MB of every process in the server's group (from /proc)."""
    cpu = rss = 0.0
    if pgid <= 0:  # a server the benchmark did not start: not measured
        return cpu, rss
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:  # field 5, pgrp (fields here start at field 3, state)
                continue
            cpu += (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) / 1024
        except (OSError, IndexError, ValueError):
            continue
    return cpu, rss


# --- sessions and users -----------------------------------------------------------------------


def open_sessions(database_url: str, count: int) -> list[tuple[str, str]]:
    """`count` (cookie, first plan contract number) pairs, round-robin over USERNAMES."""
    os.environ["DATABASE_URL"] = database_url
    from sqlmodel import Session, col, select

    from portal.db import make_engine
    from portal.models import Contract, UserAccount
    from portal.services.access.sessions import SESSION_COOKIE, SESSION_POLICY, open_session
    from portal.services.common import clock

    engine = make_engine(database_url)
    pairs: list[tuple[str, str]] = []
    with Session(engine) as session:
        users = {
            u.username: u for u in session.exec(select(UserAccount).where(col(UserAccount.username).in_(USERNAMES)))
        }
        numbers = {
            name: session.exec(
                select(Contract.number).where(Contract.customer_id == user.customer_id).order_by(Contract.number)
            ).first()
            or ""
            for name, user in users.items()
        }
        for index in range(count):
            name = USERNAMES[index % len(USERNAMES)]
            token = open_session(session=session, user=users[name], now=clock.now(), policy=SESSION_POLICY)
            pairs.append((f"{SESSION_COOKIE}={token}", numbers[name]))
        session.commit()
    engine.dispose()
    return pairs


async def _user(
    base: str, cookie: str, number: str, level: Level, window: tuple[float, float], think: float, rng
) -> None:
    measure_from, stop_at = window
    tab = Tab(base, cookie)
    loop = asyncio.get_running_loop()
    try:
        await tab.open(ANSWER_TIMEOUT)
        await tab.navigate(HOME, ANSWER_TIMEOUT)  # the first page: not measured
        step = rng.randrange(len(TOUR))
        await asyncio.sleep(rng.uniform(0, think))  # users do not all start at once
        while loop.time() < stop_at:
            path = TOUR[step % len(TOUR)]
            query = f"numero={number}" if path == PLAN else ""
            started = loop.time()
            received = await tab.navigate(path, ANSWER_TIMEOUT, query)
            if started >= measure_from and loop.time() <= stop_at:
                level.loads.append(loop.time() - started)
                level.bytes.append(received.bytes)
                level.errors += received.errors
            step += 1
            await asyncio.sleep(rng.expovariate(1 / think) if think else 0)
    except (ProtocolError, TimeoutError, OSError):
        level.errors += 1
    finally:
        await tab.close()


async def run_level(
    base: str, pgid: int, sessions: list[tuple[str, str]], users: int, duration: float, think: float
) -> Level:
    level = Level(users)
    rng = random.Random(users)
    loop = asyncio.get_running_loop()
    # The first think time is spent starting the tabs (connect, first page): measured after it.
    measure_from = loop.time() + max(think, 2.0)
    stop_at = measure_from + duration
    tasks = [
        _user(base, cookie, number, level, (measure_from, stop_at), think, rng) for cookie, number in sessions[:users]
    ]
    gathering = asyncio.gather(*tasks)
    await asyncio.sleep(max(0.0, measure_from - loop.time()))
    cpu_before, _ = _group_usage(pgid)
    await asyncio.sleep(max(0.0, stop_at - loop.time()))
    cpu_after, rss = _group_usage(pgid)
    await gathering
    level.seconds = duration
    level.cpu_seconds, level.rss_mb = cpu_after - cpu_before, rss
    return level


async def floor(base: str, cookie: str, rounds: int = 200) -> float:
    """Median seconds of a no-op event's round trip for one tab on the idle server."""
    tab = Tab(base, cookie)
    await tab.open(ANSWER_TIMEOUT)
    try:
        await tab.navigate(HOME, ANSWER_TIMEOUT)
        times = []
        loop = asyncio.get_running_loop()
        for _ in range(rounds):
            started = loop.time()
            await tab.noop(HOME, ANSWER_TIMEOUT)
            times.append(loop.time() - started)
        return statistics.median(times)
    finally:
        await tab.close()


@dataclasses.dataclass
class FleetFigures:
    pages: list[tuple[str, int, int]]  # (page, bytes of the first visit, of a return visit)
    home_ms: float  # median page load of Home, the tab warm
    bell_ms: float  # median bell refresh
    bell_bytes: int


async def fleet_figures(base: str, cookie: str, number: str, rounds: int = 20) -> FleetFigures:
    """One fresh tab of the fleet customer (USERNAMES[0], 500 contracts): what each navigation
    sends at the most (first visit) and usually (return visit), and the bell's refresh next to a
    page load, on the idle server."""
    tab = Tab(base, cookie)
    await tab.open(ANSWER_TIMEOUT)
    loop = asyncio.get_running_loop()

    async def median_ms(step) -> tuple[float, int]:
        times, sizes = [], []
        for _ in range(rounds):
            started = loop.time()
            sizes.append((await step()).bytes)
            times.append(loop.time() - started)
        return statistics.median(times) * 1000, int(statistics.median(sizes))

    try:
        sizes = []
        for _ in range(2):
            for path in TOUR:
                received = await tab.navigate(path, ANSWER_TIMEOUT, f"numero={number}" if path == PLAN else "")
                sizes.append(received.bytes)
        home_ms, _ = await median_ms(lambda: tab.navigate(HOME, ANSWER_TIMEOUT))
        bell_ms, bell_bytes = await median_ms(lambda: tab.refresh_bell(HOME, ANSWER_TIMEOUT))
        pages = [(path, sizes[i], sizes[i + len(TOUR)]) for i, path in enumerate(TOUR)]
        return FleetFigures(pages, home_ms, bell_ms, bell_bytes)
    finally:
        await tab.close()


def report_fleet(fleet: FleetFigures, floor_seconds: float) -> None:
    print("fleet customer (500 contracts), KB sent per navigation, first visit / return visit:")
    print("  " + ", ".join(f"{path} {first / 1024:.1f} / {again / 1024:.1f}" for path, first, again in fleet.pages))
    print(
        f"  the bell's 30 s refresh: median {fleet.bell_ms:.1f} ms, {fleet.bell_bytes / 1024:.1f} KB "
        f"(with the floor's round trip, {floor_seconds * 1000:.1f} ms); a Home page load: {fleet.home_ms:.1f} ms"
    )


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


def report(levels: list[Level], floor_seconds: float) -> None:
    print(f"floor: a no-op event round trip, median {floor_seconds * 1000:.1f} ms")
    header = (
        f"{'users':>6} {'loads/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6} "
        f"{'KB/nav':>7} {'cores':>6} {'RSS MB':>7} {'p50/floor':>9}"
    )
    print(header)
    for level in levels:
        p50 = _percentile(level.loads, 0.50)
        print(
            f"{level.users:>6} {len(level.loads) / level.seconds:>8.1f} {p50 * 1000:>8.0f} "
            f"{_percentile(level.loads, 0.95) * 1000:>8.0f} {_percentile(level.loads, 0.99) * 1000:>8.0f} "
            f"{level.errors:>6} {statistics.mean(level.bytes) / 1024 if level.bytes else 0:>7.1f} "
            f"{level.cpu_seconds / level.seconds:>6.2f} {level.rss_mb:>7.0f} {p50 / floor_seconds:>9.1f}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench/load.py", description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running portal (its backend); with --database-url")
    parser.add_argument("--database-url", help="the running portal's database (sessions are opened in it)")
    parser.add_argument("--users", default=os.environ.get("BENCH_USERS", "1,10,50,100,200,500"))
    parser.add_argument("--duration", type=float, default=float(os.environ.get("BENCH_DURATION", "20")))
    parser.add_argument("--think", type=float, default=float(os.environ.get("BENCH_THINK", "5")))
    parser.add_argument("--fresh", action="store_true", help="load the data set again")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "5")))
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.users.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    with contextlib.ExitStack() as stack:
        if args.url:
            base, pgid, database_url = args.url.rstrip("/"), 0, args.database_url
            if not database_url:
                parser.error("--url needs --database-url (sessions are opened in the portal's database)")
        else:
            database_url = _prepare_database(workdir, args.fresh)
            base, pid = stack.enter_context(running_server(args.workers, database_url, workdir))
            pgid = os.getpgid(pid)
        sessions = open_sessions(database_url, max(counts) + 1)
        floor_seconds = asyncio.run(floor(base, sessions[-1][0]))
        fleet = asyncio.run(fleet_figures(base, *sessions[0]))  # sessions go round-robin from USERNAMES[0]
        levels = []
        for users in counts:
            level = asyncio.run(run_level(base, pgid, sessions, users, args.duration, args.think))
            levels.append(level)
            print(f"  {users} users: {len(level.loads)} page loads, {level.errors} errors")
        report(levels, floor_seconds)
        report_fleet(fleet, floor_seconds)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
