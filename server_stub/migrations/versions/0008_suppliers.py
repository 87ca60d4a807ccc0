"""The supplier API: suppliers (other care record systems), the homes each serves, their API keys (digests
only) and their answered requests by Idempotency-Key.

Revision ID: 0008_suppliers
Revises: 0007_workforce
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_suppliers"
down_revision = "0007_workforce"
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "suppliers",
        sa.Column("id", SERIAL, sa.Identity(always=True), primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("registered_at", sa.Text, nullable=False),
        sa.Column("registered_by", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "supplier_homes",
        sa.Column("supplier_id", sa.BigInteger, sa.ForeignKey("suppliers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("home_id", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("supplier_id", "home_id"),
    )
    op.create_table(
        "supplier_keys",
        sa.Column("key_hash", sa.Text, primary_key=True),
        sa.Column("supplier_id", sa.BigInteger, sa.ForeignKey("suppliers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("issued_at", sa.Text, nullable=False),
        sa.Column("issued_by", sa.Text, nullable=False),
        sa.Column("revoked_at", sa.Text),
    )
    op.create_index("supplier_keys_supplier_id", "supplier_keys", ["supplier_id"])
    op.create_table(
        "supplier_requests",
        sa.Column("supplier_id", sa.BigInteger, sa.ForeignKey("suppliers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("idempotency_key", sa.Text, nullable=False),
        sa.Column("request_digest", sa.Text, nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("supplier_id", "idempotency_key"),
    )


def downgrade() -> None:
    raise NotImplementedError("the central API's schema only moves forward")
