"""API keys of the integration's HTTP API (docs/INTEGRATION.md §7): created, listed and revoked by an
operator (`python -m portal.integration keys ...`), resolved from a request's bearer token.

A token is `plk_<key id>.<secret>`: the key id (public, 12 hex digits) finds the row, the secret
(32 random bytes, URL-safe base64) proves the caller holds the key. Only the secret's SHA-256 is
stored. A password hash (argon2) would be wrong here: it exists to slow down guessing of
low-entropy secrets people choose, while this secret has 256 random bits that no one can guess or
brute-force from its digest, so a plain digest is as safe and costs nothing per request. Digests of
equal length are compared in constant time, so timing says nothing about the secret.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import re
import secrets

from sqlmodel import Session, col, select

from portal.models import ApiKey
from portal.services.access.sessions import token_digest

TOKEN_PREFIX = "plk_"  # "portal leasing key": lets secret scanners and people recognise a token

RECORDS_WRITE = "records:write"  # send records (POST /api/v1/batches, /api/v1/file-sets)
REQUESTS_READ = "requests:read"  # collect the customers' requests, acknowledge the feed, fetch their files
REQUESTS_WRITE = "requests:write"  # report the requests' status changes
SCOPES: dict[str, str] = {
    RECORDS_WRITE: "import records: batches of records and zipped file sets",
    REQUESTS_READ: "read the customers' requests handed to the core system, their files, and acknowledge them",
    REQUESTS_WRITE: "send the requests' status changes back, with a message to the customer",
}

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_TOKEN = re.compile(rf"^{TOKEN_PREFIX}([0-9a-f]{{12}})\.([A-Za-z0-9_-]{{43}})$")


class KeyRefused(ValueError):
    """A key the operator asked for that cannot be made or found; the message says why."""


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who a valid token belongs to: what a route needs, without the ORM row."""

    key_id: int
    tenant_id: int
    name: str
    scopes: frozenset[str]


def create_key(*, session: Session, tenant_id: int, name: str, scopes: list[str], now: dt.datetime) -> str:
    """A new key for the tenant; returns the token, which is never stored and never shown again."""
    if not NAME.match(name):
        raise KeyRefused(
            f"{name!r}: a name is 1 to 80 letters, digits, '.', '_', '-' (starting with a letter or digit)"
        )
    unknown = sorted(set(scopes) - SCOPES.keys())
    if unknown or not scopes:
        raise KeyRefused(
            f"scopes must be among {', '.join(SCOPES)}" + (f", not {', '.join(unknown)}" if unknown else "")
        )
    if _by_name(session, tenant_id, name) is not None:
        raise KeyRefused(f"a key named {name} exists already (revoked keys keep their name): choose another name")
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    scopes = sorted(set(scopes))
    session.add(
        ApiKey(
            tenant_id=tenant_id,
            name=name,
            key_id=key_id,
            secret_digest=token_digest(secret),
            scopes=scopes,
            created_at=now,
        )
    )
    session.flush()
    return f"{TOKEN_PREFIX}{key_id}.{secret}"


def list_keys(*, session: Session, tenant_id: int) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).where(ApiKey.tenant_id == tenant_id).order_by(col(ApiKey.created_at))))


def revoke_key(*, session: Session, tenant_id: int, name: str, now: dt.datetime) -> ApiKey:
    """Revoke the tenant's key of that name, at once and for good (a revoked key stays listed)."""
    key = _by_name(session, tenant_id, name)
    if key is None:
        raise KeyRefused(f"no key named {name}")
    if key.revoked_at is None:
        key.revoked_at = now
        session.add(key)
        session.flush()
    return key


def resolve(*, session: Session, token: str, now: dt.datetime) -> Caller | None:
    """The live key the token belongs to, its use recorded; None for a malformed, unknown or
    revoked token alike."""
    found = _TOKEN.match(token)
    key = session.exec(select(ApiKey).where(ApiKey.key_id == found.group(1))).first() if found else None
    # Compared even when no row matched (against a digest of nothing): a miss costs the same time.
    stored = key.secret_digest if key is not None else token_digest("")
    given = token_digest(found.group(2)) if found else token_digest("-")
    if not hmac.compare_digest(given.encode(), stored.encode()) or key is None or key.revoked_at is not None:
        return None
    key.last_used_at = now
    session.add(key)
    return Caller(key_id=key.id, tenant_id=key.tenant_id, name=key.name, scopes=frozenset(key.scopes))


def _by_name(session: Session, tenant_id: int, name: str) -> ApiKey | None:
    return session.exec(select(ApiKey).where(ApiKey.tenant_id == tenant_id, ApiKey.name == name)).first()
