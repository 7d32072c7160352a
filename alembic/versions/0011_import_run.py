"""import runs: one row per import of the core system's file set (issue 14)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 19:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import portal.models.types  # noqa: F401  (custom column types)
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("started_at", portal.models.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", portal.models.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("imported", "valid", "rejected", name="importoutcome", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_import_run_tenant_id", "import_run", ["tenant_id"], unique=False)
    op.create_index("ix_import_run_started_at", "import_run", ["started_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_import_run_started_at", table_name="import_run")
    op.drop_index("ix_import_run_tenant_id", table_name="import_run")
    op.drop_table("import_run")
