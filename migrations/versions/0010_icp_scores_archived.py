"""Stored ICP scores say whether their account is archived, and are indexed by (tier, archived): the COUNT of
an account list filtered by tier alone then reads this narrow table through the index instead of joining a
tier's rows to the whole accounts table to skip the archived ones.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("icp_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index("ix_icp_scores_tier_archived", ["tier", "archived"], unique=False)
    # the scores stored so far, in step with their accounts
    op.execute(
        "UPDATE icp_scores SET archived = (SELECT accounts.archived_at IS NOT NULL FROM accounts "
        "WHERE accounts.id = icp_scores.account_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("icp_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_icp_scores_tier_archived")
        batch_op.drop_column("archived")
