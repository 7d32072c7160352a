"""The production topology on loopback (issue 13, docs/DEPLOY.md): nginx in front, two backend
processes behind it (`reflex run --env prod --backend-only`, one worker each), a job worker
(`python -m portal.jobs worker`: it sends the mail), the frontend exported once as static files
served by nginx, this machine's PostgreSQL (a database of the
run's own, dropped at the end) and Redis (a database number of the run's own, flushed at the end),
and an SMTP mailbox for the sign-in codes.

Everything is started by the `topology` fixture and stopped in its finally blocks. The frontend
export (.web-deploy) is kept between runs and rebuilt only when the sources or nginx's port change.
DEPLOY_STATE_MANAGER=memory runs the same topology without Redis (each backend its own states),
to show that the failover test then fails.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from portal.config import PROJECT_ROOT
from portal.deploy import Site, render_main, render_site
from portal.seed.demo import DEMO_PASSWORD
from portal.services.access.passwords import hash_password
from portal.web.request_context import WEBSOCKET_CLOSED, WEBSOCKET_OPENED
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Mailbox, RunningApp, _free_port, italian_today
from tests.support import app_process

POSTGRES = os.environ.get("DEPLOY_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("DEPLOY_REDIS_URL", "redis://127.0.0.1:6379")
WEB_WORKDIR = ".web-deploy"
BUILD_MARK = "portal-deploy-build.json"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
STARTUP_TIMEOUT = 240
REDIS_CLAIM = "portal_deploy_test_owner"
CUSTOMER = "10093"
CONTEXT_LOGGER = "portal.web.request_context"


def _env_base() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "REDIS_URL", "DATABASE_URL", "SMTP_"))}
    env.update(
        REFLEX_USE_SYSTEM_BUN="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        REFLEX_WEB_WORKDIR=WEB_WORKDIR,
        PATH=f"{PROJECT_ROOT / '.tools' / 'node_modules' / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    env.pop("MAIL_BACKEND", None)
    return env


class Timer:
    """Figures for the report: how long each step took, in seconds."""

    def __init__(self):
        self.figures: dict[str, float] = {}

    @contextlib.contextmanager
    def step(self, name: str):
        started = time.monotonic()
        try:
            yield
        finally:
            self.figures[name] = round(time.monotonic() - started, 1)


class Backend:
    """One backend process: its own process group, so that it dies whole."""

    def __init__(self, name: str, port: int, env: dict[str, str], log_path: Path):
        self.name, self.port, self.env, self.log_path = name, port, env, log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        backend_only = ("reflex", "run", "--env", "prod", "--backend-only", "--backend-port", str(self.port))
        self.process = app_process.start((*backend_only, *app_process.INFO_LOG), self.env, self.log_path, append=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_path.read_text(errors='replace')[-4000:]}")
            with contextlib.suppress(OSError), urllib.request.urlopen(self.url + "/api/ready", timeout=5) as answer:
                if answer.status == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(
            f"{self.name} not ready in {timeout} s:\n{self.log_path.read_text(errors='replace')[-4000:]}"
        )

    def log_lines(self) -> list[dict]:
        """The backend's JSON log lines (its other output, Reflex's start-up text, left out)."""
        lines = []
        for raw in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if raw.startswith("{"):
                with contextlib.suppress(ValueError):
                    lines.append(json.loads(raw))
        return lines

    def open_websockets(self) -> int:
        """Websockets this backend has opened and not closed, by its own log (portal/web/request_context.py)."""
        messages = [line.get("message") for line in self.log_lines() if line.get("logger") == CONTEXT_LOGGER]
        return messages.count(WEBSOCKET_OPENED) - messages.count(WEBSOCKET_CLOSED)

    def kill(self) -> None:
        """SIGKILL to the whole process group: the server and its worker, no goodbye."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            app_process.stop(self.process)


class JobWorker:
    """One job worker process (`python -m portal.jobs worker`, docs/DEPLOY.md), in its own process group."""

    def __init__(self, name: str, env: dict[str, str], log_path: Path):
        self.name, self.env, self.log_path = name, env, log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "a", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "portal.jobs", "worker", "--name", self.name],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL: the worker dies in the middle of whatever it does, no goodbye."""
        if self.alive():
            assert self.process is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM, as systemd stops it: the running jobs finish, then it exits; its exit status."""
        if not self.alive():
            return None if self.process is None else self.process.returncode
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None


