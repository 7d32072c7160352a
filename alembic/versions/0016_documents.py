"""documents both ways: published documents, document asks and uploads, expiry reminders (issue 15)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import portal.models.types  # noqa: F401  (custom column types)
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _aware(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, portal.models.types.AwareDateTime(timezone=True), nullable=nullable)


def _text(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def _enum(name: str, type_name: str, *values: str) -> sa.Column:
    return sa.Column(name, sa.Enum(*values, name=type_name, native_enum=False, length=20), nullable=False)


def upgrade() -> None:
    op.create_table(
        "published_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        _text("title", 200),
        _enum("category", "documentcategory", "contract", "annex", "letter", "other"),
        _text("storage_key", 64),
        _text("display_name", 200),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        _text("sha256", 64),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        _aware("created_at", False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.ForeignKeyConstraint(["published_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("storage_key"),
    )
    op.create_index("ix_published_document_contract_id", "published_document", ["contract_id"], unique=False)
    op.create_index(
        "ix_published_document_customer_created", "published_document", ["customer_id", "created_at"], unique=False
    )
    op.create_table(
        "document_ask",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        _enum("kind", "askkind", "insurance", "registration", "identity", "other"),
        _text("note", 1000),
        sa.Column("due_on", sa.Date(), nullable=False),
        _enum("status", "askstatus", "requested", "uploaded", "accepted", "rejected"),
        _text("rejection_reason", 1000),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        _aware("created_at", False),
        _aware("updated_at", False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.ForeignKeyConstraint(["asked_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_document_ask_contract_id", "document_ask", ["contract_id"], unique=False)
    op.create_index("ix_document_ask_status", "document_ask", ["status"], unique=False)
    op.create_index("ix_document_ask_customer_status", "document_ask", ["customer_id", "status"], unique=False)
    op.create_table(
        "document_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ask_id", sa.Integer(), nullable=False),
        _text("storage_key", 64),
        _text("display_name", 200),
        _text("content_type", 100),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        _text("sha256", 64),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        _aware("created_at", False),
        sa.ForeignKeyConstraint(["ask_id"], ["document_ask.id"]),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("storage_key"),
    )
    op.create_index("ix_document_upload_ask_id", "document_upload", ["ask_id"], unique=False)
    op.create_table(
        "expiry_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        _aware("created_at", False),
        sa.ForeignKeyConstraint(["upload_id"], ["document_upload.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("upload_id", "days_before", name="uq_expiry_reminder_upload_days"),
    )


def downgrade() -> None:
    op.drop_table("expiry_reminder")
    op.drop_index("ix_document_upload_ask_id", table_name="document_upload")
    op.drop_table("document_upload")
    op.drop_index("ix_document_ask_customer_status", table_name="document_ask")
    op.drop_index("ix_document_ask_status", table_name="document_ask")
    op.drop_index("ix_document_ask_contract_id", table_name="document_ask")
    op.drop_table("document_ask")
    op.drop_index("ix_published_document_customer_created", table_name="published_document")
    op.drop_index("ix_published_document_contract_id", table_name="published_document")
    op.drop_table("published_document")
