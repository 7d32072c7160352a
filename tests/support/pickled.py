"""What pickling a Reflex state stores (its __getstate__, the backend vars among it), searched for
ORM rows: a page state must keep plain values, it goes to the state store with every event."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence, Set

import sqlalchemy as sa
from sqlmodel import SQLModel


def orm_objects(value, where: str = "state") -> list[str]:
    """Where, inside `value`, an ORM row is kept (a SQLModel table instance, or anything SQLAlchemy
    tracks): through lists, tuples, sets, dicts, SQLAlchemy's result rows and dataclass fields."""
    if hasattr(value, "_sa_instance_state") or (isinstance(value, SQLModel) and hasattr(type(value), "__table__")):
        return [f"{where}: {type(value).__name__}"]
    if isinstance(value, str | bytes):
        return []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [(f"{where}.{field.name}", getattr(value, field.name)) for field in dataclasses.fields(value)]
    elif isinstance(value, Mapping):
        items = [(f"{where}[{key!r}]", item) for key, item in value.items()]
    elif isinstance(value, Sequence | Set | sa.Row):
        items = [(f"{where}[{index}]", item) for index, item in enumerate(value)]
    else:
        return []
    return [found for name, item in items for found in orm_objects(item, name)]


def held_orm_objects(state) -> list[str]:
    """The ORM rows that pickling `state` and each of its substates would store."""
    found = orm_objects(state.__getstate__(), type(state).__name__)
    return found + [where for child in state.substates.values() for where in held_orm_objects(child)]
