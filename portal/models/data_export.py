"""A customer account's copy of its own data (GDPR art. 15 and 20), built in the background."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from portal.models.enums import CodedEnum
from portal.models.types import enum_field, timestamp_field


class ExportStatus(CodedEnum):
    REQUESTED = "requested"  # waiting for the job (or being built)
    READY = "ready"  # the zip is on disk until expires_at
    FAILED = "failed"  # the job gave up; the user may ask again
    EXPIRED = "expired"  # past expires_at: the file is gone


class DataExport(SQLModel, table=True):
    __tablename__: ClassVar[str] = "data_export"
    __table_args__ = (sa.Index("ix_data_export_user_requested", "user_id", "requested_at"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id")
    user_id: int = Field(foreign_key="user_account.id")
    customer_id: int = Field(foreign_key="customer.id", index=True)
    code: str = Field(max_length=40, unique=True)  # random: names the download link
    status: ExportStatus = enum_field(ExportStatus, default=ExportStatus.REQUESTED, index=True)
    language: str = Field(default="it", max_length=5)
    requested_at: dt.datetime = timestamp_field()
    claimed_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)  # a job is building it
    attempts: int = Field(default=0)
    ready_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    expires_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    storage_name: str | None = Field(default=None, max_length=80)  # a random file name in the private folder
    size_bytes: int = Field(default=0)
    error: str = Field(default="", max_length=200)
