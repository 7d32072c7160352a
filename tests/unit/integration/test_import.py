"""Importing a file set into an empty leasing company: what lands in the database (read back with
plain SQL), idempotency, CSV = JSON Lines, zip, dry run, updates, reconciliation, full sets."""

from __future__ import annotations

import dataclasses
import json
import zipfile
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import select

from portal.integration.export import write_csv, write_jsonl
from portal.integration.importer import TypeCounts, import_file_set
from portal.integration.readers import read_file_set
from portal.integration.runs import run_import
from portal.models import ImportRun
from portal.models.enums import ImportOutcome
from tests.unit.integration.conftest import FILE_SET, file_set_copy, make_tenant, snapshot

ALL_CREATED = {
    "customer": TypeCounts(created=2),
    "contract": TypeCounts(created=2),
    "schedule_line": TypeCounts(created=10),
    "leased_asset": TypeCounts(created=3),
    "invoice": TypeCounts(created=5),
    "invoice_line": TypeCounts(created=6),
    "payment": TypeCounts(created=5),
    "rate": TypeCounts(created=2),
    "user": TypeCounts(created=3),
}
ALL_UNCHANGED = {
    "customer": TypeCounts(unchanged=2),
    "contract": TypeCounts(unchanged=2),
    "schedule_line": TypeCounts(unchanged=10),
    "leased_asset": TypeCounts(unchanged=3),
    "invoice": TypeCounts(unchanged=5),
    "invoice_line": TypeCounts(unchanged=6),
    "payment": TypeCounts(unchanged=5),
    "rate": TypeCounts(unchanged=2),
    "user": TypeCounts(unchanged=3),
}
EMPTY = {name: [] for name in ALL_CREATED}


def _import(db, tenant, path, **kwargs):
    result = import_file_set(session=db, tenant_id=tenant.id, file_set=read_file_set(path), **kwargs)
    db.flush()
    db.expire_all()  # the next reads come from the database, not from the objects the import made
    return result


def _scalar(db, query: str, **params):
    return db.execute(sa.text(query), params).scalar_one()


def test_a_file_set_lands_in_an_empty_tenant(db, tenant, tmp_path):
    demo_customers = _scalar(db, "select count(*) from customer where tenant_id <> :t", t=tenant.id)
    demo_lines = _scalar(db, "select count(*) from schedule_line")

    result = _import(db, tenant, write_jsonl(tmp_path / "set", FILE_SET))

    assert result.outcome is ImportOutcome.IMPORTED
    assert result.rejections == [] and result.warnings == [] and result.missing == []
    assert result.counts == ALL_CREATED
    rows = snapshot(db, tenant.id)
    assert [row[:3] for row in rows["customer"]] == [
        ("C100", "company", "Officina Rossi S.r.l."),
        ("C200", "person", "Anna Verdi"),
    ]
    c100 = rows["customer"][0]
    assert c100[13:15] == ("IT", "ABC1234")  # country by default, the SDI code given
    assert rows["customer"][1][13:15] == ("IT", "0000000")  # both absent: the model's defaults
    k1, k2 = rows["contract"]
    assert k1[:3] == ("K1", "C100", "1")
    assert (k1[5], str(k1[6]), str(k1[8]), k1[9]) == ("active", "2025-01-10", "2025-04-30", None)
    assert [Decimal(str(value)) for value in k1[10:14]] == [
        Decimal("12000.00"),
        Decimal("1200.00"),
        Decimal("120.00"),
        Decimal("3610.00"),
    ]
    assert Decimal(str(k1[17])) == Decimal("0.0425") and k1[18] == "EURIBOR_3M"
    assert (k1[25], Decimal(str(k1[26]))) == ("sepa_direct_debit", Decimal("22.00"))  # the defaults
    assert (k2[0], k2[1], k2[5], str(k2[9]), k2[25]) == ("K2", "C200", "extinguished", "2024-04-15", "bank_transfer")
    assert [(row[0], row[1], row[2], row[3]) for row in rows["schedule_line"]] == [
        ("K1", 1, "C100", "advance"),
        ("K1", 2, "C100", "instalment"),
        ("K1", 3, "C100", "instalment"),
        ("K1", 4, "C100", "indexation"),
        ("K1", 5, "C100", "instalment"),
        ("K1", 6, "C100", "residual_value"),
        ("K2", 1, "C200", "advance"),
        ("K2", 2, "C200", "instalment"),
        ("K2", 3, "C200", "instalment"),
        ("K2", 4, "C200", "residual_value"),
    ]
    indexation = rows["schedule_line"][3]
    assert Decimal(str(indexation[6])) == Decimal("4.33") and Decimal(str(indexation[14])) == Decimal("0.0304")
    assert Decimal(str(indexation[15])) == Decimal("7240.00")
    assert str(rows["schedule_line"][1][13]) == "2025-02-03"  # collection date
    assert rows["schedule_line"][6][10] == "bank_transfer"  # a line without a method takes its contract's
    assert [(row[0], row[1], row[2], row[9]) for row in rows["leased_asset"]] == [
        ("A1", "K1", "C100", None),
        ("A2", "K1", "C100", None),
        ("A3", "K2", "C200", "GA123BC"),
    ]
    # the demo leasing company's data is not touched
    assert _scalar(db, "select count(*) from customer where tenant_id <> :t", t=tenant.id) == demo_customers
    assert _scalar(db, "select count(*) from schedule_line") == demo_lines + 10


