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


def correcting_a_credit_note(records: Records) -> None:
    records["invoice"].append({**records["invoice"][3], "number": "2025/000005", "corrects_number": "2025/000004"})


def without_the_admin(records: Records) -> None:
    records["user"] = [user for user in records["user"] if user["customer_code"] != "C100" or user["role"] != "admin"]


def duplicate_invoice(records: Records) -> None:
    records["invoice"].append(dict(records["invoice"][1]))


def duplicate_invoice_line(records: Records) -> None:
    records["invoice_line"].append(dict(records["invoice_line"][2]))


# (what is wrong, the change, the expected rejections as "file:line field: reason")
CASES: list[tuple[str, Callable[[Records], None], list[str]]] = [
    (
        "a NUL character in a text (schemathesis found PostgreSQL refusing it)",
        change(**{"customer:1:street": "Via Po\u00002"}),
        ["customer.jsonl:2 street: holds the character U+0000 (NUL), which no text may contain"],
    ),
    (
        "a NUL character in a user's customer code (schemathesis: it reached the username lookup)",
        change(**{"user:0:customer_code": "C1\u000000"}),
        [
            "user.jsonl:1 customer_code: holds the character U+0000 (NUL), which no text may contain",
            "user.jsonl:2 role: a sub-user needs the admin of customer C100: not in this file set nor in the portal",
        ],
    ),
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
    # invoices and credit notes
    (
        "unknown document kind",
        change(**{"invoice:0:kind": "fattura"}),
        ["invoice.jsonl:1 kind: 'fattura' is not one of the codes invoice, credit_note"],
    ),
    (
        "invoice for an unknown customer",
        change(**{"invoice:4:customer_code": "C999"}),
        [
            "invoice.jsonl:5 customer_code: unknown customer C999: not in this file set nor in the portal",
            "invoice.jsonl:5 contract_number: K2 is a contract of customer C200, not of C999",
        ],
    ),
    (
        "invoice on another customer's contract",
        change(**{"invoice:4:contract_number": "K1"}),
        ["invoice.jsonl:5 contract_number: K1 is a contract of customer C100, not of C200"],
    ),
    (
        "invoice for an unknown contract",
        change(**{"invoice:2:contract_number": "K9"}),
        ["invoice.jsonl:3 contract_number: unknown contract K9: not in this file set nor in the portal"],
    ),
    (
        "invoice for an unknown plan row",
        change(**{"invoice:0:schedule_line_position": 9}),
        [
            "invoice.jsonl:1 schedule_line_position: no plan row 9 in contract K1: "
            "not in this file set nor in the portal"
        ],
    ),
    (
        "credit note without corrects_number",
        change(**{"invoice:3:corrects_number": None}),
        [
            "invoice.jsonl:4 corrects_number: required for a credit note: the invoice it corrects "
            "(or, for a plan row it credits, schedule_line_position)"
        ],
    ),
    (
        "invoice that corrects another",
        change(**{"invoice:2:corrects_number": "2025/000001"}),
        ["invoice.jsonl:3 corrects_number: only a credit note corrects an invoice"],
    ),
    (
        "credit note correcting an unknown invoice",
        change(**{"invoice:3:corrects_number": "2025/999999"}),
        ["invoice.jsonl:4 corrects_number: unknown invoice 2025/999999: not in this file set nor in the portal"],
    ),
    (
        "credit note correcting a credit note",
        correcting_a_credit_note,
        ["invoice.jsonl:6 corrects_number: 2025/000004 is a credit note: a credit note corrects an invoice"],
    ),
    (
        "credit note correcting itself",
        change(**{"invoice:3:corrects_number": "2025/000004"}),
        ["invoice.jsonl:4 corrects_number: a credit note cannot correct itself"],
    ),
    (
        "negative VAT",
        change(**{"invoice:0:vat_amount": "-264.00"}),
        [f"invoice.jsonl:1 vat_amount: '-264.00' is not {MONEY}"],
    ),
    (
        "a document name with a path",
        change(**{"invoice:0:pdf_file": "../etc/passwd"}),
        [
            "invoice.jsonl:1 pdf_file: '../etc/passwd' is not the name of a file in the set's documents/ folder "
            "(letters, digits, '.', '_', '-'; not starting with '.')"
        ],
    ),
    (
        "a duplicate invoice number",
        duplicate_invoice,
        ["invoice.jsonl:6 number: duplicate key 2025/000002 (first at invoice.jsonl:2)"],
    ),
    # invoice lines
    (
        "line of an unknown invoice",
        change(**{"invoice_line:5:invoice_number": "2024/999999"}),
        ["invoice_line.jsonl:6 invoice_number: unknown invoice 2024/999999: not in this file set nor in the portal"],
    ),
    (
        "duplicate invoice line",
        duplicate_invoice_line,
        [
            "invoice_line.jsonl:7 invoice_number, line_number: duplicate key 2025/000002 + 2 "
            "(first at invoice_line.jsonl:3)"
        ],
    ),
    (
        "quantity with a comma",
        change(**{"invoice_line:0:quantity": "1,5"}),
        [
            "invoice_line.jsonl:1 quantity: '1,5' is not a non-negative quantity as a decimal string, "
            'at most 2 decimals ("1.00")'
        ],
    ),
    # payments
    (
        "payment of an unknown invoice",
        change(**{"payment:4:invoice_number": "2024/999999"}),
        ["payment.jsonl:5 invoice_number: unknown invoice 2024/999999: not in this file set nor in the portal"],
    ),
    (
        "payment of nothing",
        change(**{"payment:4:amount": "0.00"}),
        ["payment.jsonl:5 amount: 0.00: a payment is money received, above 0"],
    ),
    (
        "unknown payment method",
        change(**{"payment:0:method": "cash"}),
        ["payment.jsonl:1 method: 'cash' is not one of the codes sepa_direct_debit, bank_transfer, compensation"],
    ),
    (
        "payment without its code",
        change(**{"payment:1:code": None}),
        ["payment.jsonl:2 code: required field missing"],
    ),
    (
        "two payments with one code",
        change(**{"payment:1:code": "P1"}),
        ["payment.jsonl:2 code: duplicate key P1 (first at payment.jsonl:1)"],
    ),
    # reference rates
    (
        "rate as an Italian percentage",
        change(**{"rate:0:rate": "2,62"}),
        [
            "rate.jsonl:1 rate: '2,62' is not a rate as a fraction in a decimal string, at most 6 decimals "
            '("0.0425" is 4.25 %)'
        ],
    ),
    (
        "rate of an impossible day",
        change(**{"rate:0:observed_on": "2025-02-29"}),
        ["rate.jsonl:1 observed_on: '2025-02-29' is not a date in ISO 8601 form YYYY-MM-DD"],
    ),
    (
        "two values of a rate on one day",
        change(**{"rate:1:observed_on": "2025-01-02"}),
        ["rate.jsonl:2 name, observed_on: duplicate key EURIBOR_6M + 2025-01-02 (first at rate.jsonl:1)"],
    ),
    # users to invite
    (
        "user of an unknown customer",
        change(**{"user:2:customer_code": "C999"}),
        ["user.jsonl:3 customer_code: unknown customer C999: not in this file set nor in the portal"],
    ),
    (
        "sub-user without an admin",
        without_the_admin,
        ["user.jsonl:1 role: a sub-user needs the admin of customer C100: not in this file set nor in the portal"],
    ),
    (
        "admin limited to contracts",
        change(**{"user:0:contract_numbers": "K1"}),
        ["user.jsonl:1 contract_numbers: only a sub-user is limited to contracts"],
    ),
    (
        "sub-user on another customer's contract",
        change(**{"user:1:contract_numbers": "K1 K2"}),
        ["user.jsonl:2 contract_numbers: K2 is not a contract of customer C100"],
    ),
    (
        "two admins of a customer",
        change(**{"user:1:role": "admin", "user:1:contract_numbers": None}),
        ["user.jsonl:2 role: customer C100 has one admin (first at user.jsonl:1)"],
    ),
    (
        "unknown role",
        change(**{"user:0:role": "owner"}),
        [
            "user.jsonl:1 role: 'owner' is not one of the codes admin, sub_user",
            "user.jsonl:2 role: a sub-user needs the admin of customer C100: not in this file set nor in the portal",
        ],
    ),
    (
        "an address without a domain",
        change(**{"user:2:email": "anna.verdi"}),
        ["user.jsonl:3 email: 'anna.verdi' does not have the form ^[^@\\s]+@[^@\\s]+$"],
    ),
    (
        "contracts separated by commas",
        change(**{"user:1:contract_numbers": "K1,K2"}),
        ["user.jsonl:2 contract_numbers: 'K1,K2' does not have the form ^[A-Za-z0-9._/-]+( [A-Za-z0-9._/-]+)*$"],
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
        "payment.jsonl/.csv, rate.jsonl/.csv, user.jsonl/.csv)"
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


PDF = b"%PDF-1.4\n%%EOF\n"
XML = b'<?xml version="1.0"?><FatturaElettronica versione="FPR12"/>'


@pytest.fixture
def private(tmp_path, monkeypatch) -> Path:
    """Where document files would be stored: checked to stay empty."""
    from portal.services.billing import document_files

    folder = tmp_path / "private"
    monkeypatch.setattr(document_files, "root", lambda _base=None: folder / "invoice_documents")
    return folder


def _documents_set(tmp_path: Path, files: dict[str, bytes], **names: str) -> Path:
    from portal.integration.export import write_documents

    records = file_set_copy()
    records["invoice"][0] |= names
    return write_documents(write_jsonl(tmp_path / "set", records), files)


DOCUMENT_CASES = [
    (
        "a named file that is not there",
        {"2025_000001.xml": XML},
        {"pdf_file": "2025_000001.pdf", "xml_file": "2025_000001.xml"},
        ["invoice.jsonl:1 pdf_file: no file 2025_000001.pdf in the set's documents/ folder"],
    ),
    (
        "a file no invoice names",
        {"2025_000001.pdf": PDF, "stray.pdf": PDF},
        {"pdf_file": "2025_000001.pdf"},
        ["documents/stray.pdf:0 -: named by no invoice's pdf_file or xml_file"],
    ),
    (
        "a PDF that is not one",
        {"2025_000001.pdf": XML},
        {"pdf_file": "2025_000001.pdf"},
        ["invoice.jsonl:1 pdf_file: documents/2025_000001.pdf is not a PDF file (by its content)"],
    ),
    (
        "XML that is not well-formed",
        {"2025_000001.xml": b"<FatturaElettronica><Header></FatturaElettronica>"},
        {"xml_file": "2025_000001.xml"},
        [
            "invoice.jsonl:1 xml_file: documents/2025_000001.xml is not well-formed XML: Opening and ending tag "
            "mismatch: Header line 1 and FatturaElettronica, line 1, column 50"
        ],
    ),
    (
        "one file as two documents",
        {"2025_000001.pdf": PDF},
        {"pdf_file": "2025_000001.pdf", "xml_file": "2025_000001.pdf"},
        ["invoice.jsonl:1 xml_file: 2025_000001.pdf is also named by invoice.jsonl:1 (one file per document)"],
    ),
]


@pytest.mark.parametrize(("what", "files", "names", "expected"), DOCUMENT_CASES, ids=[c[0] for c in DOCUMENT_CASES])
def test_each_problem_of_a_document_is_reported_and_nothing_is_stored(
    db, tenant, tmp_path, private, what, files, names, expected
):
    assert _rejected(db, tenant, _documents_set(tmp_path, files, **names)) == expected
    assert [item for item in private.rglob("*") if item.is_file()] == []


def test_an_invoice_or_a_payment_cannot_move_to_another_customer(db, tenant, tmp_path):
    from portal.integration.importer import import_file_set
    from portal.integration.readers import read_file_set

    first = import_file_set(
        session=db, tenant_id=tenant.id, file_set=read_file_set(write_jsonl(tmp_path / "a", file_set_copy()))
    )
    assert first.outcome is ImportOutcome.IMPORTED
    before = snapshot(db, tenant.id)
    records = file_set_copy()
    moved = {"invoice": [records["invoice"][4] | {"customer_code": "C100", "contract_number": "K1"}]}
    moved["payment"] = [records["payment"][0] | {"code": "P5"}]  # P5 pays an invoice of C200

    result = import_file_set(
        session=db, tenant_id=tenant.id, file_set=read_file_set(write_jsonl(tmp_path / "b", moved))
    )

    assert [r.as_text() for r in result.rejections] == [
        "invoice.jsonl:1 customer_code: C100: the invoice belongs to customer C200; "
        "format v1 cannot move an invoice to another customer",
        "payment.jsonl:1 code: P5 is a payment of customer C200; format v1 cannot move a payment to another customer",
    ]
    assert snapshot(db, tenant.id) == before


def test_users_that_clash_with_the_portals_accounts(db, tenant, tmp_path):
    from portal.integration.importer import import_file_set
    from portal.integration.readers import read_file_set
    from tests.unit.integration.conftest import make_tenant

    first = import_file_set(
        session=db, tenant_id=tenant.id, file_set=read_file_set(write_jsonl(tmp_path / "a", file_set_copy()))
    )
    assert first.outcome is ImportOutcome.IMPORTED
    before = snapshot(db, tenant.id)
    users = file_set_copy()["user"]
    clashing = {
        "user": [
            users[0] | {"email": "nuovo.admin@officinarossi.example.it"},  # C100's admin has another address
            users[1] | {"role": "admin", "customer_code": "C100", "contract_numbers": None},  # a sub-user
            users[2] | {"role": "sub_user"},  # C200's admin as a sub-user
        ]
    }
    clashing["user"][1].pop("contract_numbers")

    result = import_file_set(
        session=db, tenant_id=tenant.id, file_set=read_file_set(write_jsonl(tmp_path / "b", clashing))
    )

    assert [r.as_text() for r in result.rejections] == [
        "user.jsonl:1 email: nuovo.admin@officinarossi.example.it: the admin of customer C100 is "
        "mario.rossi@officinarossi.example.it in the portal",
        "user.jsonl:2 role: admin: contabilita@officinarossi.example.it is already a sub-user of customer C100",
        "user.jsonl:2 role: customer C100 has one admin (first at user.jsonl:1)",
        "user.jsonl:2 email: contabilita@officinarossi.example.it: the admin of customer C100 is "
        "mario.rossi@officinarossi.example.it in the portal",
        "user.jsonl:3 role: sub_user: anna.verdi@example.it is already the admin of customer C200",
    ]
    assert snapshot(db, tenant.id) == before

    other = make_tenant(db, "import-test-users")
    elsewhere = import_file_set(
        session=db, tenant_id=other.id, file_set=read_file_set(write_jsonl(tmp_path / "c", file_set_copy()))
    )
    assert [r.as_text() for r in elsewhere.rejections] == [
        f"user.jsonl:{line} customer_code: {code}: the username of an admin is its customer code, and {code} is "
        "the username of an account of another leasing company of this portal"
        for line, code in ((1, "C100"), (3, "C200"))
    ]
