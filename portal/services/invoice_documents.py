"""Everything an invoice document shows (PDF and FatturaPA XML read the same facts)."""

from __future__ import annotations

import dataclasses

from sqlmodel import Session, select

from portal.models import Contract, Customer, Invoice, InvoiceLine, ScheduleLine, Tenant


@dataclasses.dataclass(frozen=True)
class InvoiceDocument:
    invoice: Invoice
    lines: list[InvoiceLine]
    customer: Customer
    contract: Contract
    tenant: Tenant
    schedule_line: ScheduleLine | None
    corrected: Invoice | None  # the invoice a credit note corrects


def load_invoice_document(*, session: Session, invoice: Invoice) -> InvoiceDocument:
    lines = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id).order_by(InvoiceLine.line_number)).all()
    return InvoiceDocument(
        invoice=invoice,
        lines=list(lines),
        customer=session.get(Customer, invoice.customer_id),
        contract=session.get(Contract, invoice.contract_id),
        tenant=session.get(Tenant, invoice.tenant_id),
        schedule_line=session.get(ScheduleLine, invoice.schedule_line_id) if invoice.schedule_line_id else None,
        corrected=session.get(Invoice, invoice.corrects_invoice_id) if invoice.corrects_invoice_id else None,
    )
