"""A pull page of an area's records read from one index: (home_id, version, kind) instead of (home_id, version).

A commissioner's pull asks for her area's records after a cursor, oldest first, leaving out the kinds she may
not read. With (home_id, version) the database found each home's rows but had to read every remaining row of
the area (the whole row, its data too) to check the kind and sort them, for every page: about 100 ms a page
for a region of 3,000 homes, over and over in a first sync. With the kind in the index, the page's versions
are found and sorted from the index alone (repository.changes_since) and only the page's rows are read; the
count of what remains reads the index only.

At merge: this follows 0012_write_slots (the WRITE change's migration); on this branch it follows 0011.

Revision ID: 0013_records_pull_index
Revises: 0011_confirmation_times
Create Date: 2026-12-02
"""

from alembic import op

revision = "0013_records_pull_index"
down_revision = "0012_write_slots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("records_home_version_kind", "records", ["home_id", "version", "kind"])
    op.drop_index("records_home_version", table_name="records")


def downgrade() -> None:
    raise NotImplementedError("the central API's schema only moves forward")
