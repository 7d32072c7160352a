"""Append-only log of security-relevant and business events."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from portal.models.types import timestamp_field


class AuditEvent(SQLModel, table=True):
    __tablename__: ClassVar[str] = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_user_created", "user_id", "created_at"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int | None = Field(default=None, foreign_key="tenant.id")
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    action: str = Field(max_length=60, index=True)  # "login.success", "login.failure", ...
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    client_ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)  # sign-ins, from issue 15 on (the access log)
    created_at: dt.datetime = timestamp_field()
