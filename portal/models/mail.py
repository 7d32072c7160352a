"""Every e-mail the portal sends; the demo outbox keeps the body for the demo mailbox."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from portal.models.types import timestamp_field


class MailMessage(SQLModel, table=True):
    __tablename__: ClassVar[str] = "mail_message"

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int | None = Field(default=None, foreign_key="tenant.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    kind: str = Field(max_length=40)  # "login_code", "password_reset", "invitation", ...
    to_address: str = Field(max_length=200, index=True)
    subject: str = Field(max_length=300)
    # Kept only by the demo outbox backend; real mail is not stored once sent.
    body_text: str | None = Field(default=None, sa_type=sa.Text)
    backend: str = Field(max_length=20)
    sent_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    error: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime = timestamp_field()


class MailOutbox(SQLModel, table=True):
    """A mail written in the same transaction as what it tells, sent afterwards by the mail job
    (portal.jobs.mail): a rolled-back change sends nothing, and SMTP never runs inside a transaction.
    The body is cleared once the mail is sent or given up."""

    __tablename__: ClassVar[str] = "mail_outbox"
    __table_args__ = (sa.Index("ix_mail_outbox_due", "sent_at", "failed_at", "next_attempt_at"),)

    id: int = Field(default=None, primary_key=True)  # given by the database at the first flush
    tenant_id: int | None = Field(default=None, foreign_key="tenant.id")
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    # The customer on whose behalf a third party is written to (the daily cap of "contacts to notify").
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    kind: str = Field(max_length=40)
    to_address: str = Field(max_length=200)
    subject: str = Field(max_length=300)
    body_text: str | None = Field(default=None, sa_type=sa.Text)
    body_html: str | None = Field(default=None, sa_type=sa.Text)
    attempts: int = Field(default=0)
    next_attempt_at: dt.datetime = timestamp_field()
    # A sender that took the row sends it until then; after a crash another sender takes it again.
    claimed_until: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    # Who took it: a job run again after its worker died ("job:<id>") takes its own claim back at once.
    claimed_by: str | None = Field(default=None, max_length=64)
    sent_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    failed_at: dt.datetime | None = timestamp_field(nullable=True, default_now=False)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime = timestamp_field()
