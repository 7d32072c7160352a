"""product and asset type codes, so their names follow the reader's language

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 20:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.add_column(sa.Column("product_code", sa.String(length=40), nullable=True))
    with op.batch_alter_table("leased_asset", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asset_type_code", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leased_asset", schema=None) as batch_op:
        batch_op.drop_column("asset_type_code")
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.drop_column("product_code")
