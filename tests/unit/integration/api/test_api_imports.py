"""POST /api/v1/batches and /api/v1/file-sets: what lands in the database (read back with plain SQL),
idempotency, all-or-nothing, the report, the import_run row, the size limits (refused before the
body is read through) and the content types."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import zipfile

import pytest
from sqlalchemy.exc import IntegrityError

from portal import routes
from portal.api import api
from portal.config import settings
from portal.integration import format as fmt
from portal.integration.export import write_csv, write_jsonl
from portal.integration.runs import run_file_set
from portal.web.api_v1 import imports
from tests.unit.integration.api.conftest import FILE_SET, SHARED, bearer, sample_copy

COUNTS_CREATED = {
    "customer": {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0, "missing": 0},
    "contract": {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0, "missing": 0},
    "schedule_line": {"created": 10, "updated": 0, "unchanged": 0, "rejected": 0, "missing": 0},
    "leased_asset": {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0, "missing": 0},
    "invoice": {"created": 5, "updated": 0, "unchanged": 0, "rejected": 0, "missing": 0},
    "invoice_line": {"created": 6, "updated": 0, "unchanged": 0, "rejected": 0, "missing": 0},
    "payment": {"created": 5, "updated": 0, "unchanged": 0, "rejected": 0, "missing": 0},
}
COUNTS_UNCHANGED = {
    "customer": {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0, "missing": 0},
    "contract": {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0, "missing": 0},
    "schedule_line": {"created": 0, "updated": 0, "unchanged": 10, "rejected": 0, "missing": 0},
    "leased_asset": {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0, "missing": 0},
    "invoice": {"created": 0, "updated": 0, "unchanged": 5, "rejected": 0, "missing": 0},
    "invoice_line": {"created": 0, "updated": 0, "unchanged": 6, "rejected": 0, "missing": 0},
    "payment": {"created": 0, "updated": 0, "unchanged": 5, "rejected": 0, "missing": 0},
}
MONEY = 'a non-negative amount in euro as a decimal string, at most 2 decimals ("1234.50")'


def _empty(snapshot: dict[str, list]) -> bool:
    return all(rows == [] for name, rows in snapshot.items() if name not in SHARED)


def _zip(tmp_path, records, *, writer=write_jsonl, manifest: str | None = None) -> bytes:
    folder = writer(tmp_path / "set", records)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"nightly/{path.name}")
        if manifest is not None:
            archive.writestr("nightly/manifest.json", manifest)
    return buffer.getvalue()


def _counts(records) -> dict[str, dict[str, int]]:
    """Counts of every type the format knows: the types this test's set lacks count zero."""
    zero = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0, "missing": 0}
    return {record_type.name: records.get(record_type.name, zero) for record_type in fmt.RECORD_TYPES}


def test_a_batch_is_imported_and_its_rows_are_in_the_database(portal_api):
    tenant = portal_api.tenant()
    token = portal_api.token(tenant, name="core-live")

    answer = portal_api.client.post(routes.API_V1_BATCHES, json={"records": FILE_SET}, headers=bearer(token))

    assert answer.status_code == 200
    report = answer.json()
    assert (report["outcome"], report["dry_run"], report["full"], report["source"]) == (
        "imported",
        False,
        False,
        "api:core-live",
    )
    assert report["counts"] == _counts(COUNTS_CREATED)
    assert (report["rejections"], report["missing"], report["warnings"]) == ([], [], [])
    assert portal_api.rows(
        "select code, kind, denominazione, sdi_code from customer where tenant_id = :t order by code", t=tenant
    ) == [
        ("C100", "company", "Officina Rossi S.r.l.", "ABC1234"),
        ("C200", "person", "Anna Verdi", "0000000"),
    ]
    assert portal_api.rows(
        "select c.number, cu.code, c.amount, c.payment_method from contract c join customer cu on cu.id = c.customer_id"
        " where c.tenant_id = :t order by c.number",
        t=tenant,
    ) == [("K1", "C100", 12000, "sepa_direct_debit"), ("K2", "C200", 5000, "bank_transfer")]
    assert portal_api.rows(
        "select count(*), sum(s.principal) from schedule_line s join contract c on c.id = s.contract_id"
        " where c.tenant_id = :t and c.number = 'K1' and s.kind = 'instalment'",
        t=tenant,
    ) == [(3, 10680)]
    assert portal_api.rows(
        "select a.code, c.number from leased_asset a join contract c on c.id = a.contract_id"
        " where c.tenant_id = :t order by a.code",
        t=tenant,
    ) == [("A1", "K1"), ("A2", "K1"), ("A3", "K2")]
    assert portal_api.runs(tenant) == [("api:core-live", 0, "imported", 33, 0, 0, 0)]
    assert report["import_run"] == portal_api.rows("select id from import_run where tenant_id = :t", t=tenant)[0][0]


