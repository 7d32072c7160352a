"""Readiness (issue 13): can this process serve a page now? Its database answers `select 1` and,
when the deployment keeps state in Redis, Redis answers PING. Each check gets a few seconds; what
failed is named, never why (an error message may carry an address or a password)."""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable

import redis
import sqlalchemy as sa

logger = logging.getLogger(__name__)

CHECK_TIMEOUT = 3.0  # seconds
OK, FAILED = "ok", "failed"
_pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="readiness")


def database_answers(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        connection.execute(sa.text("select 1")).scalar_one()


def redis_answers(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT)
    try:
        if not client.ping():
            raise ConnectionError("no PONG")
    finally:
        client.close()


def _outcome(name: str, check: Callable[[], None]) -> str:
    future = _pool.submit(check)
    try:
        future.result(timeout=CHECK_TIMEOUT)
    except Exception as error:  # any failure means not ready: name it, log its kind only
        logger.warning("readiness: %s is not reachable (%s)", name, type(error).__name__)
        return FAILED
    return OK


def readiness(engine: sa.Engine, redis_url: str | None) -> dict[str, str]:
    """{"database": "ok"|"failed", "redis": …} (redis only when configured)."""
    checks = {"database": _outcome("database", lambda: database_answers(engine))}
    if redis_url:
        checks["redis"] = _outcome("redis", lambda: redis_answers(redis_url))
    return checks
