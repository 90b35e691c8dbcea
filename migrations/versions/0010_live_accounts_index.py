"""Two indexes for the COUNT of an account list filtered by ICP tier: the live (not archived) accounts' ids
(partial) and the stored scores by (tier, account id). PostgreSQL then counts a tier's live accounts with a
merge join of two index-only scans instead of hashing the tier's rows against a scan of the accounts table
(about 12 ms instead of 95-160 ms for 30,000 rows of 100,000 accounts).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LIVE = "archived_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_accounts_live_id",
            ["id"],
            unique=False,
            postgresql_where=sa.text(LIVE),
            sqlite_where=sa.text(LIVE),
        )
    with op.batch_alter_table("icp_scores", schema=None) as batch_op:
        batch_op.create_index("ix_icp_scores_tier_account", ["tier", "account_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("icp_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_icp_scores_tier_account")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_live_id")