def test_the_same_batch_twice_changes_nothing(portal_api):
    tenant = portal_api.tenant()
    token = portal_api.token(tenant)
    first = portal_api.client.post(routes.API_V1_BATCHES, json={"records": FILE_SET}, headers=bearer(token))
    assert first.status_code == 200
    before = portal_api.snapshot(tenant)

    second = portal_api.client.post(routes.API_V1_BATCHES, json={"records": FILE_SET}, headers=bearer(token))

    assert second.status_code == 200
    assert second.json()["counts"] == _counts(COUNTS_UNCHANGED)
    assert portal_api.snapshot(tenant) == before
    assert [run[2:] for run in portal_api.runs(tenant)] == [("imported", 33, 0, 0, 0), ("imported", 0, 0, 33, 0)]


def test_a_rejected_batch_writes_nothing_and_names_each_record(portal_api):
    tenant = portal_api.tenant()
    records = sample_copy()
    records["contract"][1]["amount"] = "5.000,00"
    records["schedule_line"][3] = "not a record"
    records["guarantee"] = [{"number": "G1"}]  # not a type of the format

    answer = portal_api.client.post(
        routes.API_V1_BATCHES, json={"records": records}, headers=bearer(portal_api.token(tenant))
    )

    assert answer.status_code == 422
    report = answer.json()
    assert report["outcome"] == "rejected"
    known = ", ".join(record_type.name for record_type in fmt.RECORD_TYPES)
    assert sorted((r["file"], r["line"], r["field"], r["reason"], r["pointer"]) for r in report["rejections"]) == [
        ("contract", 2, "amount", f"'5.000,00' is not {MONEY}", "/records/contract/1"),
        ("guarantee", 0, "-", f"not a record type of format v1 (expected {known})", None),
        ("schedule_line", 4, "-", "not a JSON object", "/records/schedule_line/3"),
    ]
    assert report["counts"]["contract"]["rejected"] == 1
    assert _empty(portal_api.snapshot(tenant))
    assert portal_api.runs(tenant) == [(report["source"], 0, "rejected", 0, 0, 0, 2)]


def test_a_dry_run_batch_counts_and_writes_no_data(portal_api):
    tenant = portal_api.tenant()

    answer = portal_api.client.post(
        routes.API_V1_BATCHES, json={"records": FILE_SET, "dry_run": True}, headers=bearer(portal_api.token(tenant))
    )

    assert (answer.status_code, answer.json()["outcome"]) == (200, "valid")
    assert answer.json()["counts"] == _counts(COUNTS_CREATED)
    assert _empty(portal_api.snapshot(tenant))
    assert [run[1:3] for run in portal_api.runs(tenant)] == [(1, "valid")]


def test_a_full_batch_reports_what_it_lacks_and_deletes_nothing(portal_api):
    tenant = portal_api.tenant()
    token = portal_api.token(tenant)
    portal_api.client.post(routes.API_V1_BATCHES, json={"records": FILE_SET}, headers=bearer(token))
    before = portal_api.snapshot(tenant)

    answer = portal_api.client.post(
        routes.API_V1_BATCHES,
        json={"full": True, "records": {"leased_asset": FILE_SET["leased_asset"][:2]}},
        headers=bearer(token),
    )

    assert answer.status_code == 200
    assert [(m["record_type"], m["key"]) for m in answer.json()["missing"]] == [("leased_asset", "A3")]
    assert portal_api.snapshot(tenant) == before


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"{not json", "the body is not valid JSON"),
        (b'{"records": {}, "dry_run": NaN}', "the body is not valid JSON"),
        (b"\xff\xfe{}", "the body is not valid JSON"),
        (b"[]", "the body must be a JSON object with `records`"),
        (b'{"records": []}', "`records` must be an object of record type -> array of records"),
        (b'{"records": {}, "dry_run": "yes"}', "`dry_run` must be true or false"),
        (b'{"records": {}, "sign": 1}', "unknown field(s) sign: a batch has full, dry_run, records"),
    ],
)
def test_what_is_not_a_batch_is_400(portal_api, body, detail):
    tenant = portal_api.tenant()
    answer = portal_api.client.post(
        routes.API_V1_BATCHES,
        content=body,
        headers={**bearer(portal_api.token(tenant)), "Content-Type": "application/json"},
    )
    assert (answer.status_code, answer.json()["detail"]) == (400, detail)
    assert portal_api.runs(tenant) == []


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (routes.API_V1_BATCHES, "text/plain"),
        (routes.API_V1_BATCHES, "application/x-www-form-urlencoded"),
        (routes.API_V1_BATCHES, ""),
        (routes.API_V1_FILE_SETS, "application/json"),
        (routes.API_V1_FILE_SETS, "multipart/form-data; boundary=x"),
    ],
)
def test_a_wrong_content_type_is_415_and_nothing_is_written(portal_api, tmp_path, path, content_type):
    tenant = portal_api.tenant()
    body = _zip(tmp_path, FILE_SET) if path == routes.API_V1_FILE_SETS else b'{"records": {}}'
    headers = {**bearer(portal_api.token(tenant)), "Content-Type": content_type}

    answer = portal_api.client.post(path, content=body, headers=headers)

    assert answer.status_code == 415
    assert answer.headers["content-type"] == "application/problem+json"
    assert portal_api.runs(tenant) == []
    assert _empty(portal_api.snapshot(tenant))


