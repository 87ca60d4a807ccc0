"""Token families (sign-out and refresh-token reuse end one sign-in's tokens); rate limits beyond sign-in.

Revision ID: 0003_token_families
Revises: 0002_transfer_destinations
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_token_families"
down_revision = "0002_transfer_destinations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("sessions", "refresh_tokens"):
        op.add_column(table, sa.Column("family", sa.Text))
        # A token from before families is a family of its own: it still works, and ends alone.
        op.execute(f"UPDATE {table} SET family = token_hash")
        # Batch mode: SQLite cannot make a column NOT NULL in place (it copies the table).
        with op.batch_alter_table(table) as batch:
            batch.alter_column("family", existing_type=sa.Text, nullable=False)
        op.create_index(f"{table}_family", table, ["family"])
    op.add_column("refresh_tokens", sa.Column("spent_at", sa.Text))
    # Sign-in attempts of the last minute become one table for every rate-limited request; nothing worth keeping.
    op.drop_index("sign_in_attempts_client_at", table_name="sign_in_attempts")
    op.drop_table("sign_in_attempts")
    op.create_table(
        "rate_limited_requests",
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("client", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
    )
    op.create_index("rate_limited_requests_action_client_at", "rate_limited_requests", ["action", "client", "at"])


def downgrade() -> None:
    raise NotImplementedError("the central API's schema only moves forward")
