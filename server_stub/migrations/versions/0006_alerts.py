"""Alerts and notices: what each sender sent, and to which homes (their copies and receipts are records).

Revision ID: 0006_alerts
Revises: 0005_home_positions
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_alerts"
down_revision = "0005_home_positions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.Text(), primary_key=True),
        sa.Column("sent_by", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.Text(), nullable=False),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("reminded_at", sa.Text()),
    )
    op.create_index("alerts_sent_by_at", "alerts", ["sent_by", "sent_at"])
    op.create_table(
        "alert_homes",
        sa.Column("alert_id", sa.Text(), sa.ForeignKey("alerts.alert_id", ondelete="CASCADE"), nullable=False),
        sa.Column("home_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("alert_id", "home_id"),
    )


def downgrade() -> None:
    raise NotImplementedError("the central API's schema only moves forward")
