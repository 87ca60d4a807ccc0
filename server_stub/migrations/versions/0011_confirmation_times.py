"""When the central API last heard from each device: the lower bound of a confirmation's time.

A confirmation made offline at 09:00 that arrives at 11:00 is recorded as made at 09:00 (the device's clock
corrected by its measured offset), but never before the device's last contact with the central API nor after
its arrival (docs/sync.md). Both times live in the home_status record's data (``confirmed_at``,
``received_at``); this table keeps the last contact.

Revision ID: 0011_confirmation_times
Revises: 0010_research_readiness
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_confirmation_times"
down_revision = "0010_research_readiness"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_contacts",
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("last_contact_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "username"),
    )


def downgrade() -> None:
    raise NotImplementedError("the central API's schema only moves forward")
