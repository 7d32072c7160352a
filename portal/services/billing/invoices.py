"""Invoices, credit notes and payments: issuing, numbering, settling and their status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.models import Contract, Invoice, InvoiceLine, Payment, ScheduleLine
from portal.models.enums import DocumentKind, InvoiceStatus, PaymentMethod, ScheduleLineKind
from portal.services.contracts.amortization import to_cents

# Days before the due date on which an instalment's invoice is issued and published.
PUBLICATION_LEAD_DAYS = 10
# Indexation adjustments are charged with the instalment collected about four weeks later.
INDEXATION_COLLECTION_DAYS = 27


def vat_of(taxable: Decimal, vat_rate: Decimal) -> Decimal:
    return to_cents(taxable * vat_rate / 100)


def invoice_status(*, total: Decimal, paid: Decimal, due_date: dt.date, today: dt.date) -> InvoiceStatus:
    if paid >= total:
        return InvoiceStatus.PAID
    if due_date < today:
        return InvoiceStatus.OVERDUE
    return InvoiceStatus.TO_BE_DUE


def format_number(year: int, sequence: int) -> str:
    return f"{year}/{sequence:06d}"


class InvoiceNumbering:
    """Hands out consecutive numbers per tenant and year ("2024/000123").

    Reads the highest number of a year once, then counts in memory: one instance per unit of
    work (a seeding run, a billing run) that holds the tenant's numbering for its duration.
    """

    def __init__(self, session: Session, tenant_id: int):
        self._session = session
        self._tenant_id = tenant_id
        self._last: dict[int, int] = {}

    def _highest(self, year: int) -> int:
        highest = self._session.exec(
            select(sa.func.max(Invoice.number)).where(
                Invoice.tenant_id == self._tenant_id, col(Invoice.number).like(f"{year}/%")
            )
        ).one()
        return int(highest.split("/")[1]) if highest else 0

    def next(self, year: int) -> str:
        if year not in self._last:
            self._last[year] = self._highest(year)
        self._last[year] += 1
        return format_number(year, self._last[year])


def causale(line: ScheduleLine, contract: Contract) -> str:
    """The invoice's description; invoices are legal documents, written in Italian."""
    if line.kind is ScheduleLineKind.ADVANCE:
        return f"Rata anticipata (maxi-canone) contratto {contract.number}"
    if line.kind is ScheduleLineKind.INDEXATION:
        start = line.competence_start.strftime("%d/%m/%Y")
        end = line.competence_end.strftime("%d/%m/%Y")
        return f"Conguaglio indicizzazione {start}-{end} contratto {contract.number}"
    if line.kind is ScheduleLineKind.RESIDUAL_VALUE:
        return f"Valore residuo (riscatto) contratto {contract.number}"
    return f"Canone n. {line.number} di {contract.instalment_count} contratto {contract.number}"


def invoice_due_date(line: ScheduleLine) -> dt.date:
    if line.kind is ScheduleLineKind.INDEXATION:
        return line.due_date + dt.timedelta(days=INDEXATION_COLLECTION_DAYS)
    return line.due_date


def invoice_issue_date(line: ScheduleLine, contract: Contract) -> dt.date:
    if line.kind in (ScheduleLineKind.ADVANCE, ScheduleLineKind.INDEXATION):
        return line.due_date
    return max(contract.signed_on, line.due_date - dt.timedelta(days=PUBLICATION_LEAD_DAYS))


def _document(
    *,
    session: Session,
    contract: Contract,
    kind: DocumentKind,
    number: str,
    issue_date: dt.date,
    due_date: dt.date,
    description: str,
    taxable: Decimal,
    payment_method: PaymentMethod,
    schedule_line_id: int | None = None,
    corrects_invoice_id: int | None = None,
) -> Invoice:
    vat = vat_of(taxable, contract.vat_rate)
    invoice = Invoice(
        tenant_id=contract.tenant_id,
        customer_id=contract.customer_id,
        contract_id=contract.id,
        schedule_line_id=schedule_line_id,
        corrects_invoice_id=corrects_invoice_id,
        kind=kind,
        number=number,
        issue_date=issue_date,
        due_date=due_date,
        description=description,
        taxable_amount=taxable,
        vat_amount=vat,
        total=taxable + vat,
        paid_amount=Decimal("0.00"),
        payment_method=payment_method,
        published_at=dt.datetime.combine(issue_date, dt.time(8, 0), tzinfo=dt.UTC),
    )
    session.add(invoice)
    session.flush()
    session.add(
        InvoiceLine(
            invoice_id=invoice.id,
            line_number=1,
            description=description,
            quantity=Decimal("1.00"),
            unit_price=taxable,
            taxable_amount=taxable,
            vat_rate=contract.vat_rate,
            vat_amount=vat,
        )
    )
    return invoice


