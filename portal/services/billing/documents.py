"""Everything an invoice document shows (PDF and FatturaPA XML read the same facts)."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from sqlmodel import Session, SQLModel, col, select

from portal.models import Contract, Customer, Invoice, InvoiceLine, ScheduleLine, Tenant

Row = TypeVar("Row", bound=SQLModel)


@dataclasses.dataclass(frozen=True)
class InvoiceDocument:
    invoice: Invoice
    lines: list[InvoiceLine]
    customer: Customer
    contract: Contract
    tenant: Tenant
    schedule_line: ScheduleLine | None
    corrected: Invoice | None  # the invoice a credit note corrects


def linked(session: Session, model: type[Row], key: int) -> Row:
    """The row an invoice's foreign key points to: missing only in a broken database."""
    row = session.get(model, key)
    if row is None:
        raise LookupError(f"{model.__name__} {key} does not exist")
    return row


def load_invoice_document(*, session: Session, invoice: Invoice) -> InvoiceDocument:
    lines = session.exec(
        select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id).order_by(col(InvoiceLine.line_number))
    ).all()
    return InvoiceDocument(
        invoice=invoice,
        lines=list(lines),
        customer=linked(session, Customer, invoice.customer_id),
        contract=linked(session, Contract, invoice.contract_id),
        tenant=linked(session, Tenant, invoice.tenant_id),
        schedule_line=session.get(ScheduleLine, invoice.schedule_line_id) if invoice.schedule_line_id else None,
        corrected=session.get(Invoice, invoice.corrects_invoice_id) if invoice.corrects_invoice_id else None,
    )
