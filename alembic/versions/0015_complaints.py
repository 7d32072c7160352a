"""complaints (reclami) and their files (issue 15)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import portal.models.types  # noqa: F401  (custom column types)
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _aware(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, portal.models.types.AwareDateTime(timezone=True), nullable=nullable)


def _text(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        _text("code", 20),
        _text("subject", 200),
        _text("body", 5000),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        _text("answer", 5000, nullable=True),
        sa.Column(
            "outcome",
            sa.Enum("accepted", "partial", "rejected", name="complaintoutcome", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        _aware("created_at", False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.ForeignKeyConstraint(["answered_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_complaint_customer_id", "complaint", ["customer_id"], unique=False)
    op.create_index("ix_complaint_tenant_due", "complaint", ["tenant_id", "due_on"], unique=False)
    op.create_table(
        "complaint_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        _text("storage_key", 64),
        _text("display_name", 200),
        _text("content_type", 100),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        _text("sha256", 64),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        _aware("created_at", False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"]),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("storage_key"),
    )
    op.create_index("ix_complaint_attachment_complaint_id", "complaint_attachment", ["complaint_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_complaint_attachment_complaint_id", table_name="complaint_attachment")
    op.drop_table("complaint_attachment")
    op.drop_index("ix_complaint_tenant_due", table_name="complaint")
    op.drop_index("ix_complaint_customer_id", table_name="complaint")
    op.drop_table("complaint")
