"""Opening a lease contract and persisting its piano di ammortamento."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.models import Contract, Invoice, Payment, ScheduleLine
from portal.models.enums import ContractStatus, PaymentMethod, ScheduleLineKind
from portal.services.contracts.amortization import LeaseTerms, PlannedLine, build_plan, instalment_amount
from portal.services.contracts.indexation import INDEX_TENOR_MONTHS, RateSeries, indexation_lines, merge_plan

ZERO_RATE = Decimal("0")


@dataclasses.dataclass(frozen=True)
class ContractDraft:
    """What the leasing company agreed with the customer; the figures derive from it."""

    tenant_id: int
    customer_id: int
    number: str
    module_number: str
    product: str
    amount: Decimal
    advance: Decimal
    residual_value: Decimal
    instalment_count: int
    periodicity_months: int
    signed_on: dt.date
    first_due_date: dt.date
    beneficiary_code: str
    beneficiary_name: str
    payment_method: PaymentMethod = PaymentMethod.SEPA_DIRECT_DEBIT
    direct_debit_iban: str | None = None
    fixed_annual_rate: Decimal | None = None  # for fixed-rate contracts
    reference_rate: str | None = None  # e.g. "EURIBOR_3M" for indexed contracts
    spread: Decimal | None = None
    subsidy: str | None = None
    vat_rate: Decimal = Decimal("22.00")
    product_code: str | None = None  # the product's family, named by the catalogue (product.<code>)


def floored(rate: Decimal) -> Decimal:
    """Indexed contracts carry the usual zero floor on the reference rate."""
    return max(rate, ZERO_RATE)


def _annual_rate(draft: ContractDraft, series: RateSeries | None) -> tuple[Decimal, Decimal | None]:
    if draft.reference_rate is None:
        if draft.fixed_annual_rate is None:
            raise ValueError("a fixed-rate contract needs its annual rate")
        return draft.fixed_annual_rate, None
    if series is None or draft.spread is None:
        raise ValueError("an indexed contract needs its rate series and spread")
    base = floored(series.rate_on(draft.signed_on))
    return base + draft.spread, base


def plan_for(contract: Contract, *, series: RateSeries | None, as_of: dt.date) -> list[PlannedLine]:
    terms = terms_of(contract)
    plan = build_plan(terms)
    if contract.reference_rate is None:
        return plan
    assert series is not None and contract.base_index_rate is not None
    floored_series = RateSeries([(day, floored(rate)) for day, rate in series.observations])
    adjustments = indexation_lines(
        plan=plan,
        amount=contract.amount,
        start_date=contract.start_date,
        end_date=contract.end_date,
        base_rate=contract.base_index_rate,
        series=floored_series,
        tenor_months=INDEX_TENOR_MONTHS[contract.reference_rate],
        as_of=as_of,
    )
    return merge_plan(plan, adjustments, amount=contract.amount)


def terms_of(contract: Contract) -> LeaseTerms:
    return LeaseTerms(
        amount=contract.amount,
        advance=contract.advance,
        residual_value=contract.residual_value,
        annual_rate=contract.annual_rate,
        instalment_count=contract.instalment_count,
        periodicity_months=contract.periodicity_months,
        signed_on=contract.signed_on,
        first_due_date=contract.start_date,
    )


def open_contract(*, session: Session, draft: ContractDraft, series: RateSeries | None, as_of: dt.date) -> Contract:
    """Insert the contract and its plan (with the indexation rows known by `as_of`)."""
    annual_rate, base_rate = _annual_rate(draft, series)
    contract = Contract(
        tenant_id=draft.tenant_id,
        customer_id=draft.customer_id,
        number=draft.number,
        module_number=draft.module_number,
        product=draft.product,
        product_code=draft.product_code,
        status=ContractStatus.ACTIVE,
        signed_on=draft.signed_on,
        start_date=draft.first_due_date,
        end_date=draft.first_due_date,  # set below from the plan's terms
        amount=draft.amount,
        advance=draft.advance,
        residual_value=draft.residual_value,
        periodicity_months=draft.periodicity_months,
        instalment_count=draft.instalment_count,
        duration_months=draft.instalment_count * draft.periodicity_months,
        annual_rate=annual_rate,
        reference_rate=draft.reference_rate,
        base_index_rate=base_rate,
        spread=draft.spread,
        subsidy=draft.subsidy,
        beneficiary_code=draft.beneficiary_code,
        beneficiary_name=draft.beneficiary_name,
        direct_debit_iban=draft.direct_debit_iban,
        payment_method=draft.payment_method,
        vat_rate=draft.vat_rate,
    )
    terms = terms_of(contract)
    contract.instalment_amount = instalment_amount(terms)
    contract.end_date = terms.due_date(draft.instalment_count + 1)  # the riscatto falls due
    session.add(contract)
    session.flush()
    rows = plan_for(contract, series=series, as_of=as_of)
    session.add_all(schedule_rows(contract, rows))
    session.flush()
    return contract


def schedule_rows(contract: Contract, rows: list[PlannedLine]) -> list[ScheduleLine]:
    assert contract.id is not None
    return [
        ScheduleLine(
            contract_id=contract.id,
            customer_id=contract.customer_id,
            position=position,
            kind=row.kind,
            number=row.number,
            due_date=row.due_date,
            amount=row.amount,
            principal=row.principal,
            interest=row.interest,
            residual_capital=row.residual_capital,
            # The advance is paid by bank transfer at signing, before the mandate is active.
            payment_method=(
                PaymentMethod.BANK_TRANSFER if row.kind is ScheduleLineKind.ADVANCE else contract.payment_method
            ),
            competence_start=row.competence_start,
            competence_end=row.competence_end,
            index_rate=row.index_rate,
            index_base_balance=row.index_base_balance,
        )
        for position, row in enumerate(rows, start=1)
    ]


def residual_capital_on(*, session: Session, contract: Contract, on: dt.date) -> Decimal:
    """Capitale residuo of a contract on a day, read from its stored plan."""
    balance = session.exec(
        select(col(ScheduleLine.residual_capital))
        .where(
            ScheduleLine.contract_id == contract.id,
            ScheduleLine.kind != ScheduleLineKind.INDEXATION,
            ScheduleLine.due_date <= on,
        )
        .order_by(col(ScheduleLine.position).desc())
        .limit(1)
    ).first()
    return contract.amount if balance is None else balance


def close_finished_contracts(*, session: Session, as_of: dt.date) -> list[Contract]:
    """Mark extinguished the active contracts whose plan is over and fully billed and paid."""
    closed = []
    candidates = session.exec(
        select(Contract).where(Contract.status == ContractStatus.ACTIVE, Contract.end_date < as_of)
    ).all()
    for contract in candidates:
        unbilled = session.exec(
            select(sa.func.count(col(ScheduleLine.id)))
            .outerjoin(Invoice, col(Invoice.schedule_line_id) == ScheduleLine.id)
            .where(ScheduleLine.contract_id == contract.id, col(Invoice.id).is_(None), ScheduleLine.amount != 0)
        ).one()
        unpaid = session.exec(
            select(sa.func.count(col(Invoice.id))).where(
                Invoice.contract_id == contract.id, Invoice.paid_amount < Invoice.total
            )
        ).one()
        if unbilled or unpaid:
            continue
        last_payment = session.exec(
            select(sa.func.max(Payment.paid_on)).where(Payment.contract_id == contract.id)
        ).one()
        contract.status = ContractStatus.EXTINGUISHED
        contract.extinguished_on = last_payment or contract.end_date
        session.add(contract)
        closed.append(contract)
    return closed
