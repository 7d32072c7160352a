"""Rendiconto annuale (comunicazione periodica) of a contract for a calendar year: movements,
balances at start and end, conditions in force and, for companies, the figures for the notes to
the accounts (present value of what is still to pay, the year's financial charge)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.models import Contract, Customer, Invoice, Payment, ReferenceRate, ScheduleLine
from portal.models.enums import DocumentKind, ScheduleLineKind
from portal.services.contracts.amortization import discounted, periodic_rate, periods_between, to_cents
from portal.services.contracts.lifecycle import residual_capital_on
from portal.services.contracts.queries import ContractTerms

ZERO = Decimal("0.00")


@dataclasses.dataclass(frozen=True)
class Movement:
    """A document issued (charged, VAT included; negative for a credit note) or a payment."""

    day: dt.date
    kind: str  # a ScheduleLineKind value, "credit_note", "other", or "payment"
    document: str  # the document's number (for a payment, the document it settles)
    instalment: int | None
    charged: Decimal
    paid: Decimal


@dataclasses.dataclass(frozen=True)
class Statement:
    contract: Contract
    customer: Customer
    year: int
    start: dt.date
    end: dt.date
    movements: list[Movement]
    capital_start: Decimal
    capital_end: Decimal
    debt_start: Decimal
    debt_end: Decimal
    index_value: Decimal | None  # the reference rate at the end of the period, if indexed
    present_value_unpaid: Decimal
    financial_charge: Decimal
    principal_repaid: Decimal

    @property
    def total_charged(self) -> Decimal:
        return sum((m.charged for m in self.movements), ZERO)

    @property
    def total_paid(self) -> Decimal:
        return sum((m.paid for m in self.movements), ZERO)


def statement_years(contract: Contract | ContractTerms, today: dt.date) -> list[int]:
    """Closed calendar years in which the contract ran, newest first."""
    last = (contract.extinguished_on or contract.end_date).year
    return list(range(min(last, today.year - 1), contract.signed_on.year - 1, -1))


def _debt_on(session: Session, contract: Contract, day: dt.date) -> Decimal:
    """What the customer owed on `day`: documents issued by then less payments made by then
    (a credit note and its refund count with the opposite sign)."""

    def signed_sum(column):
        return sa.func.coalesce(
            sa.func.sum(sa.case((col(Invoice.kind) == DocumentKind.CREDIT_NOTE, -column), else_=column)), 0
        )

    charged = session.exec(
        select(signed_sum(col(Invoice.total))).where(Invoice.contract_id == contract.id, Invoice.issue_date <= day)
    ).one()
    paid = session.exec(
        select(signed_sum(col(Payment.amount)))
        .join(Invoice, col(Invoice.id) == Payment.invoice_id)
        .where(Payment.contract_id == contract.id, Payment.paid_on <= day)
    ).one()
    return to_cents(Decimal(charged) - Decimal(paid))


def present_value(*, lines: list[ScheduleLine], on: dt.date, annual_rate: Decimal, periodicity_months: int) -> Decimal:
    """Σ amount · (1+i)^-t of the principal-bearing rows due after `on`, t in periods (as the
    payoff estimate discounts them)."""
    i = periodic_rate(annual_rate, periodicity_months)
    return to_cents(
        sum(
            (
                discounted(line.amount, rate=i, periods=periods_between(on, line.due_date, periodicity_months))
                for line in lines
                if line.due_date > on and line.kind is not ScheduleLineKind.INDEXATION
            ),
            Decimal("0"),
        )
    )


def _movements(
    session: Session, contract: Contract, lines: list[ScheduleLine], start: dt.date, end: dt.date
) -> list[Movement]:
    """The documents issued and the payments made from `start` to `end`, in date order."""
    by_id = {line.id: line for line in lines}
    movements = []
    documents = session.exec(
        select(Invoice).where(
            Invoice.contract_id == contract.id, Invoice.issue_date >= start, Invoice.issue_date <= end
        )
    ).all()
    for invoice in documents:
        line = by_id.get(invoice.schedule_line_id) if invoice.schedule_line_id is not None else None
        if invoice.kind is DocumentKind.CREDIT_NOTE:
            kind, charged = "credit_note", -invoice.total
        else:
            kind, charged = (line.kind.value if line else "other"), invoice.total
        instalment = (
            line.number
            if line is not None and line.kind in (ScheduleLineKind.INSTALMENT, ScheduleLineKind.RESIDUAL_VALUE)
            else None
        )
        movements.append(Movement(invoice.issue_date, kind, invoice.number, instalment, charged, ZERO))
    payments = session.exec(
        select(col(Payment.paid_on), col(Payment.amount), col(Invoice.number), col(Invoice.kind))
        .join(Invoice, col(Invoice.id) == Payment.invoice_id)
        .where(Payment.contract_id == contract.id, Payment.paid_on >= start, Payment.paid_on <= end)
    ).all()
    for paid_on, amount, number, kind in payments:
        movements.append(
            Movement(paid_on, "payment", number, None, ZERO, -amount if kind is DocumentKind.CREDIT_NOTE else amount)
        )
    movements.sort(key=lambda m: (m.day, m.kind == "payment", m.document))
    return movements


def _index_value(session: Session, contract: Contract, on: dt.date) -> Decimal | None:
    """The contract's reference rate as last observed by `on`; None for a fixed-rate contract."""
    if not contract.reference_rate:
        return None
    return session.exec(
        select(col(ReferenceRate.rate))
        .where(ReferenceRate.name == contract.reference_rate, ReferenceRate.observed_on <= on)
        .order_by(col(ReferenceRate.observed_on).desc())
        .limit(1)
    ).first()


def build_statement(*, session: Session, contract: Contract, year: int) -> Statement:
    start = max(dt.date(year, 1, 1), contract.signed_on)
    end = dt.date(year, 12, 31)
    customer = session.get(Customer, contract.customer_id)
    if customer is None:  # the foreign key rules it out
        raise LookupError(f"contract {contract.number} has no customer")
    lines = list(
        session.exec(
            select(ScheduleLine).where(ScheduleLine.contract_id == contract.id).order_by(col(ScheduleLine.position))
        ).all()
    )
    # Principal and interest belong to the year their instalment falls due in (competence).
    due_in_year = [line for line in lines if start <= line.due_date <= end]
    return Statement(
        contract=contract,
        customer=customer,
        year=year,
        start=start,
        end=end,
        movements=_movements(session, contract, lines, start, end),
        capital_start=residual_capital_on(session=session, contract=contract, on=start - dt.timedelta(days=1)),
        capital_end=residual_capital_on(session=session, contract=contract, on=end),
        debt_start=_debt_on(session, contract, start - dt.timedelta(days=1)),
        debt_end=_debt_on(session, contract, end),
        index_value=_index_value(session, contract, end),
        present_value_unpaid=present_value(
            lines=lines, on=end, annual_rate=contract.annual_rate, periodicity_months=contract.periodicity_months
        ),
        financial_charge=sum((line.interest for line in due_in_year), ZERO),
        principal_repaid=sum((line.principal for line in due_in_year), ZERO),
    )
