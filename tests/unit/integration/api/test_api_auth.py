"""Who may call the API: no key, a malformed, unknown or revoked key get the same 401; a key without
the scope gets 403; failed attempts are rate limited per address, a valid key never is; a key acts
on its own leasing company only. Each refusal is tried for real and nothing is written."""

from __future__ import annotations

import pytest

from portal import routes
from portal.integration import keys
from portal.services.access.sessions import SESSION_COOKIE
from tests.unit.integration.api.conftest import FILE_SET, bearer, sample_copy

BATCH = {"records": FILE_SET}


def _challenge_body(answer) -> tuple:
    return answer.status_code, answer.headers.get("www-authenticate"), answer.headers["content-type"], answer.json()


UNAUTHORIZED = (
    401,
    'Bearer realm="portal-api"',
    "application/problem+json",
    {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "a valid API key is required as `Authorization: Bearer <token>`",
    },
)


def test_no_key_is_401_with_a_challenge_and_nothing_is_written(portal_api):
    tenant = portal_api.tenant()
    portal_api.token(tenant)  # the tenant has a key; the caller does not send it

    answer = portal_api.client.post(routes.API_V1_BATCHES, json=BATCH)

    assert _challenge_body(answer) == UNAUTHORIZED
    assert portal_api.snapshot(tenant) == {name: [] for name in portal_api.snapshot(tenant)}
    assert portal_api.runs(tenant) == []


def test_unknown_malformed_and_revoked_keys_get_the_very_same_401(portal_api):
    tenant = portal_api.tenant()
    revoked = portal_api.token(tenant, name="old-core")
    portal_api.revoke(tenant, "old-core")
    live = portal_api.token(tenant)
    key_id, secret = live.removeprefix(keys.TOKEN_PREFIX).split(".")
    forged = [
        revoked,
        f"{keys.TOKEN_PREFIX}{key_id}.{'A' * 43}",  # a live key's id with a wrong secret
        f"{keys.TOKEN_PREFIX}{'0' * 12}.{secret}",  # a live key's secret under another id
        live[:-1],  # one character short
        live.upper(),
        "plk_",
        "not-a-token",
    ]
    answers = [portal_api.client.post(routes.API_V1_BATCHES, json=BATCH, headers=bearer(token)) for token in forged]
    answers.append(portal_api.client.post(routes.API_V1_BATCHES, json=BATCH, headers={"Authorization": live}))
    answers.append(
        portal_api.client.post(routes.API_V1_BATCHES, json=BATCH, headers={"Authorization": f"Basic {live}"})
    )

    assert [_challenge_body(answer) for answer in answers] == [UNAUTHORIZED] * len(answers)
    assert portal_api.runs(tenant) == []
    assert portal_api.snapshot(tenant)["customer"] == []
    # the revoked key is refused from the moment it is revoked, and still listed
    assert portal_api.rows(
        "select name, revoked_at is not null from api_key where tenant_id = :t order by id", t=tenant
    )[0] == ("old-core", 1)


def test_a_key_without_the_scope_is_403_and_nothing_is_written(portal_api):
    tenant = portal_api.tenant()
    reader = portal_api.token(tenant, keys.REQUESTS_READ, keys.REQUESTS_WRITE)

    batch = portal_api.client.post(routes.API_V1_BATCHES, json=BATCH, headers=bearer(reader))
    upload = portal_api.client.post(
        routes.API_V1_FILE_SETS, content=b"PK", headers={**bearer(reader), "Content-Type": "application/zip"}
    )

    for answer in (batch, upload):
        assert answer.status_code == 403
        assert answer.json()["detail"] == "this API key does not hold the scope records:write"
        assert answer.headers["www-authenticate"] == (
            'Bearer realm="portal-api", error="insufficient_scope", scope="records:write"'
        )
    assert portal_api.runs(tenant) == []
    assert portal_api.snapshot(tenant)["customer"] == []


def test_a_key_of_one_company_never_touches_another(portal_api):
    mine, theirs = portal_api.tenant(), portal_api.tenant()
    # the other company holds the same keys of the core system (C100, K1…) with other values
    other = sample_copy()
    other["customer"][0]["denominazione"] = "Altra Officina S.p.A."
    other["contract"][0]["amount"] = "13000.00"
    other["contract"][0]["instalment_amount"] = "3943.33"
    assert (
        portal_api.client.post(
            routes.API_V1_BATCHES, json={"records": other}, headers=bearer(portal_api.token(theirs))
        ).status_code
        == 200
    )
    before = portal_api.snapshot(theirs)

    answer = portal_api.client.post(
        routes.API_V1_BATCHES, json={"records": FILE_SET, "full": True}, headers=bearer(portal_api.token(mine))
    )

    assert answer.status_code == 200
    # created in the caller's company, as if the other did not exist; nothing of the other reported missing
    assert answer.json()["counts"]["customer"] == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "missing": 0,
    }
    assert portal_api.snapshot(theirs) == before
    assert portal_api.rows("select denominazione from customer where tenant_id = :t and code = 'C100'", t=mine) == [
        ("Officina Rossi S.r.l.",)
    ]
    assert portal_api.rows("select denominazione from customer where tenant_id = :t and code = 'C100'", t=theirs) == [
        ("Altra Officina S.p.A.",)
    ]
    assert len(portal_api.runs(theirs)) == 1  # its own run only


def test_failed_attempts_are_limited_per_address_but_a_valid_key_still_works(portal_api):
    tenant = portal_api.tenant()
    token = portal_api.token(tenant)
    statuses = [
        portal_api.client.post(
            routes.API_V1_BATCHES, json=BATCH, headers=bearer(f"plk_{i:012x}.{'x' * 43}")
        ).status_code
        for i in range(21)
    ]

    assert statuses == [401] * 20 + [429]
    limited = portal_api.client.post(routes.API_V1_BATCHES, json=BATCH)
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "60")
    valid = portal_api.client.post(routes.API_V1_BATCHES, json={"records": {}, "dry_run": True}, headers=bearer(token))
    assert valid.status_code == 200
    assert portal_api.runs(tenant) == [(valid.json()["source"], 1, "valid", 0, 0, 0, 0)]


@pytest.mark.parametrize("path", [routes.API_V1_BATCHES, routes.API_V1_FILE_SETS])
def test_a_session_cookie_is_no_key(portal_api, path):
    """The portal's own session cookie (a signed-in customer's or operator's) does not open the API."""
    tenant = portal_api.tenant()
    portal_api.client.cookies.set(SESSION_COOKIE, "A" * 43)
    answer = portal_api.client.post(path, json=BATCH)
    assert answer.status_code == 401
    assert portal_api.runs(tenant) == []


def test_a_use_is_recorded_on_the_key(portal_api):
    tenant = portal_api.tenant()
    token = portal_api.token(tenant, name="core-nightly")
    assert portal_api.rows(
        "select last_used_at from api_key where name = 'core-nightly' and tenant_id = :t", t=tenant
    ) == [(None,)]

    portal_api.client.post(routes.API_V1_BATCHES, json={"records": {}, "dry_run": True}, headers=bearer(token))

    assert portal_api.rows(
        "select last_used_at is not null from api_key where name = 'core-nightly' and tenant_id = :t", t=tenant
    ) == [(1,)]
