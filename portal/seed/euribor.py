"""An illustrative monthly series for Euribor 3 months (percent), close to the published
monthly averages, used to index the demo contracts. Later months repeat the last value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

EURIBOR_3M = "EURIBOR_3M"

_MONTHLY_PERCENT = {
    2015: "0.06 0.05 0.02 0.00 -0.01 -0.01 -0.02 -0.03 -0.04 -0.05 -0.09 -0.13",
    2016: "-0.15 -0.18 -0.23 -0.25 -0.26 -0.27 -0.29 -0.30 -0.30 -0.31 -0.31 -0.32",
    2017: "-0.33 -0.33 -0.33 -0.33 -0.33 -0.33 -0.33 -0.33 -0.33 -0.33 -0.33 -0.33",
    2018: "-0.33 -0.33 -0.33 -0.33 -0.33 -0.32 -0.32 -0.32 -0.32 -0.32 -0.32 -0.31",
    2019: "-0.31 -0.31 -0.31 -0.31 -0.31 -0.33 -0.37 -0.41 -0.42 -0.41 -0.40 -0.39",
    2020: "-0.39 -0.41 -0.42 -0.25 -0.27 -0.38 -0.44 -0.48 -0.49 -0.51 -0.52 -0.54",
    2021: "-0.55 -0.54 -0.54 -0.54 -0.54 -0.54 -0.54 -0.55 -0.55 -0.55 -0.57 -0.58",
    2022: "-0.56 -0.53 -0.50 -0.45 -0.39 -0.24 0.04 0.40 1.01 1.43 1.83 2.06",
    2023: "2.35 2.64 2.91 3.17 3.37 3.54 3.67 3.78 3.88 3.97 3.97 3.94",
    2024: "3.93 3.92 3.92 3.89 3.81 3.72 3.69 3.55 3.43 3.17 3.01 2.82",
    2025: "2.70 2.53 2.44 2.25 2.09 1.98 1.99 2.02 2.03 2.03 2.05 2.07",
    2026: "2.06 2.05 2.08 2.10 2.12 2.13 2.11 2.10 2.09 2.08 2.07",
}


def euribor_3m_observations() -> list[tuple[dt.date, Decimal]]:
    """(first day of the month, rate as a fraction) for every month of the series."""
    observations = []
    for year, values in _MONTHLY_PERCENT.items():
        for month, percent in enumerate(values.split(), start=1):
            observations.append((dt.date(year, month, 1), Decimal(percent) / 100))
    return observations
