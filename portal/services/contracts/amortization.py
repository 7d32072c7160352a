"""French amortization of a lease with instalments in advance, a maxi-canone and a residual value.

Convention (the one the plan shows to customers):
- i is the periodic rate: the annual rate divided by the periods in a year;
- the advance A is paid at signing and is all principal;
- the n instalments P are paid at the start of their periods; R is paid one period after the
  last instalment, so  C − A = P·ä_n + R·vⁿ  with v = 1/(1+i) and ä_n = (1 − vⁿ)(1+i)/i;
- the interest part of instalment k is i × the capital outstanding during period k, i.e. after
  instalment k is paid: interest_k = i·(B_{k−1} − P); principal_k = P − interest_k;
- every figure is rounded to the cent; the last instalment absorbs the rounding remainder so that
  the capitale residuo after it is exactly R, and the principal parts add up to C.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from portal.models.enums import ScheduleLineKind

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def periodic_rate(annual_rate: Decimal, periodicity_months: int) -> Decimal:
    return annual_rate * periodicity_months / 12


def periods_between(start: dt.date, end: dt.date, periodicity_months: int) -> Decimal:
    """Periods from `start` to `end`: whole calendar months (exact between due dates), and the
    days left over as thirtieths of a month."""
    delta = relativedelta(end, start)
    months = Decimal(delta.years * 12 + delta.months) + Decimal(delta.days) / Decimal(30)
    return months / periodicity_months


def discounted(amount: Decimal, *, rate: Decimal, periods: Decimal) -> Decimal:
    """amount · (1 + rate)^−periods, not rounded (callers round the sum)."""
    return amount / (1 + rate) ** periods if rate else amount


@dataclasses.dataclass(frozen=True)
class LeaseTerms:
    amount: Decimal  # C, the financed cost
    advance: Decimal  # A, maxi-canone paid at signing
    residual_value: Decimal  # R, buy-out value
    annual_rate: Decimal  # nominal yearly rate, as a fraction (0.05 = 5 %)
    instalment_count: int  # n
    periodicity_months: int  # 1, 3, 6 or 12
    signed_on: dt.date  # the advance falls due on this day
    first_due_date: dt.date  # the first instalment falls due on this day

    def __post_init__(self) -> None:
        if self.periodicity_months not in (1, 2, 3, 6, 12):
            raise ValueError("periodicity must be 1, 2, 3, 6 or 12 months")
        if self.instalment_count < 1:
            raise ValueError("at least one instalment is needed")
        if self.annual_rate < 0:
            raise ValueError("the rate cannot be negative")
        if self.advance < 0 or self.residual_value < 0:
            raise ValueError("advance and residual value cannot be negative")
        if self.advance + self.residual_value >= self.amount:
            raise ValueError("advance plus residual value must be below the contract amount")
        if self.first_due_date < self.signed_on:
            raise ValueError("the first instalment cannot fall due before signing")

    @property
    def periodic_rate(self) -> Decimal:
        return periodic_rate(self.annual_rate, self.periodicity_months)

    def due_date(self, instalment_number: int) -> dt.date:
        """Due date of instalment k (1-based); k = n + 1 is the residual value."""
        return self.first_due_date + relativedelta(months=self.periodicity_months * (instalment_number - 1))


@dataclasses.dataclass(frozen=True)
class PlannedLine:
    kind: ScheduleLineKind
    number: int
    due_date: dt.date
    amount: Decimal
    principal: Decimal
    interest: Decimal
    residual_capital: Decimal
    competence_start: dt.date
    competence_end: dt.date
    index_rate: Decimal | None = None
    index_base_balance: Decimal | None = None

    @property
    def carries_principal(self) -> bool:
        return self.kind is not ScheduleLineKind.INDEXATION


def instalment_amount(terms: LeaseTerms) -> Decimal:
    """P = (C − A − R·vⁿ) / ä_n, rounded to the cent."""
    i = terms.periodic_rate
    n = terms.instalment_count
    financed = terms.amount - terms.advance
    if i == 0:
        return to_cents((financed - terms.residual_value) / n)
    v = 1 / (1 + i)
    v_n = v**n
    annuity_due = (1 - v_n) * (1 + i) / i
    return to_cents((financed - terms.residual_value * v_n) / annuity_due)


def build_plan(terms: LeaseTerms) -> list[PlannedLine]:
    """The advance, the n instalments and the residual value, reconciled to the cent."""
    i = terms.periodic_rate
    n = terms.instalment_count
    payment = instalment_amount(terms)
    lines: list[PlannedLine] = []
    balance = terms.amount - terms.advance

    if terms.advance > 0:
        advance_end = max(terms.signed_on, terms.first_due_date - dt.timedelta(days=1))
        lines.append(
            PlannedLine(
                kind=ScheduleLineKind.ADVANCE,
                number=0,
                due_date=terms.signed_on,
                amount=terms.advance,
                principal=terms.advance,
                interest=ZERO,
                residual_capital=balance,
                competence_start=terms.signed_on,
                competence_end=advance_end,
            )
        )

    for k in range(1, n + 1):
        interest = to_cents(i * (balance - payment))
        principal = payment - interest if k < n else balance - terms.residual_value
        balance -= principal
        due = terms.due_date(k)
        lines.append(
            PlannedLine(
                kind=ScheduleLineKind.INSTALMENT,
                number=k,
                due_date=due,
                amount=principal + interest,
                principal=principal,
                interest=interest,
                residual_capital=balance,
                competence_start=due,
                competence_end=terms.due_date(k + 1) - dt.timedelta(days=1),
            )
        )

    if terms.residual_value > 0:
        due = terms.due_date(n + 1)
        lines.append(
            PlannedLine(
                kind=ScheduleLineKind.RESIDUAL_VALUE,
                number=n + 1,
                due_date=due,
                amount=terms.residual_value,
                principal=terms.residual_value,
                interest=ZERO,
                residual_capital=ZERO,
                competence_start=due,
                competence_end=due,
            )
        )
    return lines


def residual_capital_at(*, lines: Sequence[PlannedLine], amount: Decimal, on: dt.date) -> Decimal:
    """Capitale residuo on a day: after the last principal-bearing row due on or before it."""
    balance = amount
    for line in sorted(lines, key=lambda row: row.due_date):
        if line.due_date > on:
            break
        if line.carries_principal:
            balance = line.residual_capital
    return balance