@pytest.fixture
def small_limits(monkeypatch):
    limited = dataclasses.replace(
        settings, api_json_max_bytes=2000, api_zip_max_bytes=3000, api_unzipped_max_bytes=9000
    )
    monkeypatch.setattr(imports, "settings", limited)
    return limited


def test_an_oversized_batch_is_413_whether_declared_or_not(portal_api, small_limits):
    tenant = portal_api.tenant()
    token = portal_api.token(tenant)
    body = b'{"records": {"customer": [' + b",".join([b'{"code": "C1"}'] * 200) + b"]}}"
    assert len(body) > small_limits.api_json_max_bytes
    headers = {**bearer(token), "Content-Type": "application/json"}

    declared = portal_api.client.post(routes.API_V1_BATCHES, content=body, headers=headers)
    chunked = portal_api.client.post(
        routes.API_V1_BATCHES, content=iter([body[i : i + 500] for i in range(0, len(body), 500)]), headers=headers
    )

    for answer in (declared, chunked):
        assert answer.status_code == 413
        assert answer.json()["detail"] == "the body is larger than this API accepts (2000 bytes)"
    assert "content-length" not in chunked.request.headers
    assert portal_api.runs(tenant) == []


def test_an_oversized_body_is_not_read_through(portal_api, small_limits):
    """The app stops asking for the body once past the limit: an endless body gets its 413 after
    the limit's worth of chunks, not after the client gave up."""
    tenant = portal_api.tenant()
    token = portal_api.token(tenant)
    chunk, asked, sent = b"x" * 100, 0, []

    async def receive():
        nonlocal asked
        asked += 1
        if asked > 1000:
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        sent.append(message)

    for path, content_type, limit in (
        (routes.API_V1_BATCHES, b"application/json", small_limits.api_json_max_bytes),
        (routes.API_V1_FILE_SETS, b"application/zip", small_limits.api_zip_max_bytes),
    ):
        asked, sent = 0, []
        scope = {
            "type": "http",
            "method": "POST",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": [(b"authorization", f"Bearer {token}".encode()), (b"content-type", content_type)],
            "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 3000),
            "scheme": "http",
            "http_version": "1.1",
            "root_path": "",
        }
        asyncio.run(api(scope, receive, send))
        assert sent[0]["status"] == 413
        assert asked == limit // len(chunk) + 1
    assert portal_api.runs(tenant) == []


def test_a_zipped_file_set_is_imported_as_the_command_imports_it(portal_api, tmp_path):
    tenant = portal_api.tenant()
    token = portal_api.token(tenant, name="core-nightly")
    body = _zip(tmp_path, FILE_SET, writer=write_csv)
    headers = {**bearer(token), "Content-Type": "application/zip"}

    dry = portal_api.client.post(f"{routes.API_V1_FILE_SETS}?dry_run=true", content=body, headers=headers)
    assert (dry.status_code, dry.json()["outcome"]) == (200, "valid")
    assert _empty(portal_api.snapshot(tenant))

    answer = portal_api.client.post(routes.API_V1_FILE_SETS, content=body, headers=headers)

    assert answer.status_code == 200
    assert (answer.json()["outcome"], answer.json()["source"]) == ("imported", "api:core-nightly (zip)")
    assert answer.json()["counts"] == _counts(COUNTS_CREATED)
    assert portal_api.rows("select code from customer where tenant_id = :t order by code", t=tenant) == [
        ("C100",),
        ("C200",),
    ]
    assert [run[:3] for run in portal_api.runs(tenant)] == [
        ("api:core-nightly (zip)", 1, "valid"),
        ("api:core-nightly (zip)", 0, "imported"),
    ]
    again = portal_api.client.post(routes.API_V1_FILE_SETS, content=body, headers=headers)
    assert again.json()["counts"] == _counts(COUNTS_UNCHANGED)


