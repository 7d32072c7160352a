"""Stored reference-rate series (Euribor)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from sqlmodel import Session, col, select

from portal.models import ReferenceRate
from portal.services.contracts.indexation import RateSeries


def store_observations(*, session: Session, name: str, observations: Iterable[tuple[dt.date, Decimal]]) -> int:
    known = set(session.exec(select(col(ReferenceRate.observed_on)).where(ReferenceRate.name == name)).all())
    new = [ReferenceRate(name=name, observed_on=day, rate=rate) for day, rate in observations if day not in known]
    session.add_all(new)
    session.flush()
    return len(new)


def load_series(*, session: Session, name: str) -> RateSeries:
    rows = session.exec(
        select(col(ReferenceRate.observed_on), col(ReferenceRate.rate)).where(ReferenceRate.name == name)
    ).all()
    return RateSeries([(day, rate) for day, rate in rows])
