"""Rate limits on what anyone may ask without signing in (registration, unlock, forgotten password).

Each action has two limits: one per client (its IP address) and one per subject (the contract, the
account, the e-mail address asked about), both over a moving window, counted with the `limits`
library. The counters live in Redis when PORTAL_REDIS_URL (or REDIS_URL) is set, so they hold
across workers; in memory otherwise (tests, the demo, a single worker).

A refused attempt changes nothing and, on the anonymous pages, gets the same answer as an allowed
one: a limit must not tell an attacker which subjects exist.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from portal.config import settings


@dataclasses.dataclass(frozen=True)
class Rule:
    per_client: str  # limits' notation: "10/hour", "3 per 15 minutes"; "" for no limit per client
    per_subject: str


# The limits of each action. PORTAL_RATE_LIMIT_<ACTION>_CLIENT / _SUBJECT override them
# (e.g. PORTAL_RATE_LIMIT_UNLOCK_SUBJECT="5/hour").
DEFAULT_RULES: dict[str, Rule] = {
    "registration": Rule(per_client="10/hour", per_subject="3/hour"),  # subject: the contract
    "unlock": Rule(per_client="10/hour", per_subject="3/hour"),  # subject: the username
    "forgot_password": Rule(per_client="10/hour", per_subject="3/hour"),  # subject: the address
    # The e-mail telling an owner the account was locked: per account only (whoever typed the wrong
    # passwords must not silence the notices of others); the lock itself is never skipped.
    "lock_notice": Rule(per_client="", per_subject="3/day"),
    # Failed API key attempts (portal/web/api_v1/auth.py), per client address; a valid key is never
    # refused by it, so nobody sharing an address with the core system can lock the integration out.
    "api_key": Rule(per_client="20/minute", per_subject=""),
    # The accessibility statement's feedback form (services/guide/feedback.py); subject: the reporter's address.
    "accessibility_feedback": Rule(per_client="5/hour", per_subject="3/hour"),
}


def rule(action: str) -> Rule:
    default = DEFAULT_RULES[action]
    prefix = f"PORTAL_RATE_LIMIT_{action.upper()}"
    return Rule(
        per_client=os.environ.get(f"{prefix}_CLIENT") or default.per_client,
        per_subject=os.environ.get(f"{prefix}_SUBJECT") or default.per_subject,
    )


_storage: Storage | None = None
_limiter: MovingWindowRateLimiter | None = None


def _redis_url() -> str | None:
    return os.environ.get("PORTAL_REDIS_URL") or settings.redis_url


def limiter() -> MovingWindowRateLimiter:
    """The one limiter of the process, on Redis when configured."""
    global _storage, _limiter
    if _limiter is None:
        url = _redis_url()
        storage: Storage = RedisStorage(url) if url else MemoryStorage()
        _storage, _limiter = storage, MovingWindowRateLimiter(storage)
    return _limiter


def reset() -> None:
    """Forget every counter (tests start from a clean slate)."""
    limiter()
    if _storage is not None:
        _storage.reset()


def _key(value: str) -> str:
    # Addresses and usernames are not kept in Redis as they are typed.
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def allow(action: str, *, client: str, subject: str) -> bool:
    """Count one attempt of `action` by `client` about `subject`: False (and nothing counted) when
    either limit is already reached."""
    current = rule(action)
    items: list[tuple[RateLimitItem, str]] = []
    if current.per_client:
        items.append((parse(current.per_client), f"client:{_key(client or '-')}"))
    if subject.strip():
        items.append((parse(current.per_subject), f"subject:{_key(subject)}"))
    engine = limiter()
    if not all(engine.test(item, action, key) for item, key in items):
        return False
    hits = [engine.hit(item, action, key) for item, key in items]  # every limit counts the attempt
    return all(hits)
