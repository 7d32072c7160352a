"""The integration with the core system: one row per import run (docs/INTEGRATION.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from portal.models.enums import ImportOutcome
from portal.models.types import enum_field, timestamp_field


class ImportRun(SQLModel, table=True):
    """An import of a file set, a dry run too: what it read, what it did, and its whole report."""

    __tablename__: ClassVar[str] = "import_run"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    started_at: dt.datetime = timestamp_field(index=True)
    finished_at: dt.datetime = timestamp_field()
    source: str = Field(max_length=500)  # the path of the directory or zip file
    dry_run: bool = Field(default=False)
    full: bool = Field(default=False)  # the file set said it holds every record of its types
    outcome: ImportOutcome = enum_field(ImportOutcome)
    created: int = Field(default=0)  # totals over the record types, for a list of runs
    updated: int = Field(default=0)
    unchanged: int = Field(default=0)
    rejected: int = Field(default=0)
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # per record type
    warnings: list[Any] = Field(default_factory=list, sa_type=sa.JSON)  # reconciliation findings
    report: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # rejections, missing records, all
