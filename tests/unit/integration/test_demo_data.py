"""The format fits real data: the demo leasing company's customers, contracts, plans (indexation rows
too) and assets, written in format v1 by a plain writer here, pass every check; imported into the
demo tenant they change nothing, imported into an empty one they give the same rows, with no
reconciliation warning. (The seed itself goes through the format: portal/seed/feed.py.)"""

from __future__ import annotations

from portal.integration.export import records_of, write_csv, write_jsonl
from portal.integration.importer import TypeCounts, import_file_set
from portal.integration.readers import read_file_set
from portal.models.enums import ImportOutcome
from tests.unit.integration.conftest import snapshot


def test_the_demo_data_in_the_format_changes_nothing_in_the_demo_tenant(db, demo, tmp_path):
    records = records_of(db, demo.id)
    before = snapshot(db, demo.id)

    result = import_file_set(
        session=db, tenant_id=demo.id, file_set=read_file_set(write_jsonl(tmp_path / "set", records))
    )

    assert result.outcome is ImportOutcome.IMPORTED, [r.as_text() for r in result.rejections[:5]]
    assert result.warnings == []  # every demo plan adds up
    assert result.counts == {name: TypeCounts(unchanged=len(rows)) for name, rows in records.items()}
    assert min(len(rows) for rows in records.values()) > 0
    assert any(line["kind"] == "indexation" for line in records["schedule_line"])
    assert any(invoice["kind"] == "credit_note" and "corrects_number" in invoice for invoice in records["invoice"])
    assert records["payment"] and records["invoice_line"] and records["rate"] and records["user"]
    assert any(user["role"] == "sub_user" for user in records["user"])
    db.expire_all()
    assert snapshot(db, demo.id) == before


def test_the_demo_data_as_csv_into_an_empty_tenant_gives_the_same_rows(db, demo, tenant, tmp_path):
    # without the users: their usernames (an admin's is its customer code) are the demo tenant's
    records = {name: rows for name, rows in records_of(db, demo.id).items() if name != "user"}

    result = import_file_set(
        session=db, tenant_id=tenant.id, file_set=read_file_set(write_csv(tmp_path / "set", records))
    )

    assert result.outcome is ImportOutcome.IMPORTED, [r.as_text() for r in result.rejections[:5]]
    assert result.warnings == []
    # reference rates are shared by every tenant: the demo's are already there
    assert result.counts == {
        name: TypeCounts(unchanged=len(rows)) if name == "rate" else TypeCounts(created=len(rows))
        for name, rows in records.items()
    } | {"user": TypeCounts()}
    db.expire_all()

    def comparable(rows):  # the demo's own creation stamps and paper-invoice choices are not in the format
        return {
            "customer": [row[:15] for row in rows["customer"]],
            "contract": [row[:-1] for row in rows["contract"]],
            "schedule_line": rows["schedule_line"],
            "leased_asset": rows["leased_asset"],
            "invoice": rows["invoice"],
            "invoice_line": rows["invoice_line"],
            "payment": rows["payment"],
        }

    assert comparable(snapshot(db, tenant.id)) == comparable(snapshot(db, demo.id))
