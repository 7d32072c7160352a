"""What the Fatture e pagamenti screen reads: documents with their status, filtered and paged in
SQL, the overdue total, and the amounts falling due month by month."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from portal.models import Contract, Invoice, ScheduleLine
from portal.models.enums import ContractStatus, DocumentKind, InvoiceStatus, PaymentMethod, ScheduleLineKind
from portal.services.access.scope import Scope
from portal.services.billing.invoices import invoice_status, vat_of
from portal.services.common.paging import clamp_offset
from portal.services.contracts.amortization import to_cents

PAGE_SIZE = 25
ZERO = Decimal("0.00")
STATUS_FILTERS = ("all", InvoiceStatus.TO_BE_DUE.value, InvoiceStatus.OVERDUE.value, InvoiceStatus.PAID.value)


@dataclasses.dataclass(frozen=True)
class DocumentFilter:
    contract_id: int | None = None
    status: str = "all"
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclasses.dataclass(frozen=True)
class DocumentRow:
    invoice_id: int
    number: str
    kind: DocumentKind
    contract_number: str
    issue_date: dt.date
    due_date: dt.date
    instalment_number: int | None
    line_kind: ScheduleLineKind | None
    description: str
    payment_method: PaymentMethod
    total: Decimal  # negative for a credit note
    paid: Decimal  # negative for a credit note
    status: InvoiceStatus
    corrects: str | None  # for a credit note: the number of the invoice it corrects
    corrected_by: str | None  # for an invoice: the credit note that corrects it
    paper_copy: bool

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid

    @property
    def overdue_balance(self) -> Decimal:
        return self.balance if self.status is InvoiceStatus.OVERDUE else ZERO


def _status_condition(status: str, today: dt.date):
    unpaid = col(Invoice.paid_amount) < Invoice.total
    if status == InvoiceStatus.PAID.value:
        return col(Invoice.paid_amount) >= Invoice.total
    if status == InvoiceStatus.OVERDUE.value:
        return sa.and_(unpaid, col(Invoice.due_date) < today)
    if status == InvoiceStatus.TO_BE_DUE.value:
        return sa.and_(unpaid, col(Invoice.due_date) >= today)
    return sa.true()


def _query(scope: Scope, flt: DocumentFilter, today: dt.date):
    corrected = aliased(Invoice)
    note = aliased(Invoice)
    first_note = (
        select(col(note.corrects_invoice_id), sa.func.min(note.number).label("number"))
        # this customer's notes only
        .where(col(note.corrects_invoice_id).is_not(None), note.customer_id == scope.customer_id)
        .group_by(col(note.corrects_invoice_id))
        .subquery()
    )
    query = (
        # sqlmodel types select() for four entities at most; this one reads six.
        select(  # pyright: ignore[reportCallIssue]
            Invoice, Contract.number, ScheduleLine.number, ScheduleLine.kind, corrected.number, first_note.c.number
        )
        .join(Contract, col(Contract.id) == Invoice.contract_id)
        .outerjoin(ScheduleLine, col(ScheduleLine.id) == Invoice.schedule_line_id)
        .outerjoin(corrected, col(corrected.id) == Invoice.corrects_invoice_id)
        .outerjoin(first_note, first_note.c.corrects_invoice_id == Invoice.id)
        .where(*scope.where(Invoice.customer_id, Invoice.contract_id), _status_condition(flt.status, today))
    )
    if flt.contract_id is not None:
        query = query.where(Invoice.contract_id == flt.contract_id)
    if flt.date_from is not None:
        query = query.where(Invoice.due_date >= flt.date_from)
    if flt.date_to is not None:
        query = query.where(Invoice.due_date <= flt.date_to)
    return query


def _row(record, today: dt.date) -> DocumentRow:
    invoice, contract_number, instalment_number, line_kind, corrects, corrected_by = record
    sign = -1 if invoice.kind is DocumentKind.CREDIT_NOTE else 1
    return DocumentRow(
        invoice_id=invoice.id,
        number=invoice.number,
        kind=invoice.kind,
        contract_number=contract_number,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        instalment_number=instalment_number
        if line_kind in (ScheduleLineKind.INSTALMENT, ScheduleLineKind.RESIDUAL_VALUE)
        else None,
        line_kind=line_kind,
        description=invoice.description,
        payment_method=invoice.payment_method,
        total=sign * invoice.total,
        paid=sign * invoice.paid_amount,
        status=invoice_status(total=invoice.total, paid=invoice.paid_amount, due_date=invoice.due_date, today=today),
        corrects=corrects,
        corrected_by=corrected_by,
        paper_copy=invoice.paper_copy,
    )


def documents_page(
    *, session: Session, scope: Scope, flt: DocumentFilter, today: dt.date, offset: int, limit: int = PAGE_SIZE
) -> tuple[list[DocumentRow], int]:
    query = _query(scope, flt, today)
    total = int(session.exec(select(sa.func.count()).select_from(query.subquery())).one())
    offset = clamp_offset(offset, total, limit)
    records = session.exec(
        query.order_by(col(Invoice.due_date).desc(), col(Invoice.number).desc()).offset(offset).limit(limit)
    ).all()
    return [_row(record, today) for record in records], total


def all_documents(*, session: Session, scope: Scope, flt: DocumentFilter, today: dt.date) -> Iterator[DocumentRow]:
    query = _query(scope, flt, today).order_by(col(Invoice.due_date).desc(), col(Invoice.number).desc())
    for record in session.exec(query.execution_options(yield_per=2000)):
        yield _row(record, today)


def document_count(*, session: Session, scope: Scope, flt: DocumentFilter, today: dt.date) -> int:
    return int(session.exec(select(sa.func.count()).select_from(_query(scope, flt, today).subquery())).one())


def overdue_balance(*, session: Session, scope: Scope, contract_id: int | None, today: dt.date) -> Decimal:
    """Totale saldo scaduto of the chosen contract, or of all the scope's contracts."""
    query = select(sa.func.sum(Invoice.total - Invoice.paid_amount)).where(
        *scope.where(Invoice.customer_id, Invoice.contract_id),
        Invoice.kind == DocumentKind.INVOICE,
        Invoice.paid_amount < Invoice.total,
        Invoice.due_date < today,
    )
    if contract_id is not None:
        query = query.where(Invoice.contract_id == contract_id)
    total = session.exec(query).one()
    return to_cents(Decimal(total)) if total is not None else ZERO


