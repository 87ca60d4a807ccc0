"""Homes by position: a bed search ordered by distance reads the homes in a box around its origin.

Revision ID: 0005_home_positions
Revises: 0004_area_view
Create Date: 2026-12-02
"""

from alembic import op

revision = "0005_home_positions"
down_revision = "0004_area_view"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("homes_position", "homes", ["latitude", "longitude"])


def downgrade() -> None:
    raise NotImplementedError("the central API's schema only moves forward")
