"""job queue: procrastinate's tables on PostgreSQL, and the owner of an outbox claim

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 15:00:00

The procrastinate schema (portal/jobs/tasks.py) is the one of the pinned procrastinate version
(requirements.txt): a later version ships a migration of ours that applies its sql/migrations files.
SQLite has no job queue (the app runs the jobs itself): nothing to create there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from procrastinate.schema import SchemaManager

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every object procrastinate's schema.sql creates, in the current schema, for the downgrade.
_DROP_PROCRASTINATE = """
DO $$
DECLARE item record;
BEGIN
    FOR item IN SELECT c.relname FROM pg_class c WHERE c.relkind = 'r'
            AND c.relname LIKE 'procrastinate\\_%' AND c.relnamespace = current_schema()::regnamespace LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.relname);
    END LOOP;
    FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
            WHERE p.proname LIKE 'procrastinate\\_%' AND p.pronamespace = current_schema()::regnamespace LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
    END LOOP;
    FOR item IN SELECT t.typname FROM pg_type t WHERE t.typtype IN ('e', 'c')
            AND t.typname LIKE 'procrastinate\\_%' AND t.typnamespace = current_schema()::regnamespace LOOP
        EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname);
    END LOOP;
END
$$;
"""


def upgrade() -> None:
    with op.batch_alter_table("mail_outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SchemaManager.get_schema())  # run without parameters: its "%" stay as written


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_DROP_PROCRASTINATE)
    with op.batch_alter_table("mail_outbox") as batch:
        batch.drop_column("claimed_by")
