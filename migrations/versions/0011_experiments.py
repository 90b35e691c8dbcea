"""Experiments: a campaign aimed at an ICP tier or a saved view against a randomised holdout, its arms per
account (drawn at the start, never redrawn) and the amendments of its pre-registered terms.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("target_kind", sa.String(length=8), nullable=False),
        sa.Column("target_tier", sa.String(length=40), nullable=True),
        sa.Column("target_view_id", sa.Integer(), nullable=True),
        sa.Column("target_filters", sa.JSON(), nullable=True),
        sa.Column("target_label", sa.String(length=200), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("custom_metric", sa.String(length=120), nullable=False),
        sa.Column("min_lift", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("holdout_share", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("baseline_rate", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("stratify_by", sa.String(length=40), nullable=True),
        sa.Column("planned_end", sa.Date(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_experiments_owner_id_users")),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name=op.f("fk_experiments_review_id_reviews")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
    )
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_experiments_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_experiments_status"), ["status"], unique=False)

    op.create_table(
        "experiment_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("amended_by_id", sa.Integer(), nullable=True),
        sa.Column("amended_by_label", sa.String(length=254), nullable=False),
        sa.Column("amended_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["amended_by_id"], ["users.id"], name=op.f("fk_experiment_amendments_amended_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_experiment_amendments_experiment_id_experiments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_amendments")),
    )
    with op.batch_alter_table("experiment_amendments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experiment_amendments_experiment_id"), ["experiment_id"], unique=False
        )

    op.create_table(
        "experiment_arms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("arm", sa.String(length=8), nullable=False),
        sa.Column("stratum", sa.String(length=120), nullable=False),
        sa.Column("outcome", sa.Boolean(), nullable=True),
        sa.Column("outcome_recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_experiment_arms_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"], ["experiments.id"], name=op.f("fk_experiment_arms_experiment_id_experiments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_arms")),
        sa.UniqueConstraint("experiment_id", "account_id", name=op.f("uq_experiment_arms_experiment_id")),
    )
    with op.batch_alter_table("experiment_arms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_experiment_arms_account_id"), ["account_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("experiment_arms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiment_arms_account_id"))

    op.drop_table("experiment_arms")
    with op.batch_alter_table("experiment_amendments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiment_amendments_experiment_id"))

    op.drop_table("experiment_amendments")
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiments_status"))
        batch_op.drop_index(batch_op.f("ix_experiments_review_id"))

    op.drop_table("experiments")
