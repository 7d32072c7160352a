"""API keys of the integration's HTTP API (/api/v1/, docs/INTEGRATION.md §7): one per integration."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from portal.models.types import timestamp_field


class ApiKey(SQLModel, table=True):
    """A key an operator created for one integration of one leasing company. Only the digest of its
    secret is kept (services: portal/integration/keys.py); the token is shown once, at creation."""

    __tablename__: ClassVar[str] = "api_key"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "name", name="uq_api_key_tenant_name"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    name: str = Field(max_length=80)  # the operator's name for the integration ("core-nightly")
    key_id: str = Field(max_length=24, unique=True)  # the token's public part: finds the row
    secret_digest: str = Field(max_length=64)  # SHA-256 of the token's secret part, hex
    scopes: list[Any] = Field(default_factory=list, sa_type=sa.JSON)  # e.g. ["records:write"]
    created_at: dt.datetime = timestamp_field()
    last_used_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    revoked_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
