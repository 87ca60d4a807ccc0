"""Workforce and outbreaks in the homes index: the area overview sums the headcounts and counts the homes in
an outbreak in SQL; search results say which homes have one.

Written by area_repository._write_index from the records (none exist before this revision: nothing to fill).

Revision ID: 0007_workforce
Revises: 0006_alerts
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_workforce"
down_revision = "0006_alerts"
branch_labels = None
depends_on = None

# domain.workforce.WORKFORCE_FIELDS at this revision (a migration never changes with the code).
WORKFORCE_COLUMNS = ("nurses_employed", "nurses_agency", "care_workers_employed", "care_workers_agency",
                     "non_care_employed", "non_care_agency", "absent_today")


def upgrade() -> None:
    op.add_column("homes", sa.Column("outbreak", sa.Text))
    for name in ("workforce_reported", *WORKFORCE_COLUMNS):
        op.add_column("homes", sa.Column(name, sa.Integer, nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    raise NotImplementedError("the central API's schema only moves forward")
