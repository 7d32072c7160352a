"""Indexation adjustments: VAR = Dr·(T − Tb)/N per period, from a stored rate series."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal as D

import pytest

from portal.models.enums import ScheduleLineKind
from portal.services.contracts.amortization import LeaseTerms, build_plan
from portal.services.contracts.indexation import RateSeries, adjustment, indexation_lines, merge_plan

TERMS = LeaseTerms(
    amount=D("40000.00"),
    advance=D("4000.00"),
    residual_value=D("400.00"),
    annual_rate=D("0.03"),
    instalment_count=24,
    periodicity_months=1,
    signed_on=dt.date(2024, 1, 10),
    first_due_date=dt.date(2024, 2, 1),
)
SERIES = RateSeries(
    [
        (dt.date(2024, 1, 1), D("0.0100")),
        (dt.date(2024, 5, 1), D("0.0250")),
        (dt.date(2024, 8, 1), D("0.0050")),
    ]
)


def test_adjustment_formula_by_hand():
    # Dr = 30 000, T − Tb = 2.5 % − 1 % = 1.5 %, N = 4: 30 000 × 0.015 / 4 = 112.50
    assert adjustment(balance=D("30000"), rate=D("0.025"), base_rate=D("0.01"), periods_per_year=4) == D("112.50")
    # a rate below the base gives a credit
    assert adjustment(balance=D("30000"), rate=D("0.005"), base_rate=D("0.01"), periods_per_year=4) == D("-37.50")


def test_rate_series_uses_latest_observation():
    assert SERIES.rate_on(dt.date(2024, 4, 30)) == D("0.0100")
    assert SERIES.rate_on(dt.date(2024, 5, 1)) == D("0.0250")
    with pytest.raises(LookupError):
        SERIES.rate_on(dt.date(2023, 12, 31))


def test_indexation_rows_follow_the_series():
    plan = build_plan(TERMS)
    rows = indexation_lines(
        plan=plan,
        amount=TERMS.amount,
        start_date=dt.date(2024, 2, 1),
        end_date=dt.date(2026, 2, 1),
        base_rate=D("0.0100"),
        series=SERIES,
        tenor_months=3,
        as_of=dt.date(2024, 11, 15),
    )
    # periods start 1 Feb, 1 May, 1 Aug and 1 Nov 2024; all have started by 15 Nov
    assert [row.competence_start for row in rows] == [
        dt.date(2024, 2, 1),
        dt.date(2024, 5, 1),
        dt.date(2024, 8, 1),
        dt.date(2024, 11, 1),
    ]
    assert [row.due_date for row in rows] == [
        dt.date(2024, 4, 30),
        dt.date(2024, 7, 31),
        dt.date(2024, 10, 31),
        dt.date(2025, 1, 31),
    ]
    first, second, third, _ = rows
    assert first.amount == D("0.00")  # T equals Tb
    assert second.index_rate == D("0.0250")
    assert second.index_base_balance is not None
    assert second.amount == (second.index_base_balance * D("0.015") / 4).quantize(D("0.01"))
    assert third.amount < 0  # the rate fell below the base: a credit
    for row in rows:
        assert row.kind is ScheduleLineKind.INDEXATION
        assert row.principal == 0 and row.interest == row.amount


def test_merge_keeps_principal_and_orders_rows():
    plan = build_plan(TERMS)
    rows = indexation_lines(
        plan=plan,
        amount=TERMS.amount,
        start_date=dt.date(2024, 2, 1),
        end_date=dt.date(2026, 2, 1),
        base_rate=D("0.0100"),
        series=SERIES,
        tenor_months=3,
        as_of=dt.date(2026, 3, 1),
    )
    merged = merge_plan(plan, rows, amount=TERMS.amount)
    assert sum(row.principal for row in merged) == TERMS.amount
    assert [row.due_date for row in merged] == sorted(row.due_date for row in merged)
    # an adjustment carries the balance of the row before it
    pairs = [(before, row) for before, row in itertools.pairwise(merged) if row.kind is ScheduleLineKind.INDEXATION]
    assert len(pairs) == len(rows)
    assert [row.residual_capital for _, row in pairs] == [before.residual_capital for before, _ in pairs]
