"""The area view: the homes index grows what search, the stale list and the overview need; bed counts per
home, bed state history, directory imports and ICB decisions.

The new index columns are filled by repository.rebuild_area_index at start (from the records), not here:
one place derives them.

Revision ID: 0004_area_view
Revises: 0003_token_families
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_area_view"
down_revision = "0003_token_families"
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    for name, type_ in (("name", sa.Text), ("icb_name", sa.Text), ("postcode", sa.Text),
                        ("postcode_district", sa.Text), ("latitude", sa.Float), ("longitude", sa.Float),
                        ("phone", sa.Text), ("manager_name", sa.Text), ("cqc_rating", sa.Text),
                        ("cqc_rating_date", sa.Text), ("deregistered_on", sa.Text), ("confirmed_at", sa.Text),
                        ("dspt", sa.Text), ("nhsmail", sa.Text), ("band", sa.Text)):
        op.add_column("homes", sa.Column(name, type_))
    for name, default in (("registered", "1"), ("awaiting_icb", "0"), ("closed_to_admissions", "0")):
        op.add_column("homes", sa.Column(name, sa.Integer, nullable=False, server_default=sa.text(default)))
    op.add_column("homes", sa.Column("funding", sa.Text, nullable=False, server_default=sa.text("''")))
    op.create_index("homes_confirmed_at", "homes", ["confirmed_at"])
    op.create_index("homes_postcode_district", "homes", ["postcode_district"])
    op.create_table(
        "home_beds",
        sa.Column("home_id", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("max_capacity", sa.Integer, nullable=False),
        sa.Column("occupied", sa.Integer, nullable=False),
        sa.Column("vacant_reserved", sa.Integer, nullable=False),
        sa.Column("vacant_accepting", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("home_id", "category"),
    )
    op.create_index("home_beds_category_vacant", "home_beds", ["category", "vacant_accepting"])
    op.create_table(
        "bed_history",
        sa.Column("id", SERIAL, sa.Identity(always=True), primary_key=True),
        sa.Column("home_id", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("max_capacity", sa.Integer, nullable=False),
        sa.Column("occupied", sa.Integer, nullable=False),
        sa.Column("vacant_reserved", sa.Integer, nullable=False),
        sa.Column("vacant_accepting", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Integer, nullable=False, server_default=sa.text("0")),
        sqlite_autoincrement=True,
    )
    op.create_index("bed_history_home_at", "bed_history", ["home_id", "at"])
    op.create_index("bed_history_at", "bed_history", ["at"])
    op.create_table(
        "directory_imports",
        sa.Column("id", SERIAL, sa.Identity(always=True), primary_key=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("by", sa.Text),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "icb_decisions",
        sa.Column("home_id", sa.Text, primary_key=True),
        sa.Column("icb_code", sa.Text, nullable=False),
        sa.Column("decided_by", sa.Text, nullable=False),
        sa.Column("decided_at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("the central API's schema only moves forward")
