"""Inserting an import's new rows in bulk, as multi-row INSERTs (SQLAlchemy's "insertmanyvalues" on
PostgreSQL, the driver's executemany on SQLite), without an ORM object per row.

A row is a namespace of its column values. As the ORM does for an object, a None value is left out
of the INSERT, so the column's default applies; rows are grouped by the columns they give, each
group one executemany. The rows other records refer to get their ids back from RETURNING, matched
by their key (a RETURNING of many rows is in no promised order)."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import sqlalchemy as sa
from sqlmodel import Session, SQLModel


def insert_rows(
    session: Session, model: type[SQLModel], rows: Sequence[SimpleNamespace], key: tuple[str, ...] = ()
) -> None:
    """Insert `rows` (their `id` None) into the model's table in the session's transaction. With a
    `key` (columns unique in the table), each row's `id` is set."""
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    groups: dict[tuple[str, ...], list[SimpleNamespace]] = {}
    for row in rows:
        columns = tuple(
            sorted(name for name, value in vars(row).items() if value is not None and name != "id" and name in table.c)
        )
        groups.setdefault(columns, []).append(row)
    for columns, members in groups.items():
        parameters = [{column: getattr(row, column) for column in columns} for row in members]
        if not key:
            session.execute(sa.insert(table), parameters)
            continue
        by_key = {tuple(getattr(row, column) for column in key): row for row in members}
        returned = session.execute(
            sa.insert(table).returning(table.c.id, *(table.c[column] for column in key)), parameters
        )
        for new_id, *values in returned:
            by_key[tuple(values)].id = new_id
