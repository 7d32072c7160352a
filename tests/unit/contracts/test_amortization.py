"""French amortization with instalments in advance, a maxi-canone and a residual value."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, localcontext
from decimal import Decimal as D

import pytest

from portal.models.enums import ScheduleLineKind
from portal.services.contracts.amortization import LeaseTerms, build_plan, instalment_amount, residual_capital_at

WORKED = LeaseTerms(
    amount=D("10000.00"),
    advance=D("1000.00"),
    residual_value=D("500.00"),
    annual_rate=D("0.12"),
    instalment_count=4,
    periodicity_months=1,
    signed_on=dt.date(2024, 1, 15),
    first_due_date=dt.date(2024, 2, 1),
)


def test_schedule_worked_by_hand():
    # i = 12 % / 12 = 1 % a month; v = 1/1.01.
    # ä_4 = 1 + v + v² + v³ = 1 + 0.990099 + 0.980296 + 0.970590 = 3.940985
    # R·v⁴ = 500 × 0.960980 = 480.49
    # P = (10000 − 1000 − 480.49) / 3.940985 = 8519.51 / 3.940985 = 2161.77
    assert instalment_amount(WORKED) == D("2161.77")
    # k=1: interest 1 % × (9000.00 − 2161.77) = 68.3823 → 68.38; principal 2093.39; balance 6906.61
    # k=2: interest 1 % × (6906.61 − 2161.77) = 47.4484 → 47.45; principal 2114.32; balance 4792.29
    # k=3: interest 1 % × (4792.29 − 2161.77) = 26.3052 → 26.31; principal 2135.46; balance 2656.83
    # k=4: interest 1 % × (2656.83 − 2161.77) =  4.9506 →  4.95; principal 2656.83 − 500 = 2156.83,
    #      so the last instalment is 2161.78: it absorbs the cent of rounding.
    expected = [
        (ScheduleLineKind.ADVANCE, 0, dt.date(2024, 1, 15), "1000.00", "1000.00", "0.00", "9000.00"),
        (ScheduleLineKind.INSTALMENT, 1, dt.date(2024, 2, 1), "2161.77", "2093.39", "68.38", "6906.61"),
        (ScheduleLineKind.INSTALMENT, 2, dt.date(2024, 3, 1), "2161.77", "2114.32", "47.45", "4792.29"),
        (ScheduleLineKind.INSTALMENT, 3, dt.date(2024, 4, 1), "2161.77", "2135.46", "26.31", "2656.83"),
        (ScheduleLineKind.INSTALMENT, 4, dt.date(2024, 5, 1), "2161.78", "2156.83", "4.95", "500.00"),
        (ScheduleLineKind.RESIDUAL_VALUE, 5, dt.date(2024, 6, 1), "500.00", "500.00", "0.00", "0.00"),
    ]
    plan = build_plan(WORKED)
    got = [
        (
            row.kind,
            row.number,
            row.due_date,
            str(row.amount),
            str(row.principal),
            str(row.interest),
            str(row.residual_capital),
        )
        for row in plan
    ]
    assert got == expected
    assert plan[1].competence_start == dt.date(2024, 2, 1)
    assert plan[1].competence_end == dt.date(2024, 2, 29)


def _instalment_by_hand(terms: LeaseTerms) -> D:
    """The level instalment, worked independently of the module: instalments are paid in advance, so
    the k-th (k = 0…n−1) is worth P·vᵏ today and the residual value, one period after the last, R·vⁿ;
    together they repay the amount less the advance. The annuity is summed term by term (the module
    uses the closed form), at 50 digits, then rounded half up to the cent."""
    with localcontext() as ctx:
        ctx.prec = 50
        i = terms.annual_rate * terms.periodicity_months / 12
        n = terms.instalment_count
        v = 1 / (1 + i)
        annuity = sum((v**k for k in range(n)), D(0))
        p = (terms.amount - terms.advance - terms.residual_value * v**n) / annuity
    return p.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def test_the_hand_formula_gives_the_worked_example():
    assert _instalment_by_hand(WORKED) == D("2161.77")  # as worked digit by digit above


@pytest.mark.parametrize(
    "amount, advance, residual, rate, count, months",
    [
        ("25150.00", "2515.00", "251.50", "0.051", 84, 1),
        ("48900.00", "4890.00", "489.00", "0.0275", 59, 1),
        ("120000.00", "0.00", "1200.00", "0.0399", 20, 3),
        ("36000.00", "3600.00", "7200.00", "0.049", 48, 1),
        ("9999.99", "1234.56", "0.00", "0.075", 7, 12),
        ("50000.00", "5000.00", "500.00", "0", 60, 1),
    ],
)
def test_plan_invariants(amount, advance, residual, rate, count, months):
    terms = LeaseTerms(
        amount=D(amount),
        advance=D(advance),
        residual_value=D(residual),
        annual_rate=D(rate),
        instalment_count=count,
        periodicity_months=months,
        signed_on=dt.date(2023, 5, 10),
        first_due_date=dt.date(2023, 6, 1),
    )
    plan = build_plan(terms)
    instalments = [row for row in plan if row.kind is ScheduleLineKind.INSTALMENT]
    assert len(instalments) == count
    # principal parts add up to the financed amount, to the cent
    assert sum(row.principal for row in plan) == D(amount)
    # after the last instalment the balance is the residual value, then nothing is left
    assert instalments[-1].residual_capital == D(residual)
    assert plan[-1].residual_capital == D("0.00")
    # every row is amount = principal + interest, in cents
    for row in plan:
        assert row.amount == row.principal + row.interest
        assert row.amount == row.amount.quantize(D("0.01"))
    # all instalments but the last are the level instalment; the last differs only by rounding cents
    payment = _instalment_by_hand(terms)
    assert instalment_amount(terms) == payment
    assert all(row.amount == payment for row in instalments[:-1])
    # rounding P to the cent leaves at most half a cent per instalment (plus interest on it)
    assert abs(instalments[-1].amount - payment) <= D("0.006") * count
    # balances fall monotonically
    balances = [row.residual_capital for row in plan]
    assert balances == sorted(balances, reverse=True)


def test_zero_rate_has_no_interest():
    terms = LeaseTerms(
        amount=D("1200.00"),
        advance=D("0"),
        residual_value=D("0"),
        annual_rate=D("0"),
        instalment_count=12,
        periodicity_months=1,
        signed_on=dt.date(2024, 1, 1),
        first_due_date=dt.date(2024, 1, 1),
    )
    plan = build_plan(terms)
    assert [row.amount for row in plan] == [D("100.00")] * 12
    assert all(row.interest == 0 for row in plan)


def test_residual_capital_at_a_date():
    plan = build_plan(WORKED)
    assert residual_capital_at(lines=plan, amount=WORKED.amount, on=dt.date(2024, 1, 1)) == D("10000.00")
    assert residual_capital_at(lines=plan, amount=WORKED.amount, on=dt.date(2024, 1, 15)) == D("9000.00")
    assert residual_capital_at(lines=plan, amount=WORKED.amount, on=dt.date(2024, 3, 15)) == D("4792.29")
    assert residual_capital_at(lines=plan, amount=WORKED.amount, on=dt.date(2024, 5, 31)) == D("500.00")
    assert residual_capital_at(lines=plan, amount=WORKED.amount, on=dt.date(2030, 1, 1)) == D("0.00")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"periodicity_months": 5}, "periodicity"),
        ({"instalment_count": 0}, "instalment"),
        ({"annual_rate": D("-0.01")}, "negative"),
        ({"advance": D("6000"), "residual_value": D("4000")}, "below the contract amount"),
        ({"first_due_date": dt.date(2023, 1, 1)}, "before signing"),
    ],
)
def test_terms_are_validated(change, message):
    values = {**WORKED.__dict__, **change}
    with pytest.raises(ValueError, match=message):
        LeaseTerms(**values)
