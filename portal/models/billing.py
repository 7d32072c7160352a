"""Invoices, credit notes and payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, UniqueConstraint

from portal.models.enums import DocumentKind, PaymentMethod
from portal.models.types import enum_field, money_field, timestamp_field


class Invoice(SQLModel, table=True):
    """A fattura (TD01) or a nota di credito (TD04) correcting an earlier invoice."""

    __table_args__ = (
        UniqueConstraint("tenant_id", "number", name="uq_invoice_tenant_number"),
        sa.Index("ix_invoice_customer_due", "customer_id", "due_date"),
        sa.Index("ix_invoice_contract_due", "contract_id", "due_date"),
    )

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id")
    customer_id: int = Field(foreign_key="customer.id")
    contract_id: int = Field(foreign_key="contract.id")
    schedule_line_id: int | None = Field(default=None, foreign_key="schedule_line.id", index=True)
    corrects_invoice_id: int | None = Field(default=None, foreign_key="invoice.id", index=True)
    kind: DocumentKind = enum_field(DocumentKind, default=DocumentKind.INVOICE)
    number: str = Field(max_length=20)  # "2024/000123"
    issue_date: dt.date
    due_date: dt.date
    description: str = Field(max_length=200)  # causale
    taxable_amount: Decimal = money_field()
    vat_amount: Decimal = money_field()
    total: Decimal = money_field()
    paid_amount: Decimal = money_field()  # kept equal to the sum of its payments
    payment_method: PaymentMethod = enum_field(PaymentMethod)
    published_at: dt.datetime = timestamp_field()
    # Set when the publication notice went out; paper_copy records that the customer had asked
    # for paper invoices at that time, so a printed copy was posted too.
    notified_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    paper_copy: bool = Field(default=False)
    # The PDF and FatturaPA XML the core system sent (integration), stored as attachments are
    # (services/billing/document_files.py); without them the portal generates the documents.
    pdf_storage_key: str | None = Field(default=None, max_length=64)
    pdf_sha256: str | None = Field(default=None, max_length=64)
    xml_storage_key: str | None = Field(default=None, max_length=64)
    xml_sha256: str | None = Field(default=None, max_length=64)


class InvoiceLine(SQLModel, table=True):
    __tablename__: ClassVar[str] = "invoice_line"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    line_number: int
    description: str = Field(max_length=300)
    quantity: Decimal = Field(default=Decimal("1.00"), sa_type=sa.Numeric(12, 2))
    unit_price: Decimal = money_field()
    taxable_amount: Decimal = money_field()
    vat_rate: Decimal = Field(default=Decimal("22.00"), sa_type=sa.Numeric(5, 2))
    vat_amount: Decimal = money_field()


class Payment(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_payment_customer_paid", "customer_id", "paid_on"),
        # A customer belongs to one tenant: unique per customer keeps two leasing companies'
        # codes apart; the importer refuses a code already used by another customer of its tenant.
        UniqueConstraint("customer_id", "code", name="uq_payment_customer_code"),
    )

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    customer_id: int = Field(foreign_key="customer.id")
    contract_id: int = Field(foreign_key="contract.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    code: str | None = Field(default=None, max_length=40)  # the core system's payment identifier
    paid_on: dt.date
    amount: Decimal = money_field()
    method: PaymentMethod = enum_field(PaymentMethod)
    reference: str = Field(default="", max_length=60)
    created_at: dt.datetime = timestamp_field()
