"""Record versions from a PostgreSQL sequence: writers of different homes no longer wait for one another.

Until now every write took one lock, so a table (change_seq) could hand out versions: a row inserted and the
older one deleted, under that lock. Writers now run at once (one lock per home, server_stub/db.py), so on
PostgreSQL versions come from a real SEQUENCE (nextval takes no row lock) and the pull cursor is kept safe by
version slots (docs/sync.md, "How the cursor stays safe without one global lock"). The sequence goes on from
the highest number change_seq or a record ever had, so no version is handed out twice. change_seq stays (one
schema for both engines) but is empty and unused on PostgreSQL. SQLite keeps change_seq: one writer at a time.

Revision ID: 0012_write_slots
Revises: 0011_confirmation_times
Create Date: 2026-12-02
"""

from alembic import op

revision = "0012_write_slots"
down_revision = "0011_confirmation_times"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE SEQUENCE record_versions AS bigint")
    op.execute(
        "SELECT setval('record_versions', highest) FROM ("
        " SELECT GREATEST((SELECT COALESCE(MAX(seq), 0) FROM change_seq),"
        "                 (SELECT COALESCE(MAX(version), 0) FROM records)) AS highest) AS found "
        "WHERE highest > 0")
    op.execute("DELETE FROM change_seq")


def downgrade() -> None:
    raise NotImplementedError("the central API's schema only moves forward")
