"""The customers' requests over HTTP (docs/INTEGRATION.md §8): who may call, each leasing company
sees and changes only its own, the feed → acknowledgement → feed cycle, a status change reaching
the customer, a file's bytes. Every refusal is tried for real and checked by plain SQL."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from portal import routes
from portal.integration import keys
from tests.unit.integration.api.conftest import PDF, bearer

READ_WRITE = (keys.REQUESTS_READ, keys.REQUESTS_WRITE)

# What a status change leaves behind, for one request, each read by plain SQL.
TRACES = {
    "status": "select status from service_request where id = :r",
    "updated_at": "select updated_at from service_request where id = :r",
    "messages": "select id, body from request_message where request_id = :r order by id",
    "history": "select from_status, to_status from request_status_change where request_id = :r order by id",
    "events": "select seq, kind from request_event where request_id = :r order by seq",
    "notices": "select id from notification where request_id = :r order by id",
    "mails": "select count(*) from mail_outbox",
    "accounts": "select count(*) from user_account",
}


def _traces(portal_api, request_id: int) -> dict[str, list[tuple]]:
    return {name: portal_api.rows(sql, r=request_id) for name, sql in TRACES.items()}


def _events(portal_api, tenant_id: int) -> list[tuple]:
    return portal_api.rows("select seq, kind from request_event where tenant_id = :t order by seq", t=tenant_id)


def _acked(portal_api, tenant_id: int) -> list[tuple]:
    return portal_api.rows(
        "select name, acked_seq from outbound_consumer where tenant_id = :t order by name", t=tenant_id
    )


def test_the_feed_without_a_key_is_401(portal_api):
    tenant = portal_api.tenant()
    portal_api.open_request(tenant)

    answer = portal_api.client.get(routes.API_V1_REQUESTS)

    assert answer.status_code == 401 and answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"] == 'Bearer realm="portal-api"'
    assert "Guasto" not in answer.text


def test_a_key_without_the_scope_is_403_and_nothing_changes(portal_api):
    tenant = portal_api.tenant()
    opened = portal_api.open_request(tenant)
    records = portal_api.token(tenant, keys.RECORDS_WRITE)
    reader = portal_api.token(tenant, keys.REQUESTS_READ)
    before = _traces(portal_api, opened.request_id)

    feed = portal_api.client.get(routes.API_V1_REQUESTS, headers=bearer(records))
    ack = portal_api.client.post(routes.API_V1_REQUESTS_ACK, json={"cursor": "1"}, headers=bearer(records))
    file = portal_api.client.get(
        routes.api_request_attachment_url(opened.code, opened.attachment_id), headers=bearer(records)
    )
    status = portal_api.client.post(
        routes.api_request_status_url(opened.code),
        json={"status": "resolved", "message": "Fatto"},
        headers=bearer(reader),
    )

    assert [feed.status_code, ack.status_code, file.status_code, status.status_code] == [403, 403, 403, 403]
    assert 'scope="requests:read"' in feed.headers["www-authenticate"]
    assert 'scope="requests:write"' in status.headers["www-authenticate"]
    assert opened.code not in feed.text and PDF not in file.content
    assert _traces(portal_api, opened.request_id) == before
    assert before["status"] == [("submitted",)]
    assert _acked(portal_api, tenant) == []


def test_a_key_of_another_leasing_company_sees_and_changes_nothing_of_this_one(portal_api):
    tenant_a, tenant_b = portal_api.tenant(), portal_api.tenant()
    theirs = portal_api.open_request(tenant_a, title="Richiesta di A")
    ours = portal_api.open_request(tenant_b, title="Richiesta di B")
    key_b = portal_api.token(tenant_b, *READ_WRITE)
    before = _traces(portal_api, theirs.request_id)

    feed = portal_api.client.get(routes.API_V1_REQUESTS, params={"since": "0", "replay": "true"}, headers=bearer(key_b))
    file = portal_api.client.get(
        routes.api_request_attachment_url(theirs.code, theirs.attachment_id), headers=bearer(key_b)
    )
    # B's own request code with A's file id: a file of another request is not found either
    mixed = portal_api.client.get(
        routes.api_request_attachment_url(ours.code, theirs.attachment_id), headers=bearer(key_b)
    )
    status = portal_api.client.post(
        routes.api_request_status_url(theirs.code),
        json={"status": "rejected", "message": "Respinta"},
        headers=bearer(key_b),
    )

    assert feed.status_code == 200
    assert [event["request_code"] for event in feed.json()["events"]] == [ours.code]
    assert [request["code"] for request in feed.json()["requests"]] == [ours.code]
    assert theirs.code not in feed.text and "Richiesta di A" not in feed.text
    assert (file.status_code, mixed.status_code, status.status_code) == (404, 404, 404)
    assert PDF not in file.content and PDF not in mixed.content
    assert _traces(portal_api, theirs.request_id) == before and before["status"] == [("submitted",)]


def test_the_feed_is_read_acknowledged_and_read_on(portal_api):
    tenant = portal_api.tenant()
    first, second = portal_api.open_request(tenant, title="Prima"), portal_api.open_request(tenant, title="Seconda")
    key = portal_api.token(tenant, keys.REQUESTS_READ, name="erp-cycle")
    headers = bearer(key)
    assert _events(portal_api, tenant) == [(1, "request.opened"), (2, "request.opened")]

    page = portal_api.client.get(routes.API_V1_REQUESTS, params={"limit": "1"}, headers=headers)
    again = portal_api.client.get(routes.API_V1_REQUESTS, params={"limit": "1"}, headers=headers)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    body = page.json()
    assert {k: body[k] for k in ("consumer", "acknowledged", "cursor", "next_cursor", "has_more")} == {
        "consumer": "erp-cycle",  # the key's name: no consumer was named
        "acknowledged": "0",
        "cursor": "0",
        "next_cursor": "1",
        "has_more": True,
    }
    assert [(e["id"], e["request_code"]) for e in body["events"]] == [(1, first.code)]
    assert [r["code"] for r in body["requests"]] == [first.code]
    assert again.json() == body  # not acknowledged: the same page again

    ack = portal_api.client.post(routes.API_V1_REQUESTS_ACK, json={"cursor": "1"}, headers=headers)
    assert ack.status_code == 200
    assert {k: v for k, v in ack.json().items() if k != "acked_at"} == {
        "consumer": "erp-cycle",
        "acknowledged": "1",
        "previous": "0",
    }
    assert _acked(portal_api, tenant) == [("erp-cycle", 1)]

    on = portal_api.client.get(routes.API_V1_REQUESTS, headers=headers).json()
    assert (on["acknowledged"], on["cursor"], on["next_cursor"], on["has_more"]) == ("1", "1", "2", False)
    assert [(e["id"], e["request_code"]) for e in on["events"]] == [(2, second.code)]

    done = portal_api.client.post(routes.API_V1_REQUESTS_ACK, json={"cursor": "2"}, headers=headers)
    empty = portal_api.client.get(routes.API_V1_REQUESTS, headers=headers).json()
    assert done.json()["acknowledged"] == "2" and done.json()["previous"] == "1"
    assert (empty["events"], empty["requests"], empty["next_cursor"]) == ([], [], "2")

    # an older cursor changes nothing; one past the last event is refused, nothing changed
    older = portal_api.client.post(routes.API_V1_REQUESTS_ACK, json={"cursor": "1"}, headers=headers)
    past = portal_api.client.post(routes.API_V1_REQUESTS_ACK, json={"cursor": "3"}, headers=headers)
    assert (older.status_code, older.json()["acknowledged"], older.json()["previous"]) == (200, "2", "2")
    assert past.status_code == 400 and past.headers["content-type"] == "application/problem+json"
    assert _acked(portal_api, tenant) == [("erp-cycle", 2)]

    # a replay reads what was acknowledged; another consumer has a point of its own
    replay = portal_api.client.get(routes.API_V1_REQUESTS, params={"since": "0", "replay": "true"}, headers=headers)
    other = portal_api.client.get(routes.API_V1_REQUESTS, params={"consumer": "bi"}, headers=headers)
    assert [e["id"] for e in replay.json()["events"]] == [1, 2]
    assert [e["id"] for e in other.json()["events"]] == [1, 2] and other.json()["consumer"] == "bi"
    named = portal_api.client.post(routes.API_V1_REQUESTS_ACK, json={"cursor": "1", "consumer": "bi"}, headers=headers)
    assert named.json()["consumer"] == "bi"
    assert _acked(portal_api, tenant) == [("bi", 1), ("erp-cycle", 2)]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "501"},
        {"limit": "ten"},
        {"limit": "1.0"},
        {"replay": "yes"},
        {"since": "-1"},
        {"since": " 1"},
        {"since": "01"},
        {"consumer": "no spaces"},
        {"consumer": "x" * 61},
        {"tenant": "1"},
        [("limit", "1"), ("limit", "2")],
    ],
)
def test_a_malformed_parameter_is_400_and_nothing_is_acknowledged(portal_api, params):
    tenant = portal_api.tenant()
    portal_api.open_request(tenant)
    key = portal_api.token(tenant, keys.REQUESTS_READ)

    answer = portal_api.client.get(routes.API_V1_REQUESTS, params=params, headers=bearer(key))

    assert answer.status_code == 400 and answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 400 and "events" not in answer.json()
    assert _acked(portal_api, tenant) == []


def test_a_status_change_over_http_reaches_the_customer(portal_api):
    tenant = portal_api.tenant()
    opened = portal_api.open_request(tenant)
    key = portal_api.token(tenant, keys.REQUESTS_WRITE)
    mails = portal_api.rows("select coalesce(max(id), 0) from mail_outbox")[0][0]
    last = _events(portal_api, tenant)[-1][0]

    answer = portal_api.client.post(
        routes.api_request_status_url(opened.code),
        json={"status": "resolved", "message": "IBAN aggiornato dal 1° gennaio.", "reference": "CRM-4711"},
        headers=bearer(key),
    )

    written = portal_api.rows(
        "select seq, kind, actor, reference from request_event where request_id = :r and seq > :m order by seq",
        r=opened.request_id,
        m=last,
    )
    new_mails = portal_api.rows("select to_address from mail_outbox where id > :m order by id", m=mails)
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    assert answer.json() == {
        "code": opened.code,
        "status": "resolved",
        "changed": True,
        "duplicate": False,
        "notified": len(new_mails),
        "event_ids": [row[0] for row in written],
    }
    assert [row[1:] for row in written] == [
        ("request.message_added", "core_system", "CRM-4711"),
        ("request.status_changed", "core_system", "CRM-4711"),
    ]
    assert new_mails and new_mails[0][0].endswith("@cliente.example")
    assert portal_api.rows("select status from service_request where id = :r", r=opened.request_id) == [("resolved",)]
    notices = portal_api.rows("select user_id, body from notification where request_id = :r", r=opened.request_id)
    assert [user for user, _ in notices] == [opened.author_id]
    assert "IBAN aggiornato dal 1° gennaio." in notices[0][1]

    # the same reference again: a retried call changes nothing
    before = _traces(portal_api, opened.request_id)
    retried = portal_api.client.post(
        routes.api_request_status_url(opened.code),
        json={"status": "resolved", "message": "IBAN aggiornato dal 1° gennaio.", "reference": "CRM-4711"},
        headers=bearer(key),
    )
    assert retried.json() == {
        "code": opened.code,
        "status": "resolved",
        "changed": False,
        "duplicate": True,
        "notified": 0,
        "event_ids": [],
    }
    assert _traces(portal_api, opened.request_id) == before


@pytest.mark.parametrize(
    "body",
    [
        {"status": "submitted"},
        {"status": "done"},
        {"status": "RESOLVED"},
        {"status": 3},
        {"status": ["resolved"]},
        {"message": "Fatto"},
        {"status": "resolved", "message": "x" * 5001},
        {"status": "resolved", "message": None},
        {"status": "resolved", "reference": ""},
        {"status": "resolved", "reference": "r" * 101},
        {"status": "resolved", "tenant_id": 1},
        ["resolved"],
    ],
)
def test_a_bad_status_change_is_400_and_changes_nothing(portal_api, body):
    tenant = portal_api.tenant()
    opened = portal_api.open_request(tenant)
    key = portal_api.token(tenant, keys.REQUESTS_WRITE)
    before = _traces(portal_api, opened.request_id)

    answer = portal_api.client.post(routes.api_request_status_url(opened.code), json=body, headers=bearer(key))

    assert answer.status_code == 400 and answer.headers["content-type"] == "application/problem+json"
    assert _traces(portal_api, opened.request_id) == before and before["status"] == [("submitted",)]


def test_bodies_must_be_json_objects_sent_as_json(portal_api):
    tenant = portal_api.tenant()
    opened = portal_api.open_request(tenant)
    key = bearer(portal_api.token(tenant, *READ_WRITE))
    before = _traces(portal_api, opened.request_id)
    url = routes.api_request_status_url(opened.code)

    answers = [
        portal_api.client.post(url, content=b'{"status": "resolved"}', headers={**key, "Content-Type": "text/plain"}),
        portal_api.client.post(url, content=b'{"status": ', headers={**key, "Content-Type": "application/json"}),
        portal_api.client.post(
            routes.API_V1_REQUESTS_ACK, content=b"1", headers={**key, "Content-Type": "application/json"}
        ),
        portal_api.client.post(routes.API_V1_REQUESTS_ACK, json={"cursor": 1}, headers=key),
        portal_api.client.post(routes.API_V1_REQUESTS_ACK, json={}, headers=key),
    ]

    assert [answer.status_code for answer in answers] == [415, 400, 400, 400, 400]
    assert _traces(portal_api, opened.request_id) == before
    assert _acked(portal_api, tenant) == []


def test_a_file_is_downloaded_as_stored(portal_api):
    tenant = portal_api.tenant()
    opened = portal_api.open_request(tenant)
    assert opened.attachment_id is not None
    key = bearer(portal_api.token(tenant, keys.REQUESTS_READ))
    url = routes.api_request_attachment_url(opened.code, opened.attachment_id)

    answer = portal_api.client.get(url, headers=key)

    stored = portal_api.rows("select sha256, size_bytes from request_attachment where id = :a", a=opened.attachment_id)
    assert answer.status_code == 200 and answer.content == PDF
    assert stored == [(hashlib.sha256(PDF).hexdigest(), len(PDF))]
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == "attachment; filename*=utf-8''mandato%20SEPA.pdf"
    assert answer.headers["x-content-type-options"] == "nosniff" and answer.headers["cache-control"] == "no-store"

    # a stored type the portal does not accept at upload goes as opaque bytes
    with portal_api.engine.begin() as connection:
        connection.execute(
            sa.text("update request_attachment set content_type = 'text/html' where id = :a"),
            {"a": opened.attachment_id},
        )
    opaque = portal_api.client.get(url, headers=key)
    assert opaque.content == PDF and opaque.headers["content-type"] == "application/octet-stream"
    assert opaque.headers["content-disposition"].startswith("attachment;")

    unknown = portal_api.client.get(
        routes.api_request_attachment_url(opened.code, opened.attachment_id + 1000), headers=key
    )
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"


def test_the_openapi_document_names_each_operations_scope(portal_api):
    paths = portal_api.client.get(routes.API_V1_OPENAPI).json()["paths"]

    scopes = {
        (path, method): operation["security"]
        for path, operations in paths.items()
        if path.startswith("/api/v1/requests")
        for method, operation in operations.items()
    }

    assert scopes == {
        ("/api/v1/requests", "get"): [{"apiKey": ["requests:read"]}],
        ("/api/v1/requests/ack", "post"): [{"apiKey": ["requests:read"]}],
        ("/api/v1/requests/{code}/status", "post"): [{"apiKey": ["requests:write"]}],
        ("/api/v1/requests/{code}/attachments/{attachment_id}", "get"): [{"apiKey": ["requests:read"]}],
    }


def test_a_key_whose_name_cannot_be_a_consumer_names_its_consumer(portal_api):
    tenant = portal_api.tenant()
    portal_api.open_request(tenant)
    key = bearer(portal_api.token(tenant, keys.REQUESTS_READ, name="k" * 61))

    unnamed = portal_api.client.get(routes.API_V1_REQUESTS, headers=key)
    named = portal_api.client.get(routes.API_V1_REQUESTS, params={"consumer": "core"}, headers=key)
    ack = portal_api.client.post(routes.API_V1_REQUESTS_ACK, json={"cursor": "1"}, headers=key)

    assert unnamed.status_code == 400 and "name the consumer" in unnamed.json()["detail"]
    assert named.status_code == 200 and [e["id"] for e in named.json()["events"]] == [1]
    assert ack.status_code == 400 and _acked(portal_api, tenant) == []