def test_a_rejected_zip_writes_nothing_and_reports_file_and_line(portal_api, tmp_path):
    tenant = portal_api.tenant()
    records = sample_copy()
    records["customer"][1]["postal_code"] = "2010"
    body = _zip(tmp_path, records, manifest='{"format_version": 2}')

    answer = portal_api.client.post(
        routes.API_V1_FILE_SETS,
        content=body,
        headers={**bearer(portal_api.token(tenant)), "Content-Type": "application/zip"},
    )

    assert answer.status_code == 422
    assert [(r["file"], r["line"], r["field"], r["reason"]) for r in answer.json()["rejections"]] == [
        ("manifest.json", 1, "format_version", "2: this portal reads format version 1"),
        ("customer.jsonl", 2, "postal_code", "'2010' does not have the form ^[0-9]{5}$"),
    ]
    assert _empty(portal_api.snapshot(tenant))


@pytest.mark.parametrize(
    ("query", "status"), [("?dry_run=maybe", 400), ("?dry_run=true&full=1", 400), ("?dry_run=1", 200)]
)
def test_the_file_set_parameters(portal_api, tmp_path, query, status):
    tenant = portal_api.tenant()
    answer = portal_api.client.post(
        routes.API_V1_FILE_SETS + query,
        content=_zip(tmp_path, FILE_SET),
        headers={**bearer(portal_api.token(tenant)), "Content-Type": "application/zip"},
    )
    assert answer.status_code == status
    assert _empty(portal_api.snapshot(tenant))


def test_what_is_not_a_zip_or_would_unzip_too_large_is_refused(portal_api, tmp_path, small_limits):
    tenant = portal_api.tenant()
    headers = {**bearer(portal_api.token(tenant)), "Content-Type": "application/zip"}
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("customer.jsonl", b" " * 10_000)  # 10 kB of blanks deflate to a few dozen bytes
    assert len(bomb.getvalue()) < small_limits.api_zip_max_bytes

    not_zip = portal_api.client.post(routes.API_V1_FILE_SETS, content=b"customer.jsonl", headers=headers)
    too_large = portal_api.client.post(routes.API_V1_FILE_SETS, content=bomb.getvalue(), headers=headers)

    assert (not_zip.status_code, not_zip.json()["detail"]) == (400, "the body is not a zip file")
    assert (too_large.status_code, too_large.json()["detail"]) == (
        413,
        "the zip's files hold 10000 bytes uncompressed, more than 9000",
    )
    assert portal_api.runs(tenant) == []


def test_the_openapi_document_is_served_without_a_key_and_names_every_record_type(portal_api):
    answer = portal_api.client.get(routes.API_V1_OPENAPI)

    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        routes.API_V1_BATCHES,
        routes.API_V1_FILE_SETS,
        routes.API_V1_OPENAPI,
        "/api/v1/requests",
        "/api/v1/requests/ack",
        "/api/v1/requests/{code}/status",
        "/api/v1/requests/{code}/attachments/{attachment_id}",
    }
    record_types = [record_type.name for record_type in fmt.RECORD_TYPES]
    batch = document["components"]["schemas"]["Batch"]["properties"]["records"]["properties"]
    assert list(batch) == record_types
    for name in record_types:
        # the format's own schema, field for field
        assert document["components"]["schemas"][name]["properties"].keys() == fmt.schema_of(name)["properties"].keys()
        assert document["components"]["schemas"][name]["required"] == fmt.schema_of(name)["required"]
    money = document["components"]["schemas"]["contract"]["properties"]["amount"]["$ref"]
    assert money == "#/components/schemas/contract.money"
    assert document["components"]["schemas"]["contract.money"] == fmt.schema_of("contract")["$defs"]["money"]
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    assert document["paths"][routes.API_V1_BATCHES]["post"]["security"] == [{"apiKey": ["records:write"]}]


def test_a_batch_that_meets_another_import_is_409_and_writes_nothing(portal_api, monkeypatch):
    """Two imports creating the same keys at once: the second one's insert breaks a unique key; it is
    rolled back whole, and the caller is told to send it again."""
    tenant = portal_api.tenant()
    token = portal_api.token(tenant)

    def collide(**kwargs):
        run_file_set(**kwargs)  # the rows are written in the request's transaction…
        raise IntegrityError("insert into customer", {}, Exception("UNIQUE constraint failed"))  # …then collide

    monkeypatch.setattr(imports, "run_file_set", collide)
    answer = portal_api.client.post(routes.API_V1_BATCHES, json={"records": FILE_SET}, headers=bearer(token))

    assert (answer.status_code, answer.json()["detail"]) == (
        409,
        "another import changed the same records at the same time: nothing was written, send again",
    )
    assert _empty(portal_api.snapshot(tenant))
    assert portal_api.runs(tenant) == []
