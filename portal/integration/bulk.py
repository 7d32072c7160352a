"""Inserting an import's new rows in bulk: one executemany per table (the driver's own, pipelined on
PostgreSQL), without an ORM object per row.

A row is a namespace of its column values. As the ORM does for an object, a None value is left out
of the INSERT, so the column's default applies; rows are grouped by the columns they give, each
group one executemany. The rows later records refer to get their ids from one SELECT by key
afterwards: a RETURNING of many rows costs more (psycopg parses each multi-row INSERT, with its
thousands of parameters, anew) and SQLite batches it only in no promised order."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

_BATCH = 500  # values in one IN (…): well below SQLite's limit of bound parameters


def insert_rows(
    session: Session, model: type[SQLModel], rows: Sequence[SimpleNamespace], key: tuple[str, ...] = ()
) -> None:
    """Insert `rows` (their `id` None) into the model's table in the session's transaction. With a
    `key` (columns that name one row of the table), each row's `id` is set."""
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    groups: dict[tuple[str, ...], list[SimpleNamespace]] = {}
    for row in rows:
        columns = tuple(
            sorted(name for name, value in vars(row).items() if value is not None and name != "id" and name in table.c)
        )
        groups.setdefault(columns, []).append(row)
    for columns, members in groups.items():
        session.execute(sa.insert(table), [{column: getattr(row, column) for column in columns} for row in members])
    if key and rows:
        _fetch_ids(session, table, rows, key)


def _fetch_ids(session: Session, table: sa.Table, rows: Sequence[SimpleNamespace], key: tuple[str, ...]) -> None:
    """The new rows' ids, read back by key: the rows of the table whose first key column has one of
    the new rows' values (a tenant, the contracts of the new plan rows), matched on the whole key."""
    by_key = {tuple(getattr(row, column) for column in key): row for row in rows}
    firsts = sorted({values[0] for values in by_key})
    columns = [table.c.id, *(table.c[column] for column in key)]
    for start in range(0, len(firsts), _BATCH):
        selected = sa.select(*columns).where(table.c[key[0]].in_(firsts[start : start + _BATCH]))
        for new_id, *values in session.execute(selected):
            row = by_key.get(tuple(values))
            if row is not None:
                row.id = new_id
