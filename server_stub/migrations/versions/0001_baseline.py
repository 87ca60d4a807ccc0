"""The schema before Alembic (the server's own migrations 1 to 5): accounts, sessions, records, homes, audit log.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-01

Frozen: never edit it; change the schema in a new revision.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite numbers rows only on INTEGER PRIMARY KEY


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("username", sa.Text, primary_key=True),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("home_id", sa.Text),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("area", sa.Text),
        sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("locked_until", sa.Text),
        sa.Column("hospital_ods", sa.Text),
    )
    for table in ("sessions", "refresh_tokens"):
        op.create_table(
            table,
            sa.Column("token_hash", sa.Text, primary_key=True),
            sa.Column("username", sa.Text, sa.ForeignKey("accounts.username", ondelete="CASCADE"), nullable=False),
            sa.Column("expires_at", sa.Text, nullable=False),
        )
        op.create_index(f"{table}_expires_at", table, ["expires_at"])
    op.create_table(
        "records",
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("home_id", sa.Text, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.Column("deleted", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("updated_by_device", sa.Text),
        sa.PrimaryKeyConstraint("kind", "id"),
        sa.UniqueConstraint("version"),
    )
    op.create_index("records_home_version", "records", ["home_id", "version"])
    op.create_index("records_tombstones", "records", ["deleted", "updated_at"])
    op.create_table(
        "change_seq",
        sa.Column("seq", SERIAL, primary_key=True, autoincrement=True),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "applied_mutations",
        sa.Column("mutation_id", sa.Text, primary_key=True),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("device_id", sa.Text, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("applied_at", sa.Text, nullable=False),
    )
    op.create_table(
        "server_state",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "homes",
        sa.Column("home_id", sa.Text, primary_key=True),
        sa.Column("local_authority", sa.Text),
        sa.Column("icb_code", sa.Text),
        sa.Column("region", sa.Text),
    )
    for column in ("local_authority", "icb_code", "region"):
        op.create_index(f"homes_{column}", "homes", [column])
    op.create_table(
        "sign_in_attempts",
        sa.Column("client", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
    )
    op.create_index("sign_in_attempts_client_at", "sign_in_attempts", ["client", "at"])
    op.create_table(
        "champion_homes",
        sa.Column("username", sa.Text, sa.ForeignKey("accounts.username", ondelete="CASCADE"), nullable=False),
        sa.Column("home_id", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("username", "home_id"),
    )
    op.create_table(
        "one_time_codes",
        sa.Column("code_hash", sa.Text, primary_key=True),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("username", sa.Text),
        sa.Column("home_id", sa.Text),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Text, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", SERIAL, sa.Identity(always=True), primary_key=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("actor", sa.Text),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("subject", sa.Text),
        sa.Column("detail", sa.Text),
        sqlite_autoincrement=True,
    )
    op.create_index("audit_log_subject", "audit_log", ["subject"])


def downgrade() -> None:
    raise NotImplementedError("the central API's schema only moves forward")
