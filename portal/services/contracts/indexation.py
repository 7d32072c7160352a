"""Indexation adjustments of a floating-rate lease (Euribor 3 months plus a spread).

For each indexation period the adjustment is  VAR = Dr · (T − Tb) / N  where Dr is the capitale
residuo at the start of the period, T the index value in force at the start of the period, Tb the
index value at signing and N the number of indexation periods in a year. A negative VAR is a
credit to the customer. Periods run from the contract's start date in steps of the index tenor,
and a period is adjusted once its rate is known, i.e. once it has started.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from portal.models.enums import ScheduleLineKind
from portal.services.contracts.amortization import PlannedLine, residual_capital_at, to_cents

# Tenor in months of the reference rates the portal knows.
INDEX_TENOR_MONTHS = {"EURIBOR_1M": 1, "EURIBOR_3M": 3, "EURIBOR_6M": 6}


class RateSeries:
    """Observations of one index; the value in force on a day is the latest observation."""

    def __init__(self, observations: Sequence[tuple[dt.date, Decimal]]):
        ordered = sorted(observations)
        if not ordered:
            raise ValueError("an empty rate series cannot index a contract")
        self._days = [day for day, _ in ordered]
        self._rates = [rate for _, rate in ordered]

    @property
    def observations(self) -> list[tuple[dt.date, Decimal]]:
        return list(zip(self._days, self._rates, strict=True))

    def rate_on(self, day: dt.date) -> Decimal:
        position = bisect.bisect_right(self._days, day)
        if position == 0:
            raise LookupError(f"no rate observed on or before {day.isoformat()}")
        return self._rates[position - 1]


def adjustment(*, balance: Decimal, rate: Decimal, base_rate: Decimal, periods_per_year: int) -> Decimal:
    return to_cents(balance * (rate - base_rate) / periods_per_year)


def indexation_lines(
    *,
    plan: Sequence[PlannedLine],
    amount: Decimal,
    start_date: dt.date,
    end_date: dt.date,
    base_rate: Decimal,
    series: RateSeries,
    tenor_months: int,
    as_of: dt.date,
) -> list[PlannedLine]:
    """One adjustment row per period that has started by `as_of`, due on the period's last day."""
    periods_per_year = 12 // tenor_months
    rows: list[PlannedLine] = []
    period_start = start_date
    while period_start <= min(as_of, end_date):
        period_end = min(period_start + relativedelta(months=tenor_months), end_date + dt.timedelta(days=1))
        period_end -= dt.timedelta(days=1)
        balance = residual_capital_at(lines=plan, amount=amount, on=period_start)
        if balance <= 0:
            break
        rate = series.rate_on(period_start)
        variation = adjustment(balance=balance, rate=rate, base_rate=base_rate, periods_per_year=periods_per_year)
        rows.append(
            PlannedLine(
                kind=ScheduleLineKind.INDEXATION,
                number=0,
                due_date=period_end,
                amount=variation,
                principal=Decimal("0.00"),
                interest=variation,
                residual_capital=balance,  # merge_plan sets the balance carried on that day
                competence_start=period_start,
                competence_end=period_end,
                index_rate=rate,
                index_base_balance=balance,
            )
        )
        period_start = period_end + dt.timedelta(days=1)
    return rows


_KIND_ORDER = {
    ScheduleLineKind.ADVANCE: 0,
    ScheduleLineKind.INDEXATION: 1,
    ScheduleLineKind.INSTALMENT: 2,
    ScheduleLineKind.RESIDUAL_VALUE: 3,
}


def merge_plan(
    plan: Sequence[PlannedLine], adjustments: Sequence[PlannedLine], *, amount: Decimal
) -> list[PlannedLine]:
    """Rows in the order the plan shows them: by due date, an adjustment before its day's rata.

    An adjustment moves no principal, so its capitale residuo is the one carried from the row
    before it.
    """
    ordered = sorted([*plan, *adjustments], key=lambda row: (row.due_date, _KIND_ORDER[row.kind], row.number))
    merged: list[PlannedLine] = []
    balance = amount
    for row in ordered:
        if row.carries_principal:
            balance = row.residual_capital
        else:
            row = dataclasses.replace(row, residual_capital=balance)
        merged.append(row)
    return merged
