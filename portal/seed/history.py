"""The past of a data set's billing: payments collected by the bank."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from portal.models import Contract, Invoice, ScheduleLine
from portal.models.enums import DocumentKind, PaymentMethod, ScheduleLineKind
from portal.services.billing import invoices as billing


def collect_payments(*, session: Session, customer_ids: list[int], as_of: dt.date, unpaid_line_ids: set[int]) -> None:
    """Simulate the bank: every invoice due before `as_of` is paid on its due date, except
    the ones billing the plan rows left unpaid on purpose."""
    rows = session.exec(
        select(Invoice, ScheduleLine)
        .join(ScheduleLine, col(ScheduleLine.id) == col(Invoice.schedule_line_id), isouter=True)
        .where(
            col(Invoice.customer_id).in_(customer_ids),
            col(Invoice.due_date) < as_of,
            col(Invoice.paid_amount) < col(Invoice.total),
        )
        .order_by(col(Invoice.due_date), col(Invoice.id))
    ).all()
    for invoice, line in rows:
        if line is not None and line.id in unpaid_line_ids:
            continue
        method = PaymentMethod.COMPENSATION if invoice.kind is DocumentKind.CREDIT_NOTE else invoice.payment_method
        reference = f"{'SDD' if method is PaymentMethod.SEPA_DIRECT_DEBIT else 'BON'}-{invoice.number}"
        billing.record_payment(
            session=session,
            invoice=invoice,
            paid_on=invoice.due_date,
            amount=invoice.total - invoice.paid_amount,
            method=method,
            reference=reference,
            schedule_line=line,
            code=reference,  # the core system's payment identifier: one payment per invoice here
        )


def latest_instalment_before(session: Session, contract: Contract, as_of: dt.date) -> ScheduleLine | None:
    return session.exec(
        select(ScheduleLine)
        .where(
            ScheduleLine.contract_id == contract.id,
            ScheduleLine.kind == ScheduleLineKind.INSTALMENT,
            col(ScheduleLine.due_date) < as_of,
        )
        .order_by(col(ScheduleLine.due_date).desc())
        .limit(1)
    ).first()
