"""the customer's own data (issue 15): export requests, and the user agent of sign-in events

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import portal.models.types  # noqa: F401  (custom column types)
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _aware(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, portal.models.types.AwareDateTime(timezone=True), nullable=nullable)


def _text(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "data_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        _text("code", 40),
        sa.Column(
            "status",
            sa.Enum("requested", "ready", "failed", "expired", name="exportstatus", native_enum=False, length=20),
            nullable=False,
        ),
        _text("language", 5),
        _aware("requested_at", False),
        _aware("claimed_at", True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _aware("ready_at", True),
        _aware("expires_at", True),
        _text("storage_name", 80, nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        _text("error", 200),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_data_export_customer_id", "data_export", ["customer_id"])
    op.create_index("ix_data_export_status", "data_export", ["status"])
    op.create_index("ix_data_export_user_requested", "data_export", ["user_id", "requested_at"])
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(_text("user_agent", 300, nullable=True))
    op.execute("UPDATE audit_event SET user_agent = '' WHERE user_agent IS NULL")
    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column("user_agent", existing_type=sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("user_agent")
    op.drop_index("ix_data_export_user_requested", table_name="data_export")
    op.drop_index("ix_data_export_status", table_name="data_export")
    op.drop_index("ix_data_export_customer_id", table_name="data_export")
    op.drop_table("data_export")
