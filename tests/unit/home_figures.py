"""Home's figures worked out independently of `portal.services.home`: the rows read with plain
selects, the arithmetic done here in Python, by the rules the page states. The unit test of
`home_summary` and the state test of the Home page both compare against this."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from sqlmodel import Session, col, select

from portal.models import Contract, Invoice, LeasedAsset, ScheduleLine, ServiceRequest
from portal.models.enums import ContractStatus, DocumentKind, ScheduleLineKind

CARDS = REQUESTS = 5  # what Home shows of each list


@dataclasses.dataclass(frozen=True)
class HomeFigures:
    overdue_total: D
    next_due_date: dt.date | None
    next_payment: D
    advances_paid: D
    active_contract_count: int
    active_asset_count: int
    card_numbers: list[str]  # the most recently signed active contracts, newest first
    asset_counts: dict[str, int]  # per active contract
    request_codes: list[str]  # the most recently updated requests, newest first


def _vat(amount: D, rate: D) -> D:
    """VAT is rounded half up to the cent (worked by hand in tests/unit/billing/test_invoices.py)."""
    return (amount * rate / 100).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def home_figures(
    db: Session, *, customer_id: int, today: dt.date, contract_ids: set[int] | None = None, user_id: int | None = None
) -> HomeFigures:
    """What Home must show a user who sees `customer_id`'s contracts (only `contract_ids` when given:
    a restricted sub-user, `user_id`, who also sees the requests it wrote)."""

    def seen(contract_id: int | None) -> bool:
        return contract_ids is None or contract_id in contract_ids

    contracts = {
        c.id: c for c in db.exec(select(Contract).where(Contract.customer_id == customer_id)).all() if seen(c.id)
    }
    invoices = [
        i for i in db.exec(select(Invoice).where(Invoice.customer_id == customer_id)).all() if seen(i.contract_id)
    ]
    lines = [
        line
        for line in db.exec(select(ScheduleLine).where(ScheduleLine.customer_id == customer_id)).all()
        if line.contract_id in contracts
    ]
    active = {cid for cid, c in contracts.items() if c.status is ContractStatus.ACTIVE}

    def signed(invoice: Invoice, amount: D) -> D:
        return -amount if invoice.kind is DocumentKind.CREDIT_NOTE else amount

    # overdue: invoices (not credit notes) past their due date and not paid in full
    overdue = sum(
        (
            i.total - i.paid_amount
            for i in invoices
            if i.kind is DocumentKind.INVOICE and i.due_date < today and i.paid_amount < i.total
        ),
        D("0"),
    )

    # next due: open documents from today on, and plan rows of active contracts no invoice covers yet
    # (indexation rows only once invoiced, when their amount is final)
    invoiced_line_ids = {i.schedule_line_id for i in invoices if i.schedule_line_id}
    open_invoices = [i for i in invoices if i.due_date >= today and i.paid_amount < i.total]
    planned = [
        line
        for line in lines
        if line.due_date >= today
        and line.id not in invoiced_line_ids
        and line.kind is not ScheduleLineKind.INDEXATION
        and line.contract_id in active
    ]
    days = [i.due_date for i in open_invoices] + [line.due_date for line in planned]
    next_day = min(days) if days else None
    next_payment = sum(
        (signed(i, i.total - i.paid_amount) for i in open_invoices if i.due_date == next_day), D("0")
    ) + sum(
        (
            line.amount + _vat(line.amount, contracts[line.contract_id].vat_rate)
            for line in planned
            if line.due_date == next_day
        ),
        D("0"),
    )

    # advances paid on the active contracts
    advance_line_ids = {
        line.id for line in lines if line.kind is ScheduleLineKind.ADVANCE and line.contract_id in active
    }
    advances = sum((i.paid_amount for i in invoices if i.schedule_line_id in advance_line_ids), D("0"))

    assets = db.exec(select(LeasedAsset).where(LeasedAsset.customer_id == customer_id)).all()
    asset_counts = {contracts[cid].number: sum(1 for a in assets if a.contract_id == cid) for cid in active}
    newest = sorted((contracts[cid] for cid in active), key=lambda c: (c.signed_on, c.id), reverse=True)

    requests = db.exec(select(ServiceRequest).where(ServiceRequest.customer_id == customer_id)).all()
    visible = [
        r for r in requests if contract_ids is None or r.contract_id in contract_ids or r.created_by_id == user_id
    ]
    latest = sorted(visible, key=lambda r: (r.updated_at, r.id), reverse=True)[:REQUESTS]
    return HomeFigures(
        overdue_total=overdue,
        next_due_date=next_day,
        next_payment=next_payment,
        advances_paid=advances,
        active_contract_count=len(active),
        active_asset_count=sum(asset_counts.values()),
        card_numbers=[c.number for c in newest[:CARDS]],
        asset_counts=asset_counts,
        request_codes=[r.code for r in latest],
    )


def active_contract_numbers(db: Session, customer_code: str) -> list[str]:
    """The customer's active contracts, most recently signed first (plain select)."""
    from portal.models import Customer

    return list(
        db.exec(
            select(Contract.number)
            .join(Customer, col(Customer.id) == Contract.customer_id)
            .where(Customer.code == customer_code, Contract.status == ContractStatus.ACTIVE)
            .order_by(col(Contract.signed_on).desc(), col(Contract.id).desc())
        ).all()
    )
