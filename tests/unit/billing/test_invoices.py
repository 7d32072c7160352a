from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlmodel import col, select

from portal.models import Contract, Invoice, Payment
from portal.models.enums import InvoiceStatus, PaymentMethod
from portal.services.billing.invoices import InvoiceNumbering, format_number, invoice_status, record_payment, vat_of
from tests.unit.conftest import id_mark, rows_after


def test_vat_is_rounded_half_up():
    assert vat_of(D("788.79"), D("22")) == D("173.53")
    assert vat_of(D("0.25"), D("22")) == D("0.06")  # 0.055 → 0.06


@pytest.mark.parametrize(
    "paid, due, status",
    [
        ("100.00", dt.date(2024, 1, 1), InvoiceStatus.PAID),
        ("50.00", dt.date(2024, 1, 1), InvoiceStatus.OVERDUE),
        ("0.00", dt.date(2024, 3, 1), InvoiceStatus.TO_BE_DUE),
        ("0.00", dt.date(2024, 2, 1), InvoiceStatus.TO_BE_DUE),
    ],
)
def test_invoice_status(paid, due, status):
    assert invoice_status(total=D("100.00"), paid=D(paid), due_date=due, today=dt.date(2024, 2, 1)) is status


def test_numbering_continues_from_the_database(db, demo):
    numbering = InvoiceNumbering(db, demo.id)
    highest_2024 = max(n for n in db.exec(select(Invoice.number)).all() if n.startswith("2024/"))
    assert numbering.next(2024) == format_number(2024, int(highest_2024[5:]) + 1)
    assert numbering.next(2024) == format_number(2024, int(highest_2024[5:]) + 2)
    assert numbering.next(2031) == "2031/000001"


def test_payment_cannot_exceed_what_is_due(db, demo):
    invoice = db.exec(select(Invoice).where(Invoice.paid_amount < Invoice.total).order_by(col(Invoice.id))).first()
    assert invoice is not None
    paid, payments = invoice.paid_amount, id_mark(db, Payment)
    with pytest.raises(ValueError):
        record_payment(
            session=db,
            invoice=invoice,
            paid_on=dt.date(2026, 1, 1),
            amount=invoice.total + 1,
            method=PaymentMethod.BANK_TRANSFER,
        )
    with pytest.raises(ValueError):
        record_payment(
            session=db, invoice=invoice, paid_on=dt.date(2026, 1, 1), amount=D("0"), method=PaymentMethod.BANK_TRANSFER
        )
    assert invoice.paid_amount == paid and rows_after(db, Payment, payments) == []
    # the exact outstanding amount is accepted: the refusals above are about the amount, not the invoice
    record_payment(
        session=db,
        invoice=invoice,
        paid_on=dt.date(2026, 1, 1),
        amount=invoice.total - paid,
        method=PaymentMethod.BANK_TRANSFER,
    )
    assert invoice.paid_amount == invoice.total
    assert [(p.invoice_id, p.amount) for p in rows_after(db, Payment, payments)] == [(invoice.id, invoice.total - paid)]


def test_extinguished_contract_is_fully_paid(db, demo):
    contract = db.exec(select(Contract).where(Contract.number == "71204")).one()
    assert contract.extinguished_on is not None
    invoices = db.exec(select(Invoice).where(Invoice.contract_id == contract.id)).all()
    # 60 monthly instalments, the advance, the residual value, the investigation fee and its credit note
    assert len(invoices) == 64 and all(invoice.paid_amount == invoice.total for invoice in invoices)
