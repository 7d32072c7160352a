"""outbound events: the requests' event log, feed consumers, webhook endpoints and deliveries (issue 14)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 21:00:00

The requests a database already holds get one `request.opened` event each (numbered per tenant in
the order they were opened), so the core system's first read of the feed finds them all.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import portal.models.types  # noqa: F401  (custom column types)
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _aware(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, portal.models.types.AwareDateTime(timezone=True), nullable=nullable)


def _text(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "outbound_consumer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        _text("name", 60),
        sa.Column("acked_seq", sa.Integer(), nullable=False),
        _aware("acked_at", True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_outbound_consumer_tenant_name"),
    )
    op.create_table(
        "outbound_sequence",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("tenant_id"),
    )
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        _text("url", 500),
        _text("secret", 100),
        _text("description", 200),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        _aware("created_at", False),
        _aware("disabled_at", True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhook_endpoint_tenant_id", "webhook_endpoint", ["tenant_id"], unique=False)
    op.create_table(
        "request_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        _text("kind", 40),
        _text("actor", 20),
        sa.Column("detail", sa.JSON(), nullable=False),
        _text("reference", 100, nullable=True),
        _aware("created_at", False),
        sa.ForeignKeyConstraint(["request_id"], ["service_request.id"]),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "seq", name="uq_request_event_tenant_seq"),
    )
    op.create_index("ix_request_event_request_reference", "request_event", ["request_id", "reference"], unique=False)
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        _text("event_kind", 40),
        _text("request_code", 20),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _aware("next_attempt_at", False),
        _aware("claimed_until", True),
        _text("claimed_by", 64, nullable=True),
        _aware("last_attempt_at", True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        _text("last_error", 500, nullable=True),
        _aware("delivered_at", True),
        _aware("given_up_at", True),
        _aware("created_at", False),
        sa.ForeignKeyConstraint(["endpoint_id"], ["webhook_endpoint.id"]),
        sa.ForeignKeyConstraint(["event_id"], ["request_event.id"]),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_webhook_delivery_due", "webhook_delivery", ["delivered_at", "given_up_at", "next_attempt_at"], unique=False
    )
    op.create_index("ix_webhook_delivery_endpoint_id", "webhook_delivery", ["endpoint_id"], unique=False)
    op.create_index("ix_webhook_delivery_event_id", "webhook_delivery", ["event_id"], unique=False)
    op.create_index("ix_webhook_delivery_tenant_id", "webhook_delivery", ["tenant_id"], unique=False)
    _backfill()


def _backfill() -> None:
    """One `request.opened` event per request already held, numbered per tenant by opening order."""
    empty = "CAST('{}' AS JSON)" if op.get_bind().dialect.name == "postgresql" else "'{}'"
    op.execute(
        "INSERT INTO request_event (tenant_id, seq, request_id, kind, actor, detail, created_at) "
        "SELECT tenant_id, ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY id), id, 'request.opened', "
        f"'customer', {empty}, created_at FROM service_request"
    )
    op.execute(
        "INSERT INTO outbound_sequence (tenant_id, last_seq) "
        "SELECT tenant_id, MAX(seq) FROM request_event GROUP BY tenant_id"
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_tenant_id", table_name="webhook_delivery")
    op.drop_index("ix_webhook_delivery_event_id", table_name="webhook_delivery")
    op.drop_index("ix_webhook_delivery_endpoint_id", table_name="webhook_delivery")
    op.drop_index("ix_webhook_delivery_due", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index("ix_request_event_request_reference", table_name="request_event")
    op.drop_table("request_event")
    op.drop_index("ix_webhook_endpoint_tenant_id", table_name="webhook_endpoint")
    op.drop_table("webhook_endpoint")
    op.drop_table("outbound_sequence")
    op.drop_table("outbound_consumer")
