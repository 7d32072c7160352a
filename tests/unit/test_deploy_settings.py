"""Issue 13: production (PORTAL_ENV=production) starts only with the topology of docs/DEPLOY.md,
and the unsafe combinations are refused in any mode, with a message naming the setting."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from portal.config import PROJECT_ROOT, SettingsError, check_settings, is_public_host, load_settings

POSTGRES = "postgresql+psycopg://portal@db.internal/portal"
SQLITE = "sqlite:////tmp/portal-deploy-check.db"
_NAMES = (
    "PORTAL_ENV",
    "PORTAL_ALLOWED_ORIGINS",
    "PORTAL_PUBLIC_URL",
    "PORTAL_LISTEN_HOST",
    "PORTAL_DEMO_MODE",
    "PORTAL_WORKERS",
    "PORTAL_LOG_FORMAT",
    "PORTAL_TRUSTED_PROXY_HOPS",
    "PORTAL_TEST_HOOKS",
    "PORTAL_COOKIE_SECURE",
    "GRANIAN_WORKERS",
    "REDIS_URL",
    "MAIL_BACKEND",
    "SMTP_HOST",
    "PORTAL_JOB_WORKER",
    "PORTAL_JOB_STALLED_SECONDS",
    "PORTAL_METRICS_TOKEN",
    "PORTAL_METRICS_DIR",
)
# What docs/DEPLOY.md asks for; each test takes one thing away or adds one wrong thing.
PRODUCTION = {
    "PORTAL_ENV": "production",
    "PORTAL_PUBLIC_URL": "https://portale.example.com",
    "DATABASE_URL": POSTGRES,
    "REDIS_URL": "redis://redis.internal:6379/0",
    "SMTP_HOST": "smtp.example.com",
    "PORTAL_WORKERS": "2",
    "GRANIAN_WORKERS": "2",
}


def _settings(monkeypatch, **env: str | None):
    for name in _NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", SQLITE)
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return check_settings(load_settings())


def _production(monkeypatch, **changes: str | None):
    return _settings(monkeypatch, **{**PRODUCTION, **changes})


def test_the_documented_production_settings_start(monkeypatch):
    production = _production(monkeypatch)
    assert production.is_production and production.workers == 4
    assert production.allowed_origins == ("https://portale.example.com",)
    assert (production.cookie_secure, production.log_format, production.trusted_proxy_hops) == (True, "json", 1)
    assert production.mail.backends == ("smtp",) and production.mail.smtp_host == "smtp.example.com"


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"PORTAL_DEMO_MODE": "1"}, "PORTAL_DEMO_MODE is refused in production"),
        ({"PORTAL_PUBLIC_URL": None}, "PORTAL_PUBLIC_URL is missing"),
        ({"PORTAL_ALLOWED_ORIGINS": "*"}, "PORTAL_ALLOWED_ORIGINS='\\*' is refused"),
        ({"SMTP_HOST": None}, "SMTP_HOST is missing"),
        ({"SMTP_HOST": " "}, "SMTP_HOST is missing"),
        ({"MAIL_BACKEND": "outbox"}, "MAIL_BACKEND must send by SMTP in production"),
        ({"DATABASE_URL": SQLITE}, "SQLite is refused with 4 workers"),
        ({"DATABASE_URL": SQLITE, "PORTAL_WORKERS": "1", "GRANIAN_WORKERS": "1"}, "SQLite is refused in production"),
        ({"REDIS_URL": None}, "REDIS_URL is missing with 4 workers"),
        ({"REDIS_URL": None, "PORTAL_WORKERS": "1", "GRANIAN_WORKERS": "1"}, "REDIS_URL is missing: production"),
        ({"PORTAL_PUBLIC_URL": "http://portale.example.com"}, "PORTAL_PUBLIC_URL must be https in production"),
        ({"PORTAL_COOKIE_SECURE": "0"}, "PORTAL_COOKIE_SECURE=0 is refused in production"),
        ({"PORTAL_TEST_HOOKS": "1"}, "PORTAL_TEST_HOOKS is refused in production"),
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV must be development or production"),
        ({"PORTAL_WORKERS": "two"}, "PORTAL_WORKERS must be a whole number"),
        ({"PORTAL_LOG_FORMAT": "xml"}, "PORTAL_LOG_FORMAT must be json or text"),
    ],
)
def test_production_refuses_a_missing_or_unsafe_setting(monkeypatch, changes, refusal):
    with pytest.raises(SettingsError, match=refusal):
        _production(monkeypatch, **changes)


def test_production_over_plain_http_only_on_loopback(monkeypatch):
    """The topology test (tests/deploy) runs production on one machine over http://127.0.0.1."""
    loopback = _production(monkeypatch, PORTAL_PUBLIC_URL="http://127.0.0.1:8080")
    assert (loopback.is_https, loopback.cookie_secure, loopback.allowed_origins) == (
        False,
        False,
        ("http://127.0.0.1:8080",),
    )


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        # several workers on one SQLite file: by declaration, by GRANIAN_WORKERS, or by Reflex's default with Redis
        ({"PORTAL_WORKERS": "2", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "SQLite is refused with"),
        ({"GRANIAN_WORKERS": "3", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "SQLite is refused with 3 workers"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "SQLite is refused with"),
        # several workers and no Redis: each would keep its own tabs
        ({"DATABASE_URL": POSTGRES, "PORTAL_WORKERS": "2"}, "REDIS_URL is missing with 2 workers"),
        ({"DATABASE_URL": POSTGRES, "GRANIAN_WORKERS": "5"}, "REDIS_URL is missing with 5 workers"),
        # SMTP named by the backend, not by the server
        ({"MAIL_BACKEND": "smtp", "SMTP_HOST": ""}, "SMTP_HOST is missing"),
        ({"MAIL_BACKEND": "smtp+outbox", "SMTP_HOST": ""}, "SMTP_HOST is missing"),
        # demo mode facing the internet
        ({"PORTAL_DEMO_MODE": "1", "PORTAL_ALLOWED_ORIGINS": "http://portale.example.com"}, "public addresses"),
        ({"PORTAL_DEMO_MODE": "1", "PORTAL_PUBLIC_URL": "http://8.8.8.8:3000"}, "public addresses"),
    ],
)
def test_unsafe_combinations_are_refused_in_any_mode(monkeypatch, env, refusal):
    with pytest.raises(SettingsError, match=refusal):
        _settings(monkeypatch, **env)