ROW_COUNTS = {
    "customer": "select count(*) from customer where tenant_id = :t",
    "contract": "select count(*) from contract where tenant_id = :t",
    "schedule_line": "select count(*) from schedule_line s join contract c on c.id = s.contract_id"
    " where c.tenant_id = :t",
    "leased_asset": "select count(*) from leased_asset a join contract c on c.id = a.contract_id"
    " where c.tenant_id = :t",
    "invoice": "select count(*) from invoice where tenant_id = :t",
    "invoice_line": "select count(*) from invoice_line l join invoice i on i.id = l.invoice_id where i.tenant_id = :t",
    "payment": "select count(*) from payment p join invoice i on i.id = p.invoice_id where i.tenant_id = :t",
    "rate": "select count(*) from reference_rate where name = 'EURIBOR_6M' and :t = :t",
    "user": "select count(*) from user_account u join customer c on c.id = u.customer_id where c.tenant_id = :t",
    "notification": "select count(*) from notification where tenant_id = :t",
    "mail_outbox": "select count(*) from mail_outbox",
}


def _row_counts(db, tenant) -> dict[str, int]:
    return {name: _scalar(db, query, t=tenant.id) for name, query in ROW_COUNTS.items()}


def test_the_same_file_set_twice_changes_nothing(db, tenant, tmp_path):
    path = write_jsonl(tmp_path / "set", FILE_SET)
    outbox = _scalar(db, "select count(*) from mail_outbox")
    _import(db, tenant, path)
    before = snapshot(db, tenant.id)
    counted = _row_counts(db, tenant)

    again = _import(db, tenant, path)

    assert again.outcome is ImportOutcome.IMPORTED
    assert again.counts == ALL_UNCHANGED
    assert snapshot(db, tenant.id) == before
    # by hand from conftest: the rows of the set, three invitations, no invoice notice (when the
    # invoices were published the accounts did not exist yet: they come after in the set)
    assert (
        _row_counts(db, tenant)
        == counted
        == {
            "customer": 2,
            "contract": 2,
            "schedule_line": 10,
            "leased_asset": 3,
            "invoice": 5,
            "invoice_line": 6,
            "payment": 5,
            "rate": 2,
            "user": 3,
            "notification": 0,
            "mail_outbox": outbox + 3,
        }
    )


