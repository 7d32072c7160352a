"""Requests handed back to the core system (docs/INTEGRATION.md §8): the event log its feed reads,
how far each consumer has acknowledged it, and the webhooks that push the same events."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from portal.models.types import timestamp_field


class OutboundSequence(SQLModel, table=True):
    """The last event number given in a tenant. Numbers are taken by updating this row, whose lock
    is held until the transaction ends: the events of a tenant commit in the order of their
    numbers, with no gap, so a reader that has seen number n can never later find a smaller one."""

    __tablename__: ClassVar[str] = "outbound_sequence"

    tenant_id: int = Field(foreign_key="tenant.id", primary_key=True)
    last_seq: int = Field(default=0)


class RequestEvent(SQLModel, table=True):
    """One change of a request (opened, a message with its files, a status change), written in the
    transaction of the change: it exists exactly when the change has committed."""

    __tablename__: ClassVar[str] = "request_event"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "seq", name="uq_request_event_tenant_seq"),
        sa.Index("ix_request_event_request_reference", "request_id", "reference"),
    )

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id")
    seq: int  # the tenant's event number: the feed's cursor and the webhooks' event id
    request_id: int = Field(foreign_key="service_request.id")
    kind: str = Field(max_length=40)  # request.opened, request.message_added, request.status_changed
    actor: str = Field(max_length=20)  # customer, service_desk, core_system
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    # The core system's own id of a status change it sent: the same call again changes nothing.
    reference: str | None = Field(default=None, max_length=100)
    created_at: dt.datetime = timestamp_field()


class OutboundConsumer(SQLModel, table=True):
    """A reader of the feed and the last event number it has acknowledged."""

    __tablename__: ClassVar[str] = "outbound_consumer"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "name", name="uq_outbound_consumer_tenant_name"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id")
    name: str = Field(max_length=60)
    acked_seq: int = Field(default=0)
    acked_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)


class WebhookEndpoint(SQLModel, table=True):
    """Where a tenant's events are pushed. The secret is stored as it is, not hashed: every
    delivery is signed with it (HMAC), so the portal must be able to read it back. It is as
    sensitive as the database that holds it; rotating it means adding an endpoint and disabling
    the old one."""

    __tablename__: ClassVar[str] = "webhook_endpoint"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    url: str = Field(max_length=500)
    secret: str = Field(max_length=100)
    description: str = Field(default="", max_length=200)
    is_active: bool = Field(default=True)
    created_at: dt.datetime = timestamp_field()
    disabled_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)


class WebhookDelivery(SQLModel, table=True):
    """One event to one endpoint: the body to send (the same at every attempt), and the log of the
    attempts. Taken by one sender at a time (claimed_until / claimed_by, as the mail outbox)."""

    __tablename__: ClassVar[str] = "webhook_delivery"
    __table_args__ = (sa.Index("ix_webhook_delivery_due", "delivered_at", "given_up_at", "next_attempt_at"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id", index=True)
    event_id: int = Field(foreign_key="request_event.id", index=True)
    event_seq: int
    event_kind: str = Field(max_length=40)
    request_code: str = Field(max_length=20)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    attempts: int = Field(default=0)
    next_attempt_at: dt.datetime = timestamp_field()
    claimed_until: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    claimed_by: str | None = Field(default=None, max_length=64)
    last_attempt_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    delivered_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    given_up_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    created_at: dt.datetime = timestamp_field()
