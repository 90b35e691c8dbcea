"""accounts, archetypes, traits, contacts, saved views, import jobs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:50:45.718809
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BUILTIN_ARCHETYPES = (
    (
        "Tech enthusiast",
        "Tries everything new, gives feedback and testimonials generously, but gets bored quickly.",
    ),
    ("Underdog supporter", "Backs innovation and new vendors on principle; usually has a small budget."),
    ("Game changer", "The rebel inside a company who uses new tools to improve how things are done."),
    (
        "Digital transformer",
        "Drives a digital transition, often as an outside consultant; brings several clients along.",
    ),
    (
        "Visionary founder",
        "A charismatic founder who opens doors and spreads the word, but may pull you off course.",
    ),
)


def upgrade() -> None:
    archetypes = op.create_table(
        "archetypes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archetypes")),
        sa.UniqueConstraint("name", name=op.f("uq_archetypes_name")),
    )
    op.create_table(
        "trait_definitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("allowed_values", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("externally_observable", sa.Boolean(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trait_definitions")),
        sa.UniqueConstraint("key", name=op.f("uq_trait_definitions_key")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=True),
        sa.Column("industry", sa.String(length=120), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("annual_revenue", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("founded_year", sa.Integer(), nullable=True),
        sa.Column("country", sa.String(length=80), nullable=True),
        sa.Column("region", sa.String(length=80), nullable=True),
        sa.Column("acquisition_channel", sa.String(length=80), nullable=True),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("converted_on", sa.Date(), nullable=True),
        sa.Column("churned_on", sa.Date(), nullable=True),
        sa.Column("contract_value", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("referrals", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_accounts_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("domain", name=op.f("uq_accounts_domain")),
        sa.UniqueConstraint("name_key", name=op.f("uq_accounts_name_key")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index("ix_accounts_acquisition_channel", ["acquisition_channel"], unique=False)
        batch_op.create_index("ix_accounts_archived_name", ["archived_at", "name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_employees"), ["employees"], unique=False)
        batch_op.create_index("ix_accounts_industry", ["industry"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_region"), ["region"], unique=False)
        batch_op.create_index("ix_accounts_stage", ["stage"], unique=False)

    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("preset", sa.String(length=20), nullable=False),
        sa.Column("date_format", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_import_jobs_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_import_jobs_stored_name")),
    )
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_jobs_user_id"), ["user_id"], unique=False)

    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_saved_views_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_saved_views_user_id")),
    )
    op.create_table(
        "account_archetypes",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("archetype_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_archetypes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["archetype_id"], ["archetypes.id"], name=op.f("fk_account_archetypes_archetype_id_archetypes")
        ),
        sa.PrimaryKeyConstraint("account_id", "archetype_id", name=op.f("pk_account_archetypes")),
    )
    with op.batch_alter_table("account_archetypes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_archetypes_archetype_id"), ["archetype_id"], unique=False
        )

    op.create_table(
        "account_traits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_traits_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["trait_definitions.id"],
            name=op.f("fk_account_traits_definition_id_trait_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_traits")),
        sa.UniqueConstraint(
            "account_id", "definition_id", "value", name=op.f("uq_account_traits_account_id")
        ),
    )
    with op.batch_alter_table("account_traits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_traits_account_id"), ["account_id"], unique=False)
        batch_op.create_index("ix_account_traits_definition_value", ["definition_id", "value"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=True),
        sa.Column("dmu_role", sa.String(length=20), nullable=False),
        sa.Column("archetype_id", sa.Integer(), nullable=True),
        sa.Column("is_champion", sa.Boolean(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_contacts_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["archetype_id"], ["archetypes.id"], name=op.f("fk_contacts_archetype_id_archetypes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_account_id"), ["account_id"], unique=False)

    now = datetime.now(UTC)
    op.bulk_insert(
        archetypes,
        [
            {
                "name": name,
                "description": text,
                "builtin": True,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for name, text in BUILTIN_ARCHETYPES
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_account_id"))

    op.drop_table("contacts")
    with op.batch_alter_table("account_traits", schema=None) as batch_op:
        batch_op.drop_index("ix_account_traits_definition_value")
        batch_op.drop_index(batch_op.f("ix_account_traits_account_id"))

    op.drop_table("account_traits")
    with op.batch_alter_table("account_archetypes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_archetypes_archetype_id"))

    op.drop_table("account_archetypes")
    op.drop_table("saved_views")
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_jobs_user_id"))

    op.drop_table("import_jobs")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_stage")
        batch_op.drop_index(batch_op.f("ix_accounts_region"))
        batch_op.drop_index(batch_op.f("ix_accounts_owner_id"))
        batch_op.drop_index("ix_accounts_industry")
        batch_op.drop_index(batch_op.f("ix_accounts_employees"))
        batch_op.drop_index(batch_op.f("ix_accounts_country"))
        batch_op.drop_index("ix_accounts_archived_name")
        batch_op.drop_index("ix_accounts_acquisition_channel")

    op.drop_table("accounts")
    op.drop_table("trait_definitions")
    op.drop_table("archetypes")
