"""The API keys' service and command: a token shown once and stored only as a digest, scopes,
names, revocation, a key found only by its whole token; and the command in a process of its own."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from portal.config import PROJECT_ROOT
from portal.db import make_engine
from portal.integration import keys
from portal.integration.cli import build_parser, keys_command
from tests.conftest import _TMP, NOW, migrate

LATER = NOW + dt.timedelta(hours=1)
ROME_NOW = NOW.astimezone(ZoneInfo("Europe/Rome")).strftime("%Y-%m-%d %H:%M").split()  # as the list prints it


def _row(db, name: str, tenant_id: int) -> tuple:
    db.flush()
    return tuple(
        db.execute(
            sa.text(
                "select key_id, secret_digest, scopes, revoked_at is not null from api_key"
                " where name = :n and tenant_id = :t"
            ),
            {"n": name, "t": tenant_id},
        ).one()
    )


def test_a_key_is_stored_as_a_digest_of_its_secret_only(db, tenant):
    token = keys.create_key(
        session=db, tenant_id=tenant.id, name="core", scopes=[keys.REQUESTS_READ, keys.RECORDS_WRITE], now=NOW
    )

    key_id, secret = token.removeprefix("plk_").split(".")
    assert len(key_id) == 12 and len(secret) == 43  # 6 and 32 random bytes
    stored = _row(db, "core", tenant.id)
    assert stored[0] == key_id
    assert stored[1] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(stored) and token not in str(stored)
    scopes = json.loads(stored[2]) if isinstance(stored[2], str) else stored[2]  # JSON text on SQLite
    assert scopes == ["records:write", "requests:read"]
    assert stored[3] == 0


def test_the_whole_token_finds_the_key_and_nothing_else_does(db, tenant):
    token = keys.create_key(session=db, tenant_id=tenant.id, name="core", scopes=[keys.RECORDS_WRITE], now=NOW)
    key_id = token.removeprefix("plk_").split(".")[0]

    caller = keys.resolve(session=db, token=token, now=LATER)

    assert caller is not None
    assert (caller.tenant_id, caller.name, caller.scopes) == (tenant.id, "core", frozenset({"records:write"}))
    assert db.execute(sa.text("select last_used_at from api_key where name = 'core'")).scalar_one() is not None
    for wrong in (key_id, f"plk_{key_id}.", f"plk_{key_id}.{'A' * 43}", token + "A", token[4:], ""):
        assert keys.resolve(session=db, token=wrong, now=LATER) is None


def test_a_revoked_key_is_refused_and_stays_listed(db, tenant):
    token = keys.create_key(session=db, tenant_id=tenant.id, name="core", scopes=[keys.RECORDS_WRITE], now=NOW)

    keys.revoke_key(session=db, tenant_id=tenant.id, name="core", now=LATER)

    assert keys.resolve(session=db, token=token, now=LATER) is None
    assert [(key.name, key.revoked_at) for key in keys.list_keys(session=db, tenant_id=tenant.id)] == [("core", LATER)]


@pytest.mark.parametrize(
    ("name", "scopes", "reason"),
    [
        (
            "core",
            ["records:write"],
            "a key named core exists already (revoked keys keep their name): choose another name",
        ),
        (
            "other",
            ["records:read"],
            "scopes must be among records:write, requests:read, requests:write, not records:read",
        ),
        ("other", [], "scopes must be among records:write, requests:read, requests:write"),
        (
            "with space",
            ["records:write"],
            "'with space': a name is 1 to 80 letters, digits, '.', '_', '-' (starting with a letter or digit)",
        ),
    ],
)
def test_what_a_key_cannot_be(db, tenant, name, scopes, reason):
    keys.create_key(session=db, tenant_id=tenant.id, name="core", scopes=[keys.RECORDS_WRITE], now=NOW)
    with pytest.raises(keys.KeyRefused) as refused:
        keys.create_key(session=db, tenant_id=tenant.id, name=name, scopes=scopes, now=NOW)
    assert str(refused.value) == reason
    assert db.execute(sa.text("select count(*) from api_key where tenant_id = :t"), {"t": tenant.id}).scalar_one() == 1


def test_the_same_name_in_another_company_is_another_key(db, tenant, demo):
    mine = keys.create_key(session=db, tenant_id=tenant.id, name="core", scopes=[keys.RECORDS_WRITE], now=NOW)
    theirs = keys.create_key(session=db, tenant_id=demo.id, name="core", scopes=[keys.RECORDS_WRITE], now=NOW)

    keys.revoke_key(session=db, tenant_id=demo.id, name="core", now=LATER)

    resolved = keys.resolve(session=db, token=mine, now=LATER)
    assert resolved is not None and resolved.tenant_id == tenant.id
    assert keys.resolve(session=db, token=theirs, now=LATER) is None
    with pytest.raises(keys.KeyRefused):
        keys.revoke_key(session=db, tenant_id=tenant.id, name="nobody", now=LATER)


def _command(db, tenant, *argv: str) -> tuple[int, list[str]]:
    printed: list[str] = []
    code = keys_command(session=db, tenant_id=tenant.id, args=build_parser().parse_args(argv), out=printed.append)
    return code, printed


def test_the_keys_command_prints_the_token_once_lists_and_revokes(db, tenant):
    code, created = _command(
        db, tenant, "keys", "create", "core-nightly", "--scope", "records:write", "--scope", "requests:read"
    )
    assert code == 0
    assert created[0] == "API key core-nightly created with scopes records:write, requests:read."
    token = created[2]
    assert keys.resolve(session=db, token=token, now=NOW) is not None

    code, listed = _command(db, tenant, "keys", "list")
    assert code == 0
    key_id = token.removeprefix("plk_").split(".")[0]
    assert listed[1].split() == [
        "core-nightly",
        key_id,
        "records:write",
        "requests:read",
        *ROME_NOW,  # created
        *ROME_NOW,  # last used: the resolve above
        "-",
    ]
    assert all(token.split(".")[1] not in line for line in listed)

    assert _command(db, tenant, "keys", "revoke", "core-nightly") == (
        0,
        ["API key core-nightly revoked: its token is refused from now on."],
    )
    assert keys.resolve(session=db, token=token, now=NOW) is None
    assert _command(db, tenant, "keys", "create", "core-nightly", "--scope", "records:write") == (
        1,
        ["refused: a key named core-nightly exists already (revoked keys keep their name): choose another name"],
    )


def test_the_keys_command_in_a_process_of_its_own():
    url = f"sqlite:///{_TMP / f'keys-cli-{secrets.token_hex(3)}.db'}"
    engine = make_engine(url)
    migrate(engine)
    env = {**os.environ, "DATABASE_URL": url, "PORTAL_TENANT": "aurora"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "portal.integration", "keys", *args],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    try:
        created = run("create", "core", "--scope", "records:write")
        assert created.returncode == 0, created.stderr
        token = created.stdout.splitlines()[2]
        with engine.connect() as connection:
            digest = connection.execute(sa.text("select secret_digest from api_key where name = 'core'")).scalar_one()
        assert digest == hashlib.sha256(token.split(".")[1].encode()).hexdigest()
        wrong = run("create", "other", "--scope", "everything")
        assert wrong.returncode == 2 and "invalid choice: 'everything'" in wrong.stderr
        assert run("revoke", "core").returncode == 0
        assert run("revoke", "nobody").returncode == 1
        with engine.connect() as connection:
            assert (
                connection.execute(sa.text("select count(*) from api_key where revoked_at is not null")).scalar() == 1
            )
    finally:
        engine.dispose()
