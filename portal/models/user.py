"""Portal accounts and their server-side sessions."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from portal.models.enums import Language, UserRole
from portal.models.types import enum_field, timestamp_field


class UserAccount(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    username: str = Field(max_length=60, unique=True)
    role: UserRole = enum_field(UserRole)
    first_name: str = Field(default="", max_length=80)
    last_name: str = Field(default="", max_length=80)
    language: Language = enum_field(Language, default=Language.IT)
    primary_email: str = Field(max_length=200)
    secondary_email: str | None = Field(default=None, max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    must_change_password: bool = Field(default=False)
    is_active: bool = Field(default=True)
    failed_login_count: int = Field(default=0)
    locked_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    last_login_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    created_at: dt.datetime = timestamp_field()


class UserSession(SQLModel, table=True):
    """Only the SHA-256 of the session token is stored; the token lives in the browser."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = timestamp_field()
    last_seen_at: dt.datetime = timestamp_field()
    expires_at: dt.datetime = timestamp_field(default_now=False)
    revoked_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    client_ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)
