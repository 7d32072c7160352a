"""Inserting an import's new rows in bulk: one multi-row INSERT … RETURNING id per few hundred rows
(SQLAlchemy's "insertmanyvalues", on SQLite ≥ 3.35 and PostgreSQL), the ids given back in the rows'
order and set on them.

A row is a namespace of its column values. As the ORM does for an object, a None value is left out
of the INSERT, so the column's default applies; rows are grouped by the columns they give, each
group one executemany."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import sqlalchemy as sa
from sqlmodel import Session, SQLModel


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[SimpleNamespace]) -> None:
    """Insert `rows` (their `id` None) into the model's table in the session's transaction; set each
    row's id."""
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    groups: dict[tuple[str, ...], list[SimpleNamespace]] = {}
    for row in rows:
        columns = tuple(
            sorted(key for key, value in vars(row).items() if value is not None and key != "id" and key in table.c)
        )
        groups.setdefault(columns, []).append(row)
    statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    for columns, members in groups.items():
        parameters = [{column: getattr(row, column) for column in columns} for row in members]
        ids = session.execute(statement, parameters).scalars().all()
        for row, new_id in zip(members, ids, strict=True):
            row.id = new_id
