"""Plain copies of ORM rows for what outlives the DB session: a page state keeps them in backend
vars, which are pickled to the state store at every event (issue 13)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


def snapshot(cls: type[T], row: object, **overrides: Any) -> T:
    """An instance of the frozen dataclass `cls`, each field read from `row`'s attribute of the
    same name unless given in `overrides`."""
    fields = dataclasses.fields(cls)
    return cls(**{field.name: getattr(row, field.name) for field in fields} | overrides)
