"""The homes index carries each home's sharing choices (issue 12, part 5): public counts, cross-boundary search.

No home has chosen yet, so every home starts at the national default: nothing beyond its commissioners.

Revision ID: 0009_sharing_choices
Revises: 0008_suppliers
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_sharing_choices"
down_revision = "0008_suppliers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name in ("shares_with_neighbours", "shares_publicly", "shares_for_research"):
        op.add_column("homes", sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0")))
    op.create_index("homes_shares_with_neighbours", "homes", ["shares_with_neighbours"])


def downgrade() -> None:
    raise NotImplementedError("the central API's schema only moves forward")
