"""Early termination (estinzione anticipata): an estimate of the payoff at the due date of the last
instalment the customer will still pay.

    payoff = Σ Pₖ·(1+i)^−tₖ  +  R·(1+i)^−t_R  (+ VAT)  +  overdue
with i the contract's periodic rate and t the periods between the payoff date and each due date.
The definitive figure comes from the service desk: the estimate states so and expires.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from sqlmodel import Session, col, select

from portal.models import Contract, ScheduleLine
from portal.models.enums import ScheduleLineKind
from portal.services.access.scope import whole_customer
from portal.services.billing.invoices import vat_of
from portal.services.billing.queries import overdue_balance
from portal.services.contracts.amortization import discounted, periodic_rate, periods_between, to_cents
from portal.services.contracts.lifecycle import residual_capital_on

VALIDITY = dt.timedelta(days=30)


@dataclasses.dataclass(frozen=True)
class PayoffEstimate:
    contract: Contract
    last_instalment: ScheduleLine
    payoff_date: dt.date
    periodic_rate: Decimal
    remaining_count: int
    remaining_nominal: Decimal
    remaining_discounted: Decimal
    residual_value: Decimal
    residual_discounted: Decimal
    taxable: Decimal
    vat: Decimal
    overdue: Decimal  # unpaid invoices already due, VAT included
    total: Decimal
    valid_until: dt.date
    residual_capital_today: Decimal


def payable_instalments(*, session: Session, contract: Contract, today: dt.date) -> list[ScheduleLine]:
    """Instalments that can be the last one paid: those falling due from today on."""
    return list(
        session.exec(
            select(ScheduleLine)
            .where(
                ScheduleLine.contract_id == contract.id,
                ScheduleLine.kind == ScheduleLineKind.INSTALMENT,
                ScheduleLine.due_date >= today,
            )
            .order_by(col(ScheduleLine.position))
        ).all()
    )


def estimate(*, session: Session, contract: Contract, last_number: int, today: dt.date) -> PayoffEstimate:
    choices = {line.number: line for line in payable_instalments(session=session, contract=contract, today=today)}
    if last_number not in choices:
        raise LookupError("that instalment cannot be the last one paid")
    last = choices[last_number]
    i = periodic_rate(contract.annual_rate, contract.periodicity_months)
    later = session.exec(
        select(ScheduleLine)
        .where(
            ScheduleLine.contract_id == contract.id,
            col(ScheduleLine.kind).in_([ScheduleLineKind.INSTALMENT, ScheduleLineKind.RESIDUAL_VALUE]),
            ScheduleLine.position > last.position,
        )
        .order_by(col(ScheduleLine.position))
    ).all()

    def at_payoff(line: ScheduleLine) -> Decimal:
        return discounted(
            line.amount, rate=i, periods=periods_between(last.due_date, line.due_date, contract.periodicity_months)
        )

    instalments = [line for line in later if line.kind is ScheduleLineKind.INSTALMENT]
    residual = next((line for line in later if line.kind is ScheduleLineKind.RESIDUAL_VALUE), None)
    remaining_discounted = to_cents(sum((at_payoff(line) for line in instalments), Decimal("0")))
    residual_discounted = to_cents(at_payoff(residual)) if residual else Decimal("0.00")
    taxable = remaining_discounted + residual_discounted
    vat = vat_of(taxable, contract.vat_rate)
    overdue = overdue_balance(
        session=session, scope=whole_customer(contract.customer_id), contract_id=contract.id, today=today
    )
    return PayoffEstimate(
        contract=contract,
        last_instalment=last,
        payoff_date=last.due_date,
        periodic_rate=i,
        remaining_count=len(instalments),
        remaining_nominal=sum((line.amount for line in instalments), Decimal("0.00")),
        remaining_discounted=remaining_discounted,
        residual_value=residual.amount if residual else Decimal("0.00"),
        residual_discounted=residual_discounted,
        taxable=taxable,
        vat=vat,
        overdue=overdue,
        total=taxable + vat + overdue,
        valid_until=min(last.due_date, today + VALIDITY),
        residual_capital_today=residual_capital_on(session=session, contract=contract, on=today),
    )
