"""Which hospital each transfer is going to (so a hospital reads only its own); schema_migrations retired.

Revision ID: 0002_transfer_destinations
Revises: 0001_baseline
Create Date: 2026-12-01
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0002_transfer_destinations"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    destinations = op.create_table(
        "transfer_destinations",
        sa.Column("record_id", sa.Text, primary_key=True),
        sa.Column("hospital_ods", sa.Text, nullable=False),
    )
    op.create_index("transfer_destinations_hospital_ods", "transfer_destinations", ["hospital_ods"])
    # Backfill from the stored transfers; in Python, as the two engines read JSON differently.
    transfers = op.get_bind().execute(sa.text("SELECT id, data FROM records WHERE kind = 'transfer' AND deleted = 0"))
    rows = []
    for record_id, data in transfers:
        hospital = json.loads(data).get("destination_hospital") or {}
        if hospital.get("ods_code"):
            rows.append({"record_id": record_id, "hospital_ods": hospital["ods_code"]})
    if rows:
        op.bulk_insert(destinations, rows)
    # The server's own migration table from before Alembic (alembic_version replaces it).
    op.execute("DROP TABLE IF EXISTS schema_migrations")


def downgrade() -> None:
    raise NotImplementedError("the central API's schema only moves forward")
