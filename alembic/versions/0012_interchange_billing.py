"""interchange format, billing: the core system's payment code, and the invoice's own PDF and
FatturaPA XML files sent with the file set (issue 14)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 21:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pdf_storage_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("pdf_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("xml_storage_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("xml_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint("uq_payment_customer_code", ["customer_id", "code"])


def downgrade() -> None:
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_constraint("uq_payment_customer_code", type_="unique")
        batch_op.drop_column("code")
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.drop_column("xml_sha256")
        batch_op.drop_column("xml_storage_key")
        batch_op.drop_column("pdf_sha256")
        batch_op.drop_column("pdf_storage_key")
