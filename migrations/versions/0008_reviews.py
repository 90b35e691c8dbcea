"""The monthly review: reviews with their frozen snapshot, and their decisions; ICP criteria point at the
decision that put them there.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cutoff_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("snapshot_sha256", sa.String(length=64), nullable=False),
        sa.Column("icp_version_id", sa.Integer(), nullable=True),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("finalised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("draft_icp_version_id", sa.Integer(), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_icp_version_id"],
            ["icp_versions.id"],
            name=op.f("fk_reviews_draft_icp_version_id_icp_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["icp_version_id"], ["icp_versions.id"], name=op.f("fk_reviews_icp_version_id_icp_versions")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["reviews.id"], name=op.f("fk_reviews_supersedes_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("period", "revision", name=op.f("uq_reviews_period")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_period"), ["period"], unique=False)
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("trait", sa.String(length=80), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("deciders", sa.String(length=400), nullable=False),
        sa.Column("revisit_on", sa.Date(), nullable=True),
        sa.Column("recommendation", sa.String(length=24), nullable=True),
        sa.Column("ready", sa.String(length=16), nullable=True),
        sa.Column("against_evidence", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_decisions_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decisions")),
        sa.UniqueConstraint("review_id", "trait", "value", name=op.f("uq_review_decisions_review_id")),
    )
    with op.batch_alter_table("review_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_decisions_review_id"), ["review_id"], unique=False)
    with op.batch_alter_table("icp_criteria", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_icp_criteria_graduation_decision_id_review_decisions"),
            "review_decisions",
            ["graduation_decision_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("icp_criteria", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_icp_criteria_graduation_decision_id_review_decisions"), type_="foreignkey"
        )
    with op.batch_alter_table("review_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_decisions_review_id"))
    op.drop_table("review_decisions")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_period"))
    op.drop_table("reviews")
