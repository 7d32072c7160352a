"""lease end and art. 119 copies: a request's legal deadline (issue 15)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 00:10:00

`service_request.due_on`: the day by which the company must answer a request that has a legal
deadline (art. 119 c.4 TUB: 90 days for copies of documentation); empty for every other request.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.create_index("ix_service_request_due_on", ["due_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.drop_index("ix_service_request_due_on")
        batch_op.drop_column("due_on")
