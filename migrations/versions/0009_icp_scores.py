"""Stored ICP scores: one row per account for the active version, indexed by (tier, score).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "icp_scores",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("matched", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_icp_scores_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_icp_scores")),
    )
    with op.batch_alter_table("icp_scores", schema=None) as batch_op:
        batch_op.create_index("ix_icp_scores_tier_score", ["tier", "score"], unique=False)
    _score_existing_accounts()


def _score_existing_accounts() -> None:
    """A database that already has an active version gets its scores now, so none is missing after upgrading."""
    connection = op.get_bind()
    active = connection.execute(sa.text("SELECT 1 FROM icp_versions WHERE status = 'active'")).first()
    if active is None:
        return
    from sqlalchemy.orm import Session

    from ecp_tracker.services.icp.scoring import refresh_all_scores

    session = Session(bind=connection)
    refresh_all_scores(session)
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table("icp_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_icp_scores_tier_score")
    op.drop_table("icp_scores")
