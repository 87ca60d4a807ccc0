"""The homes index carries whether a home shares its digital readiness for research (the research export).

Homes may have chosen already (their "sharing" records, since 0009): forgetting the index's day has the server
re-read every home's records into the index at its next start (area_repository.bring_index_up_to_date), which
fills the new column from those choices.

Revision ID: 0010_research_readiness
Revises: 0009_sharing_choices
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_research_readiness"
down_revision = "0009_sharing_choices"
branch_labels = None
depends_on = None

INDEX_DAY = "area_index_day"  # area_repository.INDEX_DAY at this revision (a migration never changes with the code)


def upgrade() -> None:
    op.add_column("homes", sa.Column("shares_readiness_for_research", sa.Integer(), nullable=False,
                                     server_default=sa.text("0")))
    server_state = sa.table("server_state", sa.column("key", sa.Text))
    op.execute(server_state.delete().where(server_state.c.key == INDEX_DAY))


def downgrade() -> None:
    raise NotImplementedError("the central API's schema only moves forward")
