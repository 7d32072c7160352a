"""The rate limiter: its limits, their overrides, and Redis shared by several workers."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys

import pytest
import redis
from limits.storage import MemoryStorage, RedisStorage

from portal.config import PROJECT_ROOT
from portal.services.common import throttle


def test_both_limits_count_and_a_refusal_counts_nothing(monkeypatch):
    monkeypatch.setenv("PORTAL_RATE_LIMIT_UNLOCK_CLIENT", "3/hour")
    monkeypatch.setenv("PORTAL_RATE_LIMIT_UNLOCK_SUBJECT", "2/hour")
    assert throttle.rule("unlock") == throttle.Rule(per_client="3/hour", per_subject="2/hour")
    assert [throttle.allow("unlock", client="1.2.3.4", subject="ACME") for _ in range(3)] == [True, True, False]
    # the subject is full (case and blanks do not make another one); the client has one attempt left
    assert throttle.allow("unlock", client="1.2.3.5", subject=" acme ") is False
    assert throttle.allow("unlock", client="1.2.3.4", subject="other") is True
    assert throttle.allow("unlock", client="1.2.3.4", subject="another") is False  # the client is full now


def test_the_defaults_are_the_documented_ones(monkeypatch):
    for action in throttle.DEFAULT_RULES:
        for side in ("CLIENT", "SUBJECT"):
            monkeypatch.delenv(f"PORTAL_RATE_LIMIT_{action.upper()}_{side}", raising=False)
    assert {action: throttle.rule(action) for action in throttle.DEFAULT_RULES} == {
        "registration": throttle.Rule("10/hour", "3/hour"),
        "unlock": throttle.Rule("10/hour", "3/hour"),
        "forgot_password": throttle.Rule("10/hour", "3/hour"),
        "lock_notice": throttle.Rule("", "3/day"),
        "api_key": throttle.Rule("20/minute", ""),
        "accessibility_feedback": throttle.Rule("5/hour", "3/hour"),
    }
    assert isinstance(throttle._storage, MemoryStorage)  # no Redis configured in the tests


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        for _ in range(500):  # until it answers (or the process died)
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    break
            assert process.poll() is None, "redis-server exited"
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.01)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_with_redis_the_limits_hold_across_workers(redis_url, monkeypatch):
    monkeypatch.setenv("PORTAL_REDIS_URL", redis_url)
    monkeypatch.setattr(throttle, "_limiter", None)
    monkeypatch.setattr(throttle, "_storage", None)
    assert [throttle.allow("forgot_password", client="10.0.0.1", subject="a@b.it") for _ in range(2)] == [True, True]
    assert isinstance(throttle._storage, RedisStorage)
    # another worker (another process, its own limiter) sees the two attempts: one is left
    other_worker = subprocess.run(
        [
            sys.executable,
            "-c",
            "from portal.services.common import throttle;"
            "print([throttle.allow('forgot_password', client='10.0.0.2', subject='A@B.it') for _ in range(2)])",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert other_worker.stdout.strip() == "[True, False]"
    throttle.reset()  # the Redis counters of this test go
