"""Finding 2 (issue 11): demo mode stays on the presenter's machine, and outside demo mode the
seeded accounts do not keep the password printed in README.md."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import sqlalchemy as sa

from portal.config import PROJECT_ROOT, SettingsError, check_settings, demo_banner, load_settings
from portal.seed.demo import DEMO_PASSWORD
from portal.services.access.passwords import verify_password

SQLITE = "sqlite:////tmp/portal-demo-check.db"


def _settings(monkeypatch, **env: str):
    for name in ("PORTAL_ALLOWED_ORIGINS", "PORTAL_PUBLIC_URL", "PORTAL_LISTEN_HOST", "PORTAL_DEMO_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", SQLITE)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return check_settings(load_settings())


@pytest.mark.parametrize(
    "env",
    [
        {"PORTAL_PUBLIC_URL": "https://portale.example"},
        {"PORTAL_PUBLIC_URL": "HTTPS://portale.example"},
        {"PORTAL_ALLOWED_ORIGINS": "https://portale.example"},
        {"PORTAL_ALLOWED_ORIGINS": "http://127.0.0.1:3000,https://portale.example"},
        {"DATABASE_URL": "postgresql+psycopg://portal@db.example/portal"},
        {"DATABASE_URL": "mysql://portal@db.example/portal"},
    ],
)
def test_demo_mode_refuses_what_faces_real_users(monkeypatch, env):
    with pytest.raises(SettingsError, match="PORTAL_DEMO_MODE is refused"):
        _settings(monkeypatch, PORTAL_DEMO_MODE="1", **env)


@pytest.mark.parametrize("demo", ["0", "1"])
@pytest.mark.parametrize("origins", ["*", "http://127.0.0.1:3000,*", " * "])
def test_any_origin_is_refused(monkeypatch, demo, origins):
    with pytest.raises(SettingsError, match="PORTAL_ALLOWED_ORIGINS='\\*' is refused"):
        _settings(monkeypatch, PORTAL_DEMO_MODE=demo, PORTAL_ALLOWED_ORIGINS=origins)


def test_demo_mode_listens_on_loopback_unless_told(monkeypatch):
    assert _settings(monkeypatch, PORTAL_DEMO_MODE="1").listen_host == "127.0.0.1"
    told = _settings(monkeypatch, PORTAL_DEMO_MODE="1", PORTAL_LISTEN_HOST="0.0.0.0")
    assert told.listen_host == "0.0.0.0"
    assert "listening on 0.0.0.0, NOT loopback only" in demo_banner(told)


def test_production_settings_are_accepted_and_quiet(monkeypatch):
    production = _settings(
        monkeypatch,
        PORTAL_DEMO_MODE="0",
        PORTAL_ALLOWED_ORIGINS="https://portale.example",
        DATABASE_URL="postgresql+psycopg://portal@db.example/portal",
    )
    assert (production.demo_mode, production.is_https, production.listen_host) == (False, True, "0.0.0.0")
    assert demo_banner(production) == ""


def _reflex_config(**env: str) -> subprocess.CompletedProcess:
    """Load rxconfig.py as `reflex run` does, in a process of its own with `env`."""
    child = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "DATABASE_URL"))}
    child.update(DATABASE_URL=SQLITE, PORTAL_TENANT="aurora", **env)
    return subprocess.run(
        [sys.executable, "-c", "import rxconfig; print('HOST=' + rxconfig.config.backend_host)"],
        cwd=PROJECT_ROOT,
        env=child,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_server_binds_loopback_in_demo_mode_and_says_so_loudly():
    started = _reflex_config(PORTAL_DEMO_MODE="1")
    assert started.returncode == 0, started.stderr
    assert "HOST=127.0.0.1" in started.stdout
    assert "DEMO MODE" in started.stderr and "/dev/mailbox shows every one-time code" in started.stderr


def test_the_server_refuses_to_start_in_demo_mode_with_https():
    started = _reflex_config(PORTAL_DEMO_MODE="1", PORTAL_PUBLIC_URL="https://portale.example")
    assert started.returncode != 0
    assert "HOST=" not in started.stdout
    assert "PORTAL_DEMO_MODE is refused with https addresses" in started.stderr


def test_seed_outside_demo_mode_leaves_no_readme_password(tmp_path):
    """The seed's command line on a fresh database with demo mode off: no account opens with the
    README's password; the operator's one-time password is printed once and opens that account."""
    url = f"sqlite:///{tmp_path / 'seed.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "DATABASE_URL"))}
    env.update(DATABASE_URL=url, PORTAL_TENANT="aurora", PORTAL_DEMO_MODE="0", PORTAL_PRIVATE_DIR=str(tmp_path))
    run = {"cwd": PROJECT_ROOT, "env": env, "capture_output": True, "text": True, "timeout": 300}
    migrated = subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], **run)
    assert migrated.returncode == 0, migrated.stderr
    seeded = subprocess.run([sys.executable, "-m", "portal.seed", "--as-of", "2026-11-22"], **run)
    assert seeded.returncode == 0, seeded.stderr
    printed = dict(re.findall(r"operator (\S+): one-time password (\S+)", seeded.stdout))
    assert list(printed) == ["servicedesk"]
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            accounts = db.execute(
                sa.text("select username, role, password_hash, must_change_password from user_account")
            )
            accounts = accounts.all()
    finally:
        engine.dispose()
    assert {"servicedesk", "10093"} <= {name for name, *_ in accounts}
    assert [name for name, _, hashed, _ in accounts if verify_password(hashed, DEMO_PASSWORD)] == []
    assert [name for name, _, _, must_change in accounts if not must_change] == []
    operator = next(hashed for name, _, hashed, _ in accounts if name == "servicedesk")
    assert verify_password(operator, printed["servicedesk"])
    assert DEMO_PASSWORD not in seeded.stdout
