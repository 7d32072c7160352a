"""Complaints (reclami): a channel apart from the service requests, with the 60-day deadline
Banca d'Italia's transparency rules set for the answer, and their files."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from portal.models.enums import ComplaintOutcome
from portal.models.types import enum_field, timestamp_field


class Complaint(SQLModel, table=True):
    __tablename__: ClassVar[str] = "complaint"
    __table_args__ = (sa.Index("ix_complaint_tenant_due", "tenant_id", "due_on"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id")
    customer_id: int = Field(foreign_key="customer.id", index=True)
    created_by_id: int = Field(foreign_key="user_account.id")
    code: str = Field(max_length=20, unique=True)  # REC-2026-000001
    subject: str = Field(max_length=200)
    body: str = Field(max_length=5000)
    contract_id: int | None = Field(default=None, foreign_key="contract.id")
    received_on: dt.date
    due_on: dt.date  # received_on + 60 days
    answer: str | None = Field(default=None, max_length=5000)
    outcome: ComplaintOutcome | None = enum_field(ComplaintOutcome, nullable=True)
    answered_on: dt.date | None = Field(default=None)
    answered_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime = timestamp_field()


class ComplaintAttachment(SQLModel, table=True):
    """A complaint's file, stored as the requests' files are (services/requests/attachments.py)."""

    __tablename__: ClassVar[str] = "complaint_attachment"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    storage_key: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)
    uploaded_by_id: int = Field(foreign_key="user_account.id")
    created_at: dt.datetime = timestamp_field()
