"""ICP versions and criteria.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "icp_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_icp_versions")),
        sa.UniqueConstraint("number", name=op.f("uq_icp_versions_number")),
    )
    with op.batch_alter_table("icp_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_icp_versions_status"), ["status"], unique=False)
    op.create_table(
        "icp_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("icp_version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("trait", sa.String(length=80), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=True),
        sa.Column("min_value", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("max_value", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("exclude", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("graduation_decision_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["icp_version_id"], ["icp_versions.id"], name=op.f("fk_icp_criteria_icp_version_id_icp_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_icp_criteria")),
    )
    with op.batch_alter_table("icp_criteria", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_icp_criteria_icp_version_id"), ["icp_version_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("icp_criteria", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_icp_criteria_icp_version_id"))
    op.drop_table("icp_criteria")
    with op.batch_alter_table("icp_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_icp_versions_status"))
    op.drop_table("icp_versions")
