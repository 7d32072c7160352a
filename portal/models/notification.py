"""Bell notifications: broadcasts to every customer user, or one user's request news."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, UniqueConstraint

from portal.models.enums import NotificationKind
from portal.models.types import enum_field, timestamp_field


class Notification(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_notification_tenant_created", "tenant_id", "created_at"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id")
    kind: NotificationKind = enum_field(NotificationKind)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)  # None: broadcast
    request_id: int | None = Field(default=None, foreign_key="service_request.id", index=True)
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id", index=True)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=2000)
    created_at: dt.datetime = timestamp_field()


class NotificationRead(SQLModel, table=True):
    __tablename__: ClassVar[str] = "notification_read"
    __table_args__ = (UniqueConstraint("notification_id", "user_id", name="uq_notification_read"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    notification_id: int = Field(foreign_key="notification.id")
    user_id: int = Field(foreign_key="user_account.id", index=True)
    read_at: dt.datetime = timestamp_field()
