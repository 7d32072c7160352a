"""registration requests to the service desk; unlock links

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 22:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

import portal.models.types
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registration_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("language", sa.Enum("it", "en", name="language", native_enum=False, length=20), nullable=False),
        sa.Column("client_ip", sa.String(length=64), nullable=False),
        sa.Column("created_at", portal.models.types.AwareDateTime(), nullable=False),
        sa.Column("handled_at", portal.models.types.AwareDateTime(), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name="fk_registration_request_tenant_id"),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name="fk_registration_request_customer_id"),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name="fk_registration_request_contract_id"),
        sa.ForeignKeyConstraint(["handled_by_id"], ["user_account.id"], name="fk_registration_request_handled_by_id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_registration_request_tenant_id", "registration_request", ["tenant_id"])
    op.create_index("ix_registration_request_customer_id", "registration_request", ["customer_id"])
    with op.batch_alter_table("password_reset_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=10), nullable=False, server_default="reset"))


def downgrade() -> None:
    with op.batch_alter_table("password_reset_token", schema=None) as batch_op:
        batch_op.drop_column("purpose")
    op.drop_index("ix_registration_request_customer_id", table_name="registration_request")
    op.drop_index("ix_registration_request_tenant_id", table_name="registration_request")
    op.drop_table("registration_request")
