"""The figures of the Home page ("La tua situazione", active contracts, latest requests).

The one read that spans domains (contracts, billing, requests), so it sits beside them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.models import Contract, Invoice, LeasedAsset, ScheduleLine
from portal.models.enums import ContractStatus, DocumentKind, ScheduleLineKind
from portal.services.access.scope import Scope
from portal.services.billing.invoices import vat_of
from portal.services.billing.queries import overdue_balance, uninvoiced_lines
from portal.services.contracts.amortization import to_cents
from portal.services.requests.queries import RequestRow, latest_requests

ZERO = Decimal("0.00")
HOME_CONTRACTS = 5
HOME_REQUESTS = 5


@dataclasses.dataclass(frozen=True)
class ContractCard:
    contract_id: int
    number: str
    product: str
    product_code: str | None
    asset_count: int
    amount: Decimal
    signed_on: dt.date
    end_date: dt.date


@dataclasses.dataclass(frozen=True)
class HomeSummary:
    today: dt.date
    overdue_total: Decimal  # pagamenti scaduti, VAT included
    next_due_date: dt.date | None  # prossima scadenza
    next_payment: Decimal  # prossimo pagamento, VAT included
    advances_paid: Decimal  # anticipi versati on active contracts, VAT included
    active_contract_count: int
    active_asset_count: int
    contracts: list[ContractCard]  # the most recent active contracts
    latest_requests: list[RequestRow]


def _signed_outstanding():
    outstanding = col(Invoice.total) - col(Invoice.paid_amount)
    return sa.case((col(Invoice.kind) == DocumentKind.CREDIT_NOTE, -outstanding), else_=outstanding)


def next_payment(*, session: Session, scope: Scope, today: dt.date) -> tuple[dt.date | None, Decimal]:
    """The next day something falls due, and how much: open invoices plus plan rows not yet
    invoiced (VAT added). Indexation rows count once invoiced, when their amount is final."""
    first_invoice_day = session.exec(
        select(sa.func.min(Invoice.due_date)).where(
            *scope.where(Invoice.customer_id, Invoice.contract_id),
            Invoice.due_date >= today,
            Invoice.paid_amount < Invoice.total,
        )
    ).one()
    first_line_day = session.exec(uninvoiced_lines(scope, today, sa.func.min(ScheduleLine.due_date))).one()
    days = [day for day in (first_invoice_day, first_line_day) if day is not None]
    if not days:
        return None, ZERO
    day = min(days)
    invoiced = session.exec(
        select(sa.func.sum(_signed_outstanding())).where(
            *scope.where(Invoice.customer_id, Invoice.contract_id),
            Invoice.due_date == day,
            Invoice.paid_amount < Invoice.total,
        )
    ).one()
    planned = session.exec(
        uninvoiced_lines(scope, today, ScheduleLine.amount, Contract.vat_rate).where(ScheduleLine.due_date == day)
    ).all()
    amount = Decimal(invoiced or 0) + sum(
        (line_amount + vat_of(line_amount, vat_rate) for line_amount, vat_rate in planned),
        ZERO,
    )
    return day, to_cents(amount)


def advances_paid(*, session: Session, scope: Scope) -> Decimal:
    total = session.exec(
        select(sa.func.sum(Invoice.paid_amount))
        .join(ScheduleLine, col(ScheduleLine.id) == col(Invoice.schedule_line_id))
        .join(Contract, col(Contract.id) == col(Invoice.contract_id))
        .where(
            *scope.where(Invoice.customer_id, Invoice.contract_id),
            ScheduleLine.kind == ScheduleLineKind.ADVANCE,
            Contract.status == ContractStatus.ACTIVE,
        )
    ).one()
    return to_cents(Decimal(total)) if total is not None else ZERO


def active_contracts(*, session: Session, scope: Scope, limit: int) -> tuple[int, int, list[ContractCard]]:
    """(active contracts, their assets, the `limit` most recently signed with asset counts)."""
    asset_counts = (
        select(LeasedAsset.contract_id, sa.func.count(col(LeasedAsset.id)).label("assets"))
        .where(*scope.where(LeasedAsset.customer_id, LeasedAsset.contract_id))
        .group_by(col(LeasedAsset.contract_id))
        .subquery()
    )
    asset_count = sa.func.coalesce(asset_counts.c.assets, 0).label("asset_count")
    active = (
        select(Contract, asset_count)
        .outerjoin(asset_counts, asset_counts.c.contract_id == col(Contract.id))
        .where(*scope.where(Contract.customer_id, Contract.id), Contract.status == ContractStatus.ACTIVE)
    )
    listed = active.subquery()
    count, assets = session.exec(
        select(sa.func.count(), sa.func.coalesce(sa.func.sum(listed.c.asset_count), 0)).select_from(listed)
    ).one()
    rows = session.exec(active.order_by(col(Contract.signed_on).desc(), col(Contract.id).desc()).limit(limit)).all()
    cards = [
        ContractCard(
            contract_id=contract.id,
            number=contract.number,
            product=contract.product,
            product_code=contract.product_code,
            asset_count=int(asset_count),
            amount=contract.amount,
            signed_on=contract.signed_on,
            end_date=contract.end_date,
        )
        for contract, asset_count in rows
    ]
    return int(count), int(assets), cards


def home_summary(*, session: Session, scope: Scope, today: dt.date, user_id: int | None = None) -> HomeSummary:
    due_day, due_amount = next_payment(session=session, scope=scope, today=today)
    count, assets, cards = active_contracts(session=session, scope=scope, limit=HOME_CONTRACTS)
    return HomeSummary(
        today=today,
        overdue_total=overdue_balance(session=session, scope=scope, contract_id=None, today=today),
        next_due_date=due_day,
        next_payment=due_amount,
        advances_paid=advances_paid(session=session, scope=scope),
        active_contract_count=count,
        active_asset_count=assets,
        contracts=cards,
        latest_requests=latest_requests(session=session, scope=scope, limit=HOME_REQUESTS, user_id=user_id),
    )