def test_csv_and_json_lines_give_the_same_rows(db, tenant, tmp_path):
    other = make_tenant(db, "import-test-csv")
    # A username is unique across the portal and an admin's is its customer code: the users of the
    # set go to one leasing company only (the other would refuse them, see test_rejections).
    without_users = {name: records for name, records in FILE_SET.items() if name != "user"}

    from_jsonl = _import(db, tenant, write_jsonl(tmp_path / "jsonl", FILE_SET))
    from_csv = _import(db, other, write_csv(tmp_path / "csv-other", without_users))

    assert from_csv.outcome is ImportOutcome.IMPORTED, from_csv.rejections
    assert from_jsonl.counts == ALL_CREATED
    # reference rates are market data shared by every tenant: the first import made them
    assert from_csv.counts == ALL_CREATED | {"rate": TypeCounts(unchanged=2), "user": TypeCounts()}

    def without_stamps(rows):  # created_at differs by the microseconds between the two imports
        return {
            name: [row[:-1] if name in ("customer", "contract") else row for row in table]
            for name, table in rows.items()
            if name != "user"
        }

    assert without_stamps(snapshot(db, other.id)) == without_stamps(snapshot(db, tenant.id))
    # and the CSV set, users too, into the tenant the JSON Lines filled changes nothing
    assert _import(db, tenant, write_csv(tmp_path / "csv", FILE_SET)).counts == ALL_UNCHANGED


def test_a_zip_of_csv_and_json_lines_files(db, tenant, tmp_path):
    write_csv(tmp_path / "csv", {"customer": FILE_SET["customer"], "schedule_line": FILE_SET["schedule_line"]})
    write_jsonl(tmp_path / "jsonl", {"contract": FILE_SET["contract"], "leased_asset": FILE_SET["leased_asset"]})
    archive = tmp_path / "nightly.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for item in sorted((tmp_path / "csv").iterdir()) + sorted((tmp_path / "jsonl").iterdir()):
            bundle.write(item, f"export/{item.name}")  # a folder inside the zip is fine

    result = _import(db, tenant, archive)

    assert result.outcome is ImportOutcome.IMPORTED, result.rejections
    sent = ("customer", "schedule_line", "contract", "leased_asset")
    assert result.counts == {name: ALL_CREATED[name] if name in sent else TypeCounts() for name in ALL_CREATED}
    assert len(snapshot(db, tenant.id)["schedule_line"]) == 10


def test_a_dry_run_counts_and_keeps_its_run_but_writes_no_data(db, tenant, tmp_path):
    path = write_jsonl(tmp_path / "set", FILE_SET)

    result, run = run_import(session=db, tenant_id=tenant.id, path=path, dry_run=True)

    assert result.outcome is ImportOutcome.VALID
    assert result.counts == ALL_CREATED
    assert snapshot(db, tenant.id) == EMPTY
    runs = db.exec(select(ImportRun).where(ImportRun.tenant_id == tenant.id)).all()
    assert [(r.id, r.dry_run, r.outcome, r.created, r.updated, r.unchanged, r.rejected) for r in runs] == [
        (run.id, True, ImportOutcome.VALID, 38, 0, 0, 0)
    ]
    assert runs[0].source == str(path)
    assert runs[0].counts["schedule_line"] == {
        "created": 10,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "missing": 0,
    }
    assert runs[0].report["outcome"] == "valid" and runs[0].report["rejections"] == []


def test_a_dry_run_after_an_import_counts_what_changed(db, tenant, tmp_path):
    _import(db, tenant, write_jsonl(tmp_path / "first", FILE_SET))
    changed = file_set_copy()
    changed["customer"][1]["city"] = "Asti"
    before = snapshot(db, tenant.id)

    result = _import(db, tenant, write_jsonl(tmp_path / "second", changed), dry_run=True)

    assert result.counts["customer"] == TypeCounts(updated=1, unchanged=1)
    assert snapshot(db, tenant.id) == before


