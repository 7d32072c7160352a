"""Documents both ways (issue 15): the company's documents published to a customer (kept unchanged,
with their SHA-256), the documents the company asks a customer for with the files the customer
sends, and the reminders sent before an accepted insurance certificate lapses."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, UniqueConstraint

from portal.models.enums import CodedEnum
from portal.models.types import enum_field, timestamp_field


class DocumentCategory(CodedEnum):
    CONTRACT = "contract"
    ANNEX = "annex"
    LETTER = "letter"
    OTHER = "other"


class AskKind(CodedEnum):
    INSURANCE = "insurance"  # insurance certificate of a leased vehicle: has an expiry date
    REGISTRATION = "registration"  # visura camerale
    IDENTITY = "identity"  # identity document of a new legal representative
    OTHER = "other"


class AskStatus(CodedEnum):
    REQUESTED = "requested"
    UPLOADED = "uploaded"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class PublishedDocument(SQLModel, table=True):
    """A PDF the company published to a customer: never changed (a correction is a new document)."""

    __tablename__: ClassVar[str] = "published_document"
    __table_args__ = (sa.Index("ix_published_document_customer_created", "customer_id", "created_at"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id")
    customer_id: int = Field(foreign_key="customer.id")
    contract_id: int | None = Field(default=None, foreign_key="contract.id", index=True)
    title: str = Field(max_length=200)
    category: DocumentCategory = enum_field(DocumentCategory)
    storage_key: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=200)
    size_bytes: int
    sha256: str = Field(max_length=64)
    published_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime = timestamp_field()


class DocumentAsk(SQLModel, table=True):
    """A document the service desk asked a customer for, with its deadline and where it stands."""

    __tablename__: ClassVar[str] = "document_ask"
    __table_args__ = (sa.Index("ix_document_ask_customer_status", "customer_id", "status"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id")
    customer_id: int = Field(foreign_key="customer.id")
    contract_id: int | None = Field(default=None, foreign_key="contract.id", index=True)
    kind: AskKind = enum_field(AskKind)
    note: str = Field(default="", max_length=1000)
    due_on: dt.date
    status: AskStatus = enum_field(AskStatus, default=AskStatus.REQUESTED, index=True)
    rejection_reason: str = Field(default="", max_length=1000)
    asked_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime = timestamp_field()
    updated_at: dt.datetime = timestamp_field()


class DocumentUpload(SQLModel, table=True):
    """A file the customer sent for an ask (every try is kept; the newest is the one judged)."""

    __tablename__: ClassVar[str] = "document_upload"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    ask_id: int = Field(foreign_key="document_ask.id", index=True)
    storage_key: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)
    expires_on: dt.date | None = Field(default=None)  # insurance certificates only
    uploaded_by_id: int = Field(foreign_key="user_account.id")
    created_at: dt.datetime = timestamp_field()


class ExpiryReminder(SQLModel, table=True):
    """One reminder sent (or passed over for a nearer one) before an accepted certificate lapses."""

    __tablename__: ClassVar[str] = "expiry_reminder"
    __table_args__ = (UniqueConstraint("upload_id", "days_before", name="uq_expiry_reminder_upload_days"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    upload_id: int = Field(foreign_key="document_upload.id")
    days_before: int
    expires_on: dt.date
    sent: bool = Field(default=True)  # False: a nearer threshold's reminder went instead
    created_at: dt.datetime = timestamp_field()
