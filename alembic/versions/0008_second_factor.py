"""second factor (issue 11): failures counted per user across logins, recovery codes, re-authentication

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 22:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import portal.models.types  # noqa: F401  (custom column types)
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("second_factor_failures", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("second_factor_window_start", portal.models.types.AwareDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("second_factor_blocked_until", portal.models.types.AwareDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reauthenticated_at", portal.models.types.AwareDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("used_at", portal.models.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("created_at", portal.models.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_code_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_code_user_id"))
    op.drop_table("recovery_code")
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_column("reauthenticated_at")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("second_factor_blocked_until")
        batch_op.drop_column("second_factor_window_start")
        batch_op.drop_column("second_factor_failures")