def test_a_changed_field_updates_that_record_only(db, tenant, tmp_path):
    _import(db, tenant, write_jsonl(tmp_path / "first", FILE_SET))
    before = snapshot(db, tenant.id)
    changed = file_set_copy()
    changed["leased_asset"][2]["plate"] = "GZ999ZZ"
    changed["schedule_line"][2]["collection_date"] = "2025-03-04"

    result = _import(db, tenant, write_jsonl(tmp_path / "second", changed))

    assert result.counts == ALL_UNCHANGED | {
        "schedule_line": TypeCounts(updated=1, unchanged=9),
        "leased_asset": TypeCounts(updated=1, unchanged=2),
    }
    after = snapshot(db, tenant.id)
    assert after["customer"] == before["customer"] and after["contract"] == before["contract"]
    changed_lines = [row for row in after["schedule_line"] if row not in before["schedule_line"]]
    assert [(row[0], row[1], str(row[13])) for row in changed_lines] == [("K1", 3, "2025-03-04")]
    assert changed_lines[0][:13] == before["schedule_line"][2][:13]
    assert [row[9] for row in after["leased_asset"]] == [None, None, "GZ999ZZ"]


def test_a_plan_that_does_not_add_up_is_a_warning_not_a_rejection(db, tenant, tmp_path):
    changed = file_set_copy()
    changed["contract"][1]["amount"] = "5000.01"  # K2: 2 × 2225.00 + 500.00 + 50.00 = 5000.00

    result = _import(db, tenant, write_jsonl(tmp_path / "set", changed))

    assert result.outcome is ImportOutcome.IMPORTED
    assert [dataclasses.astuple(warning) for warning in result.warnings] == [
        (
            "contract",
            "K2",
            "plan principal 4450.00 + advance 500.00 + residual value 50.00 = 5000.00, "
            "not the financed amount 5000.01 (difference -0.01)",
        )
    ]
    assert result.counts == ALL_CREATED


def test_a_full_file_set_reports_what_it_lacks_and_deletes_nothing(db, tenant, tmp_path):
    _import(db, tenant, write_jsonl(tmp_path / "first", FILE_SET))
    partial = {"contract": FILE_SET["contract"][:1], "leased_asset": FILE_SET["leased_asset"][1:]}
    path = write_jsonl(tmp_path / "second", partial)
    (path / "manifest.json").write_text(json.dumps({"format_version": 1, "full": True}), encoding="utf-8")

    result = _import(db, tenant, path)

    assert result.outcome is ImportOutcome.IMPORTED and result.full
    assert [(m.record_type, m.key) for m in result.missing] == [("contract", "K2"), ("leased_asset", "A1")]
    assert result.counts["contract"] == TypeCounts(unchanged=1, missing=1)
    assert result.counts["customer"] == TypeCounts()  # no customer file: nothing said about customers
    assert [row[0] for row in snapshot(db, tenant.id)["contract"]] == ["K1", "K2"]


def test_an_import_ends_with_analyze_on_postgresql_only(db, tenant, tmp_path):
    statements: list[str] = []
    connection = db.connection()

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(connection, "before_cursor_execute", seen)
    try:
        dry = _import(db, tenant, write_jsonl(tmp_path / "set", FILE_SET), dry_run=True)
        analyzed_in_dry_run = [s for s in statements if s.startswith("ANALYZE")]
        _import(db, tenant, tmp_path / "set")
    finally:
        sa.event.remove(connection, "before_cursor_execute", seen)

    assert dry.outcome is ImportOutcome.VALID and analyzed_in_dry_run == []
    analyzed = [s for s in statements if s.startswith("ANALYZE")]
    if db.get_bind().dialect.name == "postgresql":
        assert analyzed == [
            "ANALYZE customer, contract, schedule_line, leased_asset, invoice, invoice_line, payment, reference_rate"
        ]
        assert statements[-1] == analyzed[0]  # after the rows are written
    else:
        assert analyzed == []