def test_the_demo_keeps_starting_as_before(monkeypatch):
    """`make run`: demo mode, SQLite, one worker, no Redis; and a demo shown on the office network."""
    demo = _settings(monkeypatch, PORTAL_DEMO_MODE="1")
    assert (demo.is_production, demo.workers, demo.log_format, demo.trusted_proxy_hops) == (False, 1, "text", 0)
    assert demo.mail.smtp_host == "127.0.0.1"
    office = _settings(monkeypatch, PORTAL_DEMO_MODE="1", PORTAL_ALLOWED_ORIGINS="http://192.168.1.20:3000")
    assert office.allowed_origins == ("http://192.168.1.20:3000",)


@pytest.mark.parametrize(
    ("host", "public"),
    [
        ("portale.example.com", True),
        ("8.8.8.8", True),
        ("127.0.0.1", False),
        ("localhost", False),
        ("::1", False),
        ("192.168.1.20", False),
        ("10.0.0.4", False),
        ("portal.internal", False),
        ("demo-laptop", False),
        ("", False),
    ],
)
def test_public_hosts(host, public):
    assert is_public_host(host) is public


def _start(**env: str) -> subprocess.CompletedProcess:
    """Load rxconfig.py as `reflex run` does, in a process of its own with `env`."""
    child = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PORTAL_", "DATABASE_URL", "REDIS_URL", "SMTP_", "MAIL_", "GRANIAN_"))
    }
    child.update(PORTAL_TENANT="aurora", **env)
    return subprocess.run(
        [sys.executable, "-c", "import rxconfig; print('API=' + rxconfig.config.api_url)"],
        cwd=PROJECT_ROOT,
        env=child,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_refused_setting_ends_the_start_with_its_reason():
    started = _start(**{**PRODUCTION, "SMTP_HOST": ""})
    assert started.returncode == 2
    assert "API=" not in started.stdout
    assert started.stderr.strip().splitlines()[-1] == (
        "portal: refusing to start: SMTP_HOST is missing: MAIL_BACKEND sends by SMTP and needs the server's address"
    )
    assert "Traceback" not in started.stderr


def test_production_points_the_frontend_at_the_public_address():
    started = _start(**PRODUCTION)
    assert started.returncode == 0, started.stderr
    assert "API=https://portale.example.com" in started.stdout


def test_production_runs_its_jobs_in_separate_workers_and_the_demo_in_the_app(monkeypatch):
    assert _production(monkeypatch).job_worker == "separate"
    assert _production(monkeypatch, PORTAL_JOB_WORKER="app").job_worker == "app"  # allowed: PostgreSQL
    assert _settings(monkeypatch).job_worker == "app"
    assert _settings(monkeypatch).job_stalled_seconds == 30


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({"PORTAL_JOB_WORKER": "separate"}, "PORTAL_JOB_WORKER=separate is refused with SQLite"),
        ({"PORTAL_JOB_WORKER": "cron"}, "PORTAL_JOB_WORKER must be app or separate"),
        ({"PORTAL_JOB_STALLED_SECONDS": "0"}, "PORTAL_JOB_STALLED_SECONDS must be at least 1"),
    ],
)
def test_job_worker_settings_that_cannot_work_are_refused(monkeypatch, env, refusal):
    with pytest.raises(SettingsError, match=refusal):
        _settings(monkeypatch, **env)


def test_the_metrics_token_is_a_secret_long_enough_and_kept_out_of_the_repr(monkeypatch):
    token = "a" * 32
    chosen = _production(monkeypatch, PORTAL_METRICS_TOKEN=token, PORTAL_METRICS_DIR="/var/lib/portal-metrics-8001")
    assert chosen.metrics_token == token
    assert str(chosen.metrics_dir) == "/var/lib/portal-metrics-8001"
    assert token not in repr(chosen)
    unset = _production(monkeypatch)
    assert (unset.metrics_token, unset.metrics_dir) == ("", None)
    with pytest.raises(SettingsError, match="PORTAL_METRICS_TOKEN must be at least 24 characters"):
        _production(monkeypatch, PORTAL_METRICS_TOKEN="short-token")
