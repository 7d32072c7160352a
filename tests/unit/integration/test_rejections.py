"""A malformed file set: every problem reported with its file, line, field and reason, and nothing
written (all-or-nothing), but the run is kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from portal.integration.export import write_csv, write_jsonl
from portal.integration.runs import run_import
from portal.models import ImportRun
from portal.models.enums import ImportOutcome
from tests.unit.integration.conftest import FILE_SET, file_set_copy, snapshot

MONEY = 'a non-negative amount in euro as a decimal string, at most 2 decimals ("1234.50")'
EMPTY = {name: [] for name in FILE_SET}

Records = dict[str, list[dict[str, Any]]]


def _set(records: Records, **changes: Any) -> Callable[[Records], None]:
    """A change: `changes` maps "type:index:field" to a new value (None removes the field)."""

    def apply(_records: Records) -> None:
        for where, value in changes.items():
            name, index, field = where.split(":")
            record = _records[name][int(index)]
            if value is None:
                record.pop(field)
            else:
                record[field] = value

    return apply


def change(**changes: Any) -> Callable[[Records], None]:
    return _set({}, **changes)


def duplicate_line(records: Records) -> None:
    records["schedule_line"].append(dict(records["schedule_line"][2]))


def unknown_field(records: Records) -> None:
    records["customer"][0]["fax"] = "02 1234567"


# (what is wrong, the change, the expected rejections as "file:line field: reason")
CASES: list[tuple[str, Callable[[Records], None], list[str]]] = [
    (
        "bad decimal",
        change(**{"contract:0:amount": "12.000,00"}),
        [f"contract.jsonl:1 amount: '12.000,00' is not {MONEY}"],
    ),
    (
        "three decimals",
        change(**{"schedule_line:1:principal": "3560.001"}),
        [f"schedule_line.jsonl:2 principal: '3560.001' is not {MONEY}"],
    ),
    (
        "impossible date",
        change(**{"contract:1:signed_on": "2024-02-30"}),
        ["contract.jsonl:2 signed_on: '2024-02-30' is not a date in ISO 8601 form YYYY-MM-DD"],
    ),
    (
        "date in another form",
        change(**{"schedule_line:0:due_date": "01/02/2025"}),
        ["schedule_line.jsonl:1 due_date: '01/02/2025' is not a date in ISO 8601 form YYYY-MM-DD"],
    ),
    (
        "unknown enum code",
        change(**{"customer:1:kind": "private"}),
        ["customer.jsonl:2 kind: 'private' is not one of the codes company, person"],
    ),
    (
        "missing required field",
        change(**{"leased_asset:1:description": None}),
        ["leased_asset.jsonl:2 description: required field missing"],
    ),
    ("unknown field", unknown_field, ["customer.jsonl:1 fax: unknown field"]),
    (
        "duplicate key",
        duplicate_line,
        ["schedule_line.jsonl:11 contract_number, position: duplicate key K1 + 3 (first at schedule_line.jsonl:3)"],
    ),
    (
        "contract for an unknown customer",
        change(**{"contract:1:customer_code": "C999"}),
        [
            "contract.jsonl:2 customer_code: unknown customer C999: not in this file set nor in the portal",
            # the invoice of that contract now disagrees with it
            "invoice.jsonl:5 contract_number: K2 is a contract of customer C999, not of C200",
        ],
    ),
    (
        "line for an unknown contract",
        change(**{"schedule_line:6:contract_number": "K9"}),
        ["schedule_line.jsonl:7 contract_number: unknown contract K9: not in this file set nor in the portal"],
    ),
    (
        "asset for an unknown contract",
        change(**{"leased_asset:2:contract_number": "K9"}),
        ["leased_asset.jsonl:3 contract_number: unknown contract K9: not in this file set nor in the portal"],
    ),
    (
        "end before start",
        change(**{"contract:0:end_date": "2025-01-31"}),
        ["contract.jsonl:1 end_date: 2025-01-31 is before start_date 2025-02-01"],
    ),
    (
        "competence ends before it starts",
        change(**{"schedule_line:1:competence_end": "2025-01-31"}),
        ["schedule_line.jsonl:2 competence_end: 2025-01-31 is before competence_start 2025-02-01"],
    ),
    (
        "negative amount",
        change(**{"leased_asset:0:financial_value": "-10.00"}),
        [f"leased_asset.jsonl:1 financial_value: '-10.00' is not {MONEY}"],
    ),
    (
        "negative instalment",
        change(**{"schedule_line:1:amount": "-3610.00", "schedule_line:1:interest": "-7170.00"}),
        [
            "schedule_line.jsonl:2 amount: -3610.00 is negative (only an indexation row may be)",
            "schedule_line.jsonl:2 interest: -7170.00 is negative (only an indexation row may be)",
        ],
    ),
    (
        "amount is not principal + interest",
        change(**{"schedule_line:2:amount": "3610.01"}),
        ["schedule_line.jsonl:3 amount: 3610.01 is not principal 3560.00 + interest 50.00"],
    ),
    (
        "advance and residual above the amount",
        change(**{"contract:1:advance": "4960.00"}),
        ["contract.jsonl:2 amount: advance 4960.00 + residual_value 50.00 exceed the amount 5000.00"],
    ),
    (
        "extinguished without the day",
        change(**{"contract:1:extinguished_on": None}),
        ["contract.jsonl:2 extinguished_on: required when status is extinguished"],
    ),
    (
        "a person without a last name",
        change(**{"customer:1:last_name": None}),
        ["customer.jsonl:2 last_name: required for a person"],
    ),
    (
        "an indexation row without its rate",
        change(**{"schedule_line:3:index_rate": None}),
        ["schedule_line.jsonl:4 index_rate: required on an indexation row"],
    ),
    (
        "a number as text",
        change(**{"contract:0:instalment_count": "3"}),
        ["contract.jsonl:1 instalment_count: '3' is not of type integer"],
    ),
    (
        "a postal code of four digits",
        change(**{"customer:0:postal_code": "2010"}),
        ["customer.jsonl:1 postal_code: '2010' does not have the form ^[0-9]{5}$"],
    ),
    (
        "an IBAN with spaces",
        change(**{"contract:0:direct_debit_iban": "IT60 X054 2811 1010 0000 0123 456"}),
        [
            "contract.jsonl:1 direct_debit_iban: 'IT60 X054 2811 1010 0000 0123 456' does not have the form "
            "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"
        ],
    ),
    (
        "too long",
        change(**{"customer:0:city": "M" * 81}),
        ["customer.jsonl:1 city: longer than 80 characters"],
    ),
]


def _rejected(db, tenant, path: Path) -> list[str]:
    result, run = run_import(session=db, tenant_id=tenant.id, path=path)
    assert result.outcome is ImportOutcome.REJECTED
    assert snapshot(db, tenant.id) == EMPTY  # all or nothing: the valid records were not written either
    runs = db.exec(select(ImportRun).where(ImportRun.tenant_id == tenant.id)).all()
    assert [(r.id, r.outcome, r.dry_run, r.created, r.updated) for r in runs] == [
        (run.id, ImportOutcome.REJECTED, False, 0, 0)
    ]
    # a record with two problems is one rejected record; a file's problem (its header…) is no record
    record_lines = {(r.file, r.line) for r in result.rejections if r.record_type is not None}
    assert run.rejected == sum(counts.rejected for counts in result.counts.values()) == len(record_lines)
    assert [f"{r['file']}:{r['line']} {r['field']}: {r['reason']}" for r in run.report["rejections"]] == [
        r.as_text() for r in result.rejections
    ]
    return [rejection.as_text() for rejection in result.rejections]


@pytest.mark.parametrize(("what", "spoil", "expected"), CASES, ids=[case[0] for case in CASES])
def test_each_problem_is_reported_precisely_and_nothing_is_written(db, tenant, tmp_path, what, spoil, expected):
    records = file_set_copy()
    spoil(records)
    assert _rejected(db, tenant, write_jsonl(tmp_path / "set", records)) == expected


def test_the_same_problem_in_csv_names_the_csv_line(db, tenant, tmp_path):
    records = file_set_copy()
    records["contract"][1]["amount"] = "5000.005"
    assert _rejected(db, tenant, write_csv(tmp_path / "set", records)) == [
        f"contract.csv:3 amount: '5000.005' is not {MONEY}"  # the header is line 1
    ]


def test_a_malformed_json_line(db, tenant, tmp_path):
    path = write_jsonl(tmp_path / "set", file_set_copy())
    with (path / "leased_asset.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"code": "A4", "contract_number": \n')
    assert _rejected(db, tenant, path) == [
        "leased_asset.jsonl:4 -: not valid JSON: Expecting value at column 35",
    ]


def test_a_json_line_that_is_not_an_object(db, tenant, tmp_path):
    path = write_jsonl(tmp_path / "set", file_set_copy())
    with (path / "customer.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('["C300"]\n')
    assert _rejected(db, tenant, path) == ["customer.jsonl:3 -: not a JSON object"]


def test_a_csv_header_without_a_required_column(db, tenant, tmp_path):
    path = write_csv(tmp_path / "set", file_set_copy())
    text = (path / "schedule_line.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    column = header.index("due_date")
    rows = [",".join(cells[:column] + cells[column + 1 :]) for cells in (line.split(",") for line in text)]
    (path / "schedule_line.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert _rejected(db, tenant, path) == ["schedule_line.csv:1 due_date: required column missing from the header row"]


def test_a_csv_header_with_an_unknown_column(db, tenant, tmp_path):
    path = write_csv(tmp_path / "set", file_set_copy())
    text = (path / "customer.csv").read_text(encoding="utf-8").splitlines()
    text = [text[0] + ",fax"] + [line + "," for line in text[1:]]
    (path / "customer.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    assert _rejected(db, tenant, path) == ["customer.csv:1 fax: unknown column"]


def test_a_csv_row_with_a_cell_too_many(db, tenant, tmp_path):
    path = write_csv(tmp_path / "set", file_set_copy())
    text = (path / "leased_asset.csv").read_text(encoding="utf-8").splitlines()
    text[2] += ",extra"
    (path / "leased_asset.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    assert _rejected(db, tenant, path) == ["leased_asset.csv:3 -: 10 cells, the header has 9"]


def test_a_file_of_a_type_this_version_does_not_know(db, tenant, tmp_path):
    path = write_jsonl(tmp_path / "set", file_set_copy())
    (path / "mandate.jsonl").write_text('{"number": "M1"}\n', encoding="utf-8")
    assert _rejected(db, tenant, path) == [
        "mandate.jsonl:0 -: not a file of format v1 (expected customer.jsonl/.csv, contract.jsonl/.csv, "
        "schedule_line.jsonl/.csv, leased_asset.jsonl/.csv, invoice.jsonl/.csv, invoice_line.jsonl/.csv, "
        "payment.jsonl/.csv, rate.jsonl/.csv)"
    ]


def test_one_type_in_two_files(db, tenant, tmp_path):
    records = file_set_copy()
    path = write_jsonl(tmp_path / "set", records)
    write_csv(path, {"customer": records["customer"]})
    assert _rejected(db, tenant, path) == [
        "customer.jsonl:0 -: customer records are also in customer.csv: send one file per type"
    ]


def test_a_manifest_of_another_version(db, tenant, tmp_path):
    path = write_jsonl(tmp_path / "set", file_set_copy())
    (path / "manifest.json").write_text('{"format_version": 2}', encoding="utf-8")
    assert _rejected(db, tenant, path) == ["manifest.json:1 format_version: 2: this portal reads format version 1"]


def test_many_problems_at_once_are_all_reported(db, tenant, tmp_path):
    records = file_set_copy()
    change(**{"contract:0:amount": "1,5", "customer:1:kind": "private", "leased_asset:1:description": None})(records)
    duplicate_line(records)
    assert _rejected(db, tenant, write_jsonl(tmp_path / "set", records)) == [
        "customer.jsonl:2 kind: 'private' is not one of the codes company, person",
        f"contract.jsonl:1 amount: '1,5' is not {MONEY}",
        "leased_asset.jsonl:2 description: required field missing",
        "schedule_line.jsonl:11 contract_number, position: duplicate key K1 + 3 (first at schedule_line.jsonl:3)",
    ]


def test_a_contract_cannot_move_to_another_customer(db, tenant, tmp_path):
    from portal.integration.importer import import_file_set
    from portal.integration.readers import read_file_set

    first = import_file_set(
        session=db, tenant_id=tenant.id, file_set=read_file_set(write_jsonl(tmp_path / "a", file_set_copy()))
    )
    assert first.outcome is ImportOutcome.IMPORTED
    before = snapshot(db, tenant.id)
    moved = file_set_copy()["contract"][1:]
    moved[0]["customer_code"] = "C100"

    result = import_file_set(
        session=db, tenant_id=tenant.id, file_set=read_file_set(write_jsonl(tmp_path / "b", {"contract": moved}))
    )

    assert [r.as_text() for r in result.rejections] == [
        "contract.jsonl:1 customer_code: C100: the contract belongs to customer C200; "
        "format v1 cannot move a contract to another customer"
    ]
    assert snapshot(db, tenant.id) == before


def test_two_files_of_one_name_in_a_zip(db, tenant, tmp_path):
    import zipfile

    path = write_jsonl(tmp_path / "set", file_set_copy())
    archive = tmp_path / "set.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for item in sorted(path.iterdir()):
            bundle.write(item, f"a/{item.name}")
        bundle.write(path / "customer.jsonl", "b/customer.jsonl")
    assert _rejected(db, tenant, archive) == ["b/customer.jsonl:0 -: a second file of this name"]
