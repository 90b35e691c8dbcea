"""Import jobs have a kind: an account import, or a prospect list scored against an ICP version.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), server_default="accounts", nullable=False)
        )
        batch_op.add_column(sa.Column("icp_version_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_import_jobs_icp_version_id_icp_versions"),
            "icp_versions",
            ["icp_version_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_import_jobs_icp_version_id_icp_versions"), type_="foreignkey")
        batch_op.drop_column("icp_version_id")
        batch_op.drop_column("kind")
