"""Column types shared by the tables: money, rates, aware timestamps, string enums."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

MONEY = sa.Numeric(14, 2)
RATE = sa.Numeric(9, 6)


class AwareDateTime(sa.types.TypeDecorator):
    """Stores UTC; always returns aware datetimes, also on SQLite which drops the offset."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: timestamps must be time-zone aware")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def money_field(*, default: Decimal | None = Decimal("0.00"), nullable: bool = False) -> Any:
    return Field(default=default, sa_type=MONEY, nullable=nullable)


def rate_field(*, default: Decimal | None = None, nullable: bool = True) -> Any:
    return Field(default=default, sa_type=RATE, nullable=nullable)


def timestamp_field(*, nullable: bool = False, index: bool = False, default_now: bool = True) -> Any:
    if default_now:
        return Field(default_factory=utc_now, sa_type=AwareDateTime, nullable=nullable, index=index)
    return Field(default=None, sa_type=AwareDateTime, nullable=nullable, index=index)


def enum_field(enum_cls: type[enum.Enum], *, default: Any = None, index: bool = False, nullable: bool = False) -> Any:
    """Stores the enum's value as VARCHAR: no database enum types to migrate."""
    length = max(len(str(member.value)) for member in enum_cls)
    sa_enum = sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=max(length, 20),
        values_callable=lambda cls: [str(member.value) for member in cls],
        validate_strings=True,
    )
    return Field(default=default, sa_type=sa_enum, nullable=nullable, index=index)
