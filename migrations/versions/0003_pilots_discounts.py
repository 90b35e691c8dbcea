"""pilots, criteria, amendments, milestones, discounts, give-to-get

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:12:43.437230
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pilots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("planned_end_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("list_price", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("pilot_price", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("price_reason", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("contract_value", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("converted_on", sa.Date(), nullable=True),
        sa.Column("criteria_frozen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_pilots_account_id_accounts")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_pilots_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pilots")),
    )
    with op.batch_alter_table("pilots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pilots_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pilots_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_pilots_start_date", ["start_date"], unique=False)
        batch_op.create_index("ix_pilots_status_planned_end", ["status", "planned_end_date"], unique=False)

    op.create_table(
        "discounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("list_price", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("effective_price", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("value", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("depth", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_discounts_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"], ["users.id"], name=op.f("fk_discounts_granted_by_id_users")
        ),
        sa.ForeignKeyConstraint(["pilot_id"], ["pilots.id"], name=op.f("fk_discounts_pilot_id_pilots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discounts")),
    )
    with op.batch_alter_table("discounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_discounts_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_discounts_pilot_id"), ["pilot_id"], unique=False)
        batch_op.create_index("ix_discounts_starts_on", ["starts_on"], unique=False)

    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("owner_name", sa.String(length=120), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pilot_id"], ["pilots.id"], name=op.f("fk_milestones_pilot_id_pilots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
    )
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestones_pilot_id"), ["pilot_id"], unique=False)

    op.create_table(
        "success_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("metric", sa.String(length=120), nullable=False),
        sa.Column("target", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("actual", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("met", sa.Boolean(), nullable=True),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pilot_id"], ["pilots.id"], name=op.f("fk_success_criteria_pilot_id_pilots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_success_criteria")),
    )
    with op.batch_alter_table("success_criteria", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_success_criteria_pilot_id"), ["pilot_id"], unique=False)

    op.create_table(
        "criterion_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("amended_by_id", sa.Integer(), nullable=True),
        sa.Column("amended_by_label", sa.String(length=254), nullable=False),
        sa.Column("amended_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["amended_by_id"], ["users.id"], name=op.f("fk_criterion_amendments_amended_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["success_criteria.id"],
            name=op.f("fk_criterion_amendments_criterion_id_success_criteria"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criterion_amendments")),
    )
    with op.batch_alter_table("criterion_amendments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_criterion_amendments_criterion_id"), ["criterion_id"], unique=False
        )

    op.create_table(
        "give_gets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("discount_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("fulfilled_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["discount_id"], ["discounts.id"], name=op.f("fk_give_gets_discount_id_discounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_give_gets")),
    )
    with op.batch_alter_table("give_gets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_give_gets_discount_id"), ["discount_id"], unique=False)
        batch_op.create_index("ix_give_gets_open_due", ["fulfilled_on", "due_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("give_gets", schema=None) as batch_op:
        batch_op.drop_index("ix_give_gets_open_due")
        batch_op.drop_index(batch_op.f("ix_give_gets_discount_id"))

    op.drop_table("give_gets")
    with op.batch_alter_table("criterion_amendments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_criterion_amendments_criterion_id"))

    op.drop_table("criterion_amendments")
    with op.batch_alter_table("success_criteria", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_success_criteria_pilot_id"))

    op.drop_table("success_criteria")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestones_pilot_id"))

    op.drop_table("milestones")
    with op.batch_alter_table("discounts", schema=None) as batch_op:
        batch_op.drop_index("ix_discounts_starts_on")
        batch_op.drop_index(batch_op.f("ix_discounts_pilot_id"))
        batch_op.drop_index(batch_op.f("ix_discounts_account_id"))

    op.drop_table("discounts")
    with op.batch_alter_table("pilots", schema=None) as batch_op:
        batch_op.drop_index("ix_pilots_status_planned_end")
        batch_op.drop_index("ix_pilots_start_date")
        batch_op.drop_index(batch_op.f("ix_pilots_owner_id"))
        batch_op.drop_index(batch_op.f("ix_pilots_account_id"))

    op.drop_table("pilots")