def _port_free(port: int) -> bool:
    with contextlib.closing(socket.socket()) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx binds: TIME_WAIT is no obstacle
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _sources_digest() -> str:
    """What the exported frontend depends on: the app's code, assets, tenants and configuration."""
    digest = hashlib.sha256()
    roots = [PROJECT_ROOT / "portal", PROJECT_ROOT / "assets", PROJECT_ROOT / "tenants"]
    files = [PROJECT_ROOT / "rxconfig.py", PROJECT_ROOT / "requirements.txt"]
    for root in roots:
        files += sorted(
            p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts and "external" not in p.parts
        )
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _prepare_web_workdir() -> None:
    """A fresh .web-deploy gets the installed packages of the browser tests' folder when there is
    one (nothing downloaded again); else Reflex installs them."""
    target = PROJECT_ROOT / WEB_WORKDIR
    shared = PROJECT_ROOT / os.environ.get("E2E_WEB_WORKDIR", ".web-e2e")
    if not target.exists() and shared.exists():
        shutil.copytree(
            shared, target, symlinks=True, ignore=lambda where, names: ["build"] if where == str(shared) else []
        )


def export_frontend(env: dict[str, str], nginx_port: int, log_path: Path) -> Path:
    """The static frontend for http://127.0.0.1:<nginx_port> (the address is compiled in)."""
    static = PROJECT_ROOT / WEB_WORKDIR / "build" / "client"
    mark_path = PROJECT_ROOT / WEB_WORKDIR / BUILD_MARK
    wanted = {"port": nginx_port, "sources": _sources_digest()}
    with contextlib.suppress(OSError, ValueError):
        if json.loads(mark_path.read_text()) == wanted and (static / "index.html").exists():
            return static
    _prepare_web_workdir()
    mark_path.unlink(missing_ok=True)
    with open(log_path, "w", encoding="utf-8") as log:
        built = subprocess.run(
            [sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip", "--loglevel", "info"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=900,
        )
    if built.returncode != 0 or not (static / "index.html").exists():
        raise RuntimeError(f"the frontend export failed:\n{log_path.read_text(errors='replace')[-4000:]}")
    mark_path.write_text(json.dumps(wanted))
    return static


def nginx_port_for_build() -> int:
    """The port of the kept export when it is free (no rebuild), else a free one."""
    with contextlib.suppress(OSError, ValueError, KeyError):
        port = int(json.loads((PROJECT_ROOT / WEB_WORKDIR / BUILD_MARK).read_text())["port"])
        if _port_free(port):
            return port
    return _free_port()


@contextlib.contextmanager
def own_postgres_database():
    """A database of this run's own on the machine's PostgreSQL; dropped at the end."""
    name = f"portal_deploy_{secrets.token_hex(4)}"
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield sa.make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextlib.contextmanager
def own_redis_database():
    """A Redis database number nobody uses (empty, claimed with a key of ours); flushed at the end."""
    claim = secrets.token_hex(8)
    for number in range(15, 0, -1):
        client = redis.Redis.from_url(f"{REDIS}/{number}")
        try:
            if client.dbsize() == 0 and client.set(REDIS_CLAIM, claim, nx=True):
                try:
                    yield f"{REDIS}/{number}"
                finally:
                    if client.get(REDIS_CLAIM) == claim.encode():
                        client.flushdb()
                return
        finally:
            client.close()
    raise RuntimeError(f"no empty Redis database at {REDIS}")


class Topology:
    def __init__(self, app: RunningApp, backends: list[Backend], nginx_log: Path, timer: Timer, redis_url: str | None):
        self.app, self.backends, self.nginx_log, self.timer, self.redis_url = app, backends, nginx_log, timer, redis_url

    def serving(self) -> list[Backend]:
        """The backends with a websocket open now."""
        return [backend for backend in self.backends if backend.open_websockets() > 0]


def _wait_http(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited early:\n{log_path.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as answer:
            if answer.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


@pytest.fixture(scope="session")
def mailbox() -> Mailbox:
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture(scope="session")
def topology(tmp_path_factory, mailbox) -> Topology:
    tmp = tmp_path_factory.mktemp("deploy")
    timer = Timer()
    shared_state = os.environ.get("DEPLOY_STATE_MANAGER", "redis") != "memory"
    with contextlib.ExitStack() as stack:
        with timer.step("database"):
            database_url = stack.enter_context(own_postgres_database())
            redis_url = stack.enter_context(own_redis_database())
        nginx_port = nginx_port_for_build()
        public_url = f"http://127.0.0.1:{nginx_port}"
        backend_ports = [_free_port(), _free_port()]
        env = _env_base()
        env.update(
            PORTAL_ENV="production",
            PORTAL_PUBLIC_URL=public_url,
            PORTAL_LISTEN_HOST="127.0.0.1",
            PORTAL_TENANT="aurora",
            PORTAL_PRIVATE_DIR=str(tmp / "private"),  # shared by the backends, as a shared volume would be
            PORTAL_WORKERS="2",
            GRANIAN_WORKERS="1",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            MAIL_BACKEND="smtp",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(mailbox.port),
            REFLEX_STATES_WORKDIR=str(tmp / "states"),
        )
        production_env = dict(env)
        if not shared_state:
            # The control run: no Redis for Reflex's states (each backend keeps its own in memory);
            # production's checks would refuse it, so the backends run as development processes
            # (the rate limits keep Redis by their own variable).
            env.update(
                PORTAL_ENV="development",
                PORTAL_WORKERS="1",
                PORTAL_REDIS_URL=redis_url,
                PORTAL_ALLOWED_ORIGINS=public_url,
                PORTAL_TRUSTED_PROXY_HOPS="1",
                PORTAL_LOG_FORMAT="json",
                REFLEX_BACKEND_ONLY="1",
            )
            env.pop("REDIS_URL")
        today = italian_today()
        with timer.step("migrate_seed_analyze"):
            _run([sys.executable, "-m", "alembic", "upgrade", "head"], env, "alembic upgrade head")
            # The seed is a tool of its own (its mail stays in the outbox): not a production process.
            _run(
                [sys.executable, "-m", "portal.seed", "--size", "demo", "--as-of", today.isoformat()],
                {**production_env, "PORTAL_ENV": "development", "PORTAL_WORKERS": "1"},
                "the demo seed",
            )
            engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
            try:
                with engine.connect() as connection:
                    # Outside demo mode the seed gives random passwords: the test's customer gets the
                    # README's back, as if they had chosen it.
                    connection.execute(
                        sa.text(
                            "update user_account set password_hash = :hash, must_change_password = false, "
                            "temporary_password_sent_at = null where username = :username"
                        ),
                        {"hash": hash_password(DEMO_PASSWORD), "username": CUSTOMER},
                    )
                    connection.execute(sa.text("ANALYZE"))
            finally:
                engine.dispose()
        with timer.step("frontend_export"):
            static = export_frontend(production_env, nginx_port, tmp / "export.log")
        backends = [
            Backend(f"backend-{index}", port, env, tmp / f"backend-{index}.log")
            for index, port in enumerate(backend_ports, start=1)
        ]
        nginx_log = tmp / "nginx" / "error.log"
        (tmp / "nginx").mkdir()
        site = tmp / "nginx" / "portal.conf"
        site.write_text(
            render_site(
                Site(
                    backends=tuple(f"127.0.0.1:{port}" for port in backend_ports),
                    static_root=static,
                    listen=f"127.0.0.1:{nginx_port}",
                    access_log=str(tmp / "nginx" / "access.log"),
                    fail_timeout_seconds=2,
                )
            )
        )
        main = tmp / "nginx" / "nginx.conf"
        main.write_text(render_main(site, tmp / "nginx"))
        nginx: subprocess.Popen | None = None
        # Production's backends only defer the jobs (PORTAL_JOB_WORKER=separate): a worker sends the mail.
        worker = JobWorker("jobs-1", env, tmp / "jobs-1.log")
        try:
            with timer.step("backends_start"):
                worker.start()
                for backend in backends:
                    backend.start()
                for backend in backends:
                    backend.wait_ready()
            with timer.step("nginx_start"):
                with open(tmp / "nginx" / "stdout.log", "w", encoding="utf-8") as out:
                    nginx = subprocess.Popen(
                        [NGINX, "-c", str(main), "-g", "daemon off;"],
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                _wait_http(public_url + "/api/ready", nginx, nginx_log)
                _wait_http(public_url + "/login", nginx, nginx_log)
            app = RunningApp(public_url, database_url, tmp / "backend-1.log", today, tmp / "private")
            yield Topology(app, backends, nginx_log, timer, redis_url if shared_state else None)
            app.engine.dispose()
        finally:
            for backend in backends:
                backend.stop()
            worker.stop()
            if nginx is not None and nginx.poll() is None:
                nginx.send_signal(signal.SIGQUIT)
                try:
                    nginx.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(nginx.pid, signal.SIGKILL)
            print(f"\ntopology figures (s): {json.dumps(timer.figures)}", file=sys.stderr)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
