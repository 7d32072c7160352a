"""Self-service requests (tickets) with their thread, attachments and history."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from portal.models.enums import RequestStatus
from portal.models.types import enum_field, timestamp_field


class ServiceRequest(SQLModel, table=True):
    __tablename__: ClassVar[str] = "service_request"
    __table_args__ = (sa.Index("ix_service_request_customer_updated", "customer_id", "updated_at"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    customer_id: int = Field(foreign_key="customer.id")
    created_by_id: int = Field(foreign_key="user_account.id", index=True)
    code: str = Field(max_length=20, unique=True)  # RIC-2026-000123
    form_key: str = Field(max_length=40, index=True)  # which self-service form
    title: str = Field(max_length=200)
    status: RequestStatus = enum_field(RequestStatus, default=RequestStatus.SUBMITTED, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    contract_id: int | None = Field(default=None, foreign_key="contract.id", index=True)
    asset_id: int | None = Field(default=None, foreign_key="leased_asset.id", index=True)
    created_at: dt.datetime = timestamp_field()
    updated_at: dt.datetime = timestamp_field()
    # The day the company must answer by, for a request with a legal deadline (art. 119 TUB: 90 days).
    due_on: dt.date | None = Field(default=None, index=True)


class RequestMessage(SQLModel, table=True):
    __tablename__: ClassVar[str] = "request_message"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    request_id: int = Field(foreign_key="service_request.id", index=True)
    author_id: int = Field(foreign_key="user_account.id")
    from_service_desk: bool = Field(default=False)
    body: str = Field(max_length=5000)
    created_at: dt.datetime = timestamp_field()


class RequestAttachment(SQLModel, table=True):
    """A file kept outside Reflex's public upload folder, under a random storage key."""

    __tablename__: ClassVar[str] = "request_attachment"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    request_id: int = Field(foreign_key="service_request.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="request_message.id")
    storage_key: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)
    uploaded_by_id: int = Field(foreign_key="user_account.id")
    created_at: dt.datetime = timestamp_field()


class RequestContact(SQLModel, table=True):
    """Someone else to notify about the request's progress."""

    __tablename__: ClassVar[str] = "request_contact"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    request_id: int = Field(foreign_key="service_request.id", index=True)
    name: str = Field(default="", max_length=120)
    email: str = Field(max_length=200)


class RequestStatusChange(SQLModel, table=True):
    __tablename__: ClassVar[str] = "request_status_change"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    request_id: int = Field(foreign_key="service_request.id", index=True)
    from_status: RequestStatus | None = enum_field(RequestStatus, nullable=True)
    to_status: RequestStatus = enum_field(RequestStatus)
    changed_by_id: int = Field(foreign_key="user_account.id")
    created_at: dt.datetime = timestamp_field()