def issue_for_line(
    *, session: Session, contract: Contract, line: ScheduleLine, numbering: InvoiceNumbering
) -> Invoice | None:
    """The document that bills one plan row: an invoice, or a credit note for a negative
    indexation adjustment. Nothing is issued for a zero adjustment."""
    if line.amount == 0:
        return None
    issue_date = invoice_issue_date(line, contract)
    kind = DocumentKind.INVOICE if line.amount > 0 else DocumentKind.CREDIT_NOTE
    return _document(
        session=session,
        contract=contract,
        kind=kind,
        number=numbering.next(issue_date.year),
        issue_date=issue_date,
        due_date=invoice_due_date(line),
        description=causale(line, contract),
        taxable=abs(line.amount),
        payment_method=line.payment_method,
        schedule_line_id=line.id,
    )


def issue_invoice(
    *,
    session: Session,
    contract: Contract,
    numbering: InvoiceNumbering,
    issue_date: dt.date,
    due_date: dt.date,
    description: str,
    taxable: Decimal,
    payment_method: PaymentMethod,
) -> Invoice:
    """An invoice for a charge outside the plan (fees, expenses)."""
    return _document(
        session=session,
        contract=contract,
        kind=DocumentKind.INVOICE,
        number=numbering.next(issue_date.year),
        issue_date=issue_date,
        due_date=due_date,
        description=description,
        taxable=taxable,
        payment_method=payment_method,
    )


def issue_credit_note(
    *,
    session: Session,
    contract: Contract,
    corrected: Invoice,
    numbering: InvoiceNumbering,
    issue_date: dt.date,
    reason: str,
) -> Invoice:
    """A nota di credito cancelling `corrected` in full; both end settled by compensation."""
    note = _document(
        session=session,
        contract=contract,
        kind=DocumentKind.CREDIT_NOTE,
        number=numbering.next(issue_date.year),
        issue_date=issue_date,
        due_date=issue_date,
        description=f"{reason} - storno fattura n. {corrected.number}",
        taxable=corrected.taxable_amount,
        payment_method=PaymentMethod.COMPENSATION,
        corrects_invoice_id=corrected.id,
    )
    outstanding = corrected.total - corrected.paid_amount
    if outstanding > 0:
        record_payment(
            session=session,
            invoice=corrected,
            paid_on=issue_date,
            amount=outstanding,
            method=PaymentMethod.COMPENSATION,
            reference=f"NC {note.number}",
            code=f"CMP-{corrected.number}",
        )
    record_payment(
        session=session,
        invoice=note,
        paid_on=issue_date,
        amount=note.total,
        method=PaymentMethod.COMPENSATION,
        reference=f"FT {corrected.number}",
        code=f"CMP-{note.number}",
    )
    return note


def record_payment(
    *,
    session: Session,
    invoice: Invoice,
    paid_on: dt.date,
    amount: Decimal,
    method: PaymentMethod,
    reference: str = "",
    schedule_line: ScheduleLine | None = None,
    code: str | None = None,
) -> Payment:
    """Register money received and keep the invoice's paid amount equal to its payments."""
    if amount <= 0:
        raise ValueError("a payment must be positive")
    if invoice.paid_amount + amount > invoice.total:
        raise ValueError(f"payment exceeds what is due on invoice {invoice.number}")
    payment = Payment(
        customer_id=invoice.customer_id,
        contract_id=invoice.contract_id,
        invoice_id=invoice.id,
        paid_on=paid_on,
        amount=amount,
        method=method,
        reference=reference,
        code=code,
    )
    invoice.paid_amount += amount
    session.add(payment)
    session.add(invoice)
    if schedule_line is not None and invoice.paid_amount == invoice.total:
        schedule_line.collection_date = paid_on
        session.add(schedule_line)
    return payment


def issue_pending_documents(*, session: Session, tenant_id: int, as_of: dt.date) -> list[Invoice]:
    """The billing run: bill every plan row whose issue date has come, oldest first, so that
    document numbers follow the calendar."""
    pending = session.exec(
        select(ScheduleLine, Contract)
        .join(Contract, col(Contract.id) == ScheduleLine.contract_id)
        .outerjoin(Invoice, col(Invoice.schedule_line_id) == ScheduleLine.id)
        .where(
            Contract.tenant_id == tenant_id,
            col(Invoice.id).is_(None),
            ScheduleLine.due_date <= as_of + dt.timedelta(days=PUBLICATION_LEAD_DAYS),
        )
    ).all()
    due = [(line, contract) for line, contract in pending if invoice_issue_date(line, contract) <= as_of]
    due.sort(key=lambda pair: (invoice_issue_date(pair[0], pair[1]), pair[1].number, pair[0].position))
    numbering = InvoiceNumbering(session, tenant_id)
    issued = []
    for line, contract in due:
        invoice = issue_for_line(session=session, contract=contract, line=line, numbering=numbering)
        if invoice is not None:
            issued.append(invoice)
    return issued
