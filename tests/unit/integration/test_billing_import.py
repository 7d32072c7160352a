"""Invoices, credit notes, their lines, payments and reference rates imported: what lands (read back
with plain SQL), the paid amounts kept equal to the payments, the reconciliation warnings, and the
publication of the invoices an import creates (once, never on a dry run)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import sqlalchemy as sa

from portal.integration.export import write_jsonl
from portal.integration.importer import TypeCounts, import_file_set
from portal.integration.readers import read_file_set
from portal.models.enums import ImportOutcome
from tests.unit.integration.conftest import FILE_SET, file_set_copy, snapshot


def _import(db, tenant, path, **kwargs):
    result = import_file_set(session=db, tenant_id=tenant.id, file_set=read_file_set(path), **kwargs)
    db.flush()
    db.expire_all()
    return result


def _rows(db, query: str, **params) -> list[tuple]:
    return [tuple(row) for row in db.execute(sa.text(query), params).all()]


def _paid(db, tenant) -> dict[str, Decimal]:
    rows = _rows(db, "select number, paid_amount from invoice where tenant_id = :t order by number", t=tenant.id)
    return {number: Decimal(str(paid)) for number, paid in rows}


def test_invoices_lines_payments_and_rates_land(db, tenant, tmp_path):
    result = _import(db, tenant, write_jsonl(tmp_path / "set", FILE_SET))

    assert result.outcome is ImportOutcome.IMPORTED, [r.as_text() for r in result.rejections]
    assert result.warnings == []
    rows = snapshot(db, tenant.id)
    assert [row[:6] for row in rows["invoice"]] == [
        ("2024/000001", "invoice", "C200", "K2", 2, None),
        ("2025/000001", "invoice", "C100", "K1", 1, None),
        ("2025/000002", "invoice", "C100", "K1", 2, None),
        ("2025/000003", "invoice", "C100", "K1", None, None),
        ("2025/000004", "credit_note", "C100", "K1", None, "2025/000003"),
    ]
    assert [Decimal(str(value)) for value in rows["invoice"][2][9:12]] == [
        Decimal("3610.00"),
        Decimal("794.20"),
        Decimal("4404.20"),
    ]
    assert rows["invoice"][0][13] == "bank_transfer"
    # paid amounts: the sum of each invoice's payments, by hand from conftest.PAYMENTS
    assert _paid(db, tenant) == {
        "2024/000001": Decimal("1000.00"),
        "2025/000001": Decimal("1464.00"),
        "2025/000002": Decimal("4404.20"),
        "2025/000003": Decimal("305.00"),
        "2025/000004": Decimal("305.00"),
    }
    assert [(row[0], row[1], Decimal(str(row[3]))) for row in rows["invoice_line"]] == [
        ("2024/000001", 1, Decimal("1.00")),
        ("2025/000001", 1, Decimal("1.00")),
        ("2025/000002", 1, Decimal("1.00")),  # absent quantity: 1
        ("2025/000002", 2, Decimal("1.00")),
        ("2025/000003", 1, Decimal("1.00")),
        ("2025/000004", 1, Decimal("1.00")),
    ]
    assert [(row[0], row[1], row[2], row[3], row[7]) for row in rows["payment"]] == [
        ("P1", "2025/000001", "C100", "K1", "SDD-2025/000001"),
        ("P2", "2025/000002", "C100", "K1", "SDD-2025/000002"),
        ("P3", "2025/000003", "C100", "K1", "NC 2025/000004"),
        ("P4", "2025/000004", "C100", "K1", "FT 2025/000003"),
        ("P5", "2024/000001", "C200", "K2", ""),  # absent reference: empty
    ]
    assert [(row[0], str(row[1]), Decimal(str(row[2]))) for row in rows["rate"]] == [
        ("EURIBOR_6M", "2025-01-02", Decimal("0.0262")),
        ("EURIBOR_6M", "2025-02-03", Decimal("-0.0031")),
    ]


def test_a_new_payment_updates_the_paid_amount_and_a_moved_one_both(db, tenant, tmp_path):
    _import(db, tenant, write_jsonl(tmp_path / "first", FILE_SET))
    changed = file_set_copy()
    changed["payment"].append(
        {
            "code": "P6",
            "invoice_number": "2024/000001",
            "paid_on": "2024-03-05",
            "amount": "745.00",
            "method": "bank_transfer",
        }
    )
    changed["payment"][0]["invoice_number"] = "2025/000002"  # P1 was booked on the wrong invoice
    changed["payment"][0]["amount"] = "0.01"

    result = _import(db, tenant, write_jsonl(tmp_path / "second", {"payment": changed["payment"]}))

    assert result.counts["payment"] == TypeCounts(created=1, updated=1, unchanged=4)
    assert result.counts["invoice"] == TypeCounts()  # the paid amount is no field: no invoice counted
    assert _paid(db, tenant) == {
        "2024/000001": Decimal("1745.00"),
        "2025/000001": Decimal("0.00"),
        "2025/000002": Decimal("4404.21"),
        "2025/000003": Decimal("305.00"),
        "2025/000004": Decimal("305.00"),
    }
    assert [warning.as_text() for warning in result.warnings] == [
        "invoice 2025/000002: payments 4404.21 exceed the total 4404.20 (difference 0.01)"
    ]


def test_sums_that_do_not_agree_are_warnings_with_the_figures(db, tenant, tmp_path):
    records = file_set_copy()
    records["invoice"][1]["total"] = "4404.21"  # 2025/000002: 3610.00 + 794.20 = 4404.20
    records["invoice"][3]["taxable_amount"] = "350.00"  # the credit note: 350.00 + 55.00 = 405.00 > 305.00
    records["invoice"][3]["total"] = "405.00"
    records["payment"][4]["amount"] = "2800.00"  # 2024/000001 totals 2745.00

    result = _import(db, tenant, write_jsonl(tmp_path / "set", records))

    assert result.outcome is ImportOutcome.IMPORTED
    assert [dataclasses.astuple(warning) for warning in result.warnings] == [
        (
            "invoice",
            "2024/000001",
            "payments 2800.00 exceed the total 2745.00 (difference 55.00)",
        ),
        (
            "invoice",
            "2025/000002",
            "total 4404.21 is not taxable amount 3610.00 + VAT 794.20 = 4404.20 (difference 0.01)",
        ),
        (
            "invoice",
            "2025/000002",
            "lines taxable 3610.00 + VAT 794.20 = 4404.20, not the total 4404.21 (difference -0.01)",
        ),
        (
            "invoice",
            "2025/000004",
            "lines taxable 250.00 + VAT 55.00 = 305.00, not the total 405.00 (difference -100.00)",
        ),
        (
            "invoice",
            "2025/000004",
            "the credit note's total 405.00 exceeds the total 305.00 of invoice 2025/000003 it corrects",
        ),
    ]


def test_a_credit_note_for_another_customers_invoice_is_a_warning(db, tenant, tmp_path):
    records = file_set_copy()
    records["invoice"].append(
        {
            **records["invoice"][3],
            "number": "2025/000005",
            "customer_code": "C200",
            "contract_number": "K2",
            "corrects_number": "2025/000003",
        }
    )

    result = _import(db, tenant, write_jsonl(tmp_path / "set", records))

    assert result.outcome is ImportOutcome.IMPORTED
    assert [warning.as_text() for warning in result.warnings] == [
        "invoice 2025/000005: the credit note is for customer C200 but corrects invoice 2025/000003 of customer C100"
    ]


def test_a_credit_note_may_credit_a_plan_row_instead_of_an_invoice(db, tenant, tmp_path):
    records = file_set_copy()
    records["invoice"].append(
        {
            **records["invoice"][0],
            "number": "2025/000006",
            "kind": "credit_note",
            "schedule_line_position": 4,  # K1's indexation row
            "taxable_amount": "4.33",
            "vat_amount": "0.95",
            "total": "5.28",
            "description": "Conguaglio indicizzazione contratto K1",
        }
    )

    result = _import(db, tenant, write_jsonl(tmp_path / "set", records))

    assert result.outcome is ImportOutcome.IMPORTED, [r.as_text() for r in result.rejections]
    assert _rows(
        db,
        "select i.kind, s.kind from invoice i join schedule_line s on s.id = i.schedule_line_id"
        " where i.tenant_id = :t and i.number = '2025/000006'",
        t=tenant.id,
    ) == [("credit_note", "indexation")]


def test_rates_are_shared_market_data_updated_by_name_and_day(db, tenant, tmp_path):
    _import(db, tenant, write_jsonl(tmp_path / "first", FILE_SET))
    changed = [dict(rate) for rate in FILE_SET["rate"]]
    changed[1]["rate"] = "-0.00310"  # the same number: unchanged
    changed.append({"name": "EURIBOR_6M", "observed_on": "2025-03-03", "rate": "0.0255"})
    changed[0]["rate"] = "0.0263"

    result = _import(db, tenant, write_jsonl(tmp_path / "second", {"rate": changed}))

    assert result.counts["rate"] == TypeCounts(created=1, updated=1, unchanged=1)
    rows = _rows(db, "select observed_on, rate from reference_rate where name = 'EURIBOR_6M' order by observed_on")
    assert [(str(day), Decimal(str(rate))) for day, rate in rows] == [
        ("2025-01-02", Decimal("0.0263")),
        ("2025-02-03", Decimal("-0.0031")),
        ("2025-03-03", Decimal("0.0255")),
    ]


def _outbox(db, address: str) -> list[str]:
    return [kind for (kind,) in _rows(db, "select kind from mail_outbox where to_address = :a order by id", a=address)]


def test_a_new_invoice_is_published_once_as_the_billing_job_does(db, tenant, tmp_path):
    _import(db, tenant, write_jsonl(tmp_path / "first", FILE_SET))
    # the first load: every invoice published and stamped; the set's users, invited after its
    # invoices, were not there to be told (and are not told later: a document is announced once)
    assert _rows(db, "select count(*) from invoice where tenant_id = :t and notified_at is null", t=tenant.id) == [(0,)]
    admin, accountant = "mario.rossi@officinarossi.example.it", "contabilita@officinarossi.example.it"
    assert _outbox(db, admin) == ["temporary_password.invitation"]
    assert _outbox(db, accountant) == ["temporary_password.sub_user"]
    records = file_set_copy()
    records["invoice"].append(
        {**records["invoice"][0], "number": "2025/000007", "schedule_line_position": 3, "description": "Canone n. 2"}
    )
    path = write_jsonl(tmp_path / "second", {"invoice": records["invoice"]})

    dry = _import(db, tenant, path, dry_run=True)
    assert dry.counts["invoice"] == TypeCounts(created=1, unchanged=5)
    assert _outbox(db, admin) == ["temporary_password.invitation"]

    real = _import(db, tenant, path)
    assert real.counts["invoice"] == TypeCounts(created=1, unchanged=5)
    notices = _rows(
        db,
        "select n.kind, u.primary_email, i.number from notification n join invoice i on i.id = n.invoice_id"
        " join user_account u on u.id = n.user_id where i.tenant_id = :t order by u.primary_email",
        t=tenant.id,
    )
    # the admin, and the sub-user who may see contract K1
    assert notices == [("document", accountant, "2025/000007"), ("document", admin, "2025/000007")]
    assert _outbox(db, admin) == ["temporary_password.invitation", "publication"]
    assert _outbox(db, accountant) == ["temporary_password.sub_user", "publication"]

    again = _import(db, tenant, path)
    assert again.counts["invoice"] == TypeCounts(unchanged=6)
    assert _outbox(db, admin) == ["temporary_password.invitation", "publication"]
    assert (
        len(_rows(db, "select id from notification n where n.invoice_id is not null and n.tenant_id = :t", t=tenant.id))
        == 2
    )