def uninvoiced_lines(scope: Scope, today: dt.date, *columns):
    """A query of `columns` over the plan rows of active contracts falling due from `today` on that
    no invoice covers yet (indexation rows count once invoiced, when their amount is final)."""
    return (
        select(*columns)
        .select_from(ScheduleLine)
        .join(Contract, col(Contract.id) == ScheduleLine.contract_id)
        .outerjoin(Invoice, col(Invoice.schedule_line_id) == ScheduleLine.id)
        .where(
            *scope.where(ScheduleLine.customer_id, ScheduleLine.contract_id),
            ScheduleLine.due_date >= today,
            ScheduleLine.kind != ScheduleLineKind.INDEXATION,
            Contract.status == ContractStatus.ACTIVE,
            col(Invoice.id).is_(None),
        )
    )


def monthly_due(
    *, session: Session, scope: Scope, contract_id: int | None, today: dt.date, months: int = 12
) -> list[tuple[dt.date, Decimal]]:
    """Amounts (VAT included) falling due in each of the next `months` months: open invoices,
    and plan rows not yet invoiced."""
    start = today.replace(day=1)
    end = start + relativedelta(months=months)
    totals: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    invoices = select(col(Invoice.due_date), col(Invoice.kind), col(Invoice.total) - Invoice.paid_amount).where(
        *scope.where(Invoice.customer_id, Invoice.contract_id),
        Invoice.paid_amount < Invoice.total,
        Invoice.due_date >= today,
        Invoice.due_date < end,
    )
    planned = uninvoiced_lines(scope, today, ScheduleLine.due_date, ScheduleLine.amount, Contract.vat_rate).where(
        ScheduleLine.due_date < end
    )
    if contract_id is not None:
        invoices = invoices.where(Invoice.contract_id == contract_id)
        planned = planned.where(ScheduleLine.contract_id == contract_id)
    for due_date, kind, outstanding in session.exec(invoices).all():
        totals[due_date.replace(day=1)] += -outstanding if kind is DocumentKind.CREDIT_NOTE else outstanding
    for due_date, amount, vat_rate in session.exec(planned).all():
        totals[due_date.replace(day=1)] += amount + vat_of(amount, vat_rate)
    return [(start + relativedelta(months=i), to_cents(totals[start + relativedelta(months=i)])) for i in range(months)]


def access_invoice(*, session: Session, scope: Scope, invoice_id: int) -> Invoice | None:
    """The invoice when the scope may read it; None otherwise (as if it did not exist)."""
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.customer_id != scope.customer_id or not scope.allows(invoice.contract_id):
        return None
    return invoice
