"""Schema migrations (Alembic): one history for SQLite and PostgreSQL, run by ``create_app`` at start.

Revision 0001 is the schema the server had before Alembic (its own
``schema_migrations`` table at version 5): such a database is stamped with
0001, then upgraded like any other. An empty database is upgraded from
nothing. Everything runs in one write transaction, so server processes
starting together on one database migrate it once.

A change to the schema is a new file in versions/ (script.py.mako is its
template) whose down_revision is the current head, plus the same change in
schema.py: tests/test_migrations.py checks that the head equals schema.py on both engines.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from server_stub.db import write_transaction

BASELINE = "0001_baseline"
# The versions of the schema_migrations table the server kept before Alembic; 5 is revision 0001.
LEGACY_VERSIONS = {1, 2, 3, 4, 5}


class SchemaError(RuntimeError):
    """The database's schema is one this version of the server cannot use."""


def upgrade_database(engine: Engine) -> str:
    """Bring the database to the newest schema; return its revision."""
    with engine.connect() as connection, write_transaction(connection):
        config = _config(connection)
        script = ScriptDirectory.from_config(config)
        current = MigrationContext.configure(connection).get_current_revision()
        if current is None and _made_before_alembic(connection):
            command.stamp(config, BASELINE)
        elif current is not None and current not in {revision.revision for revision in script.walk_revisions()}:
            raise SchemaError(
                f"The database has schema revision {current!r}, made by a newer version of the central API; "
                f"this version knows up to {script.get_current_head()!r}. Run the newer version, or restore a backup."
            )
        command.upgrade(config, "head")
        return script.get_current_head()


def head_revision() -> str:
    """The newest schema revision this code knows."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _made_before_alembic(connection: Connection) -> bool:
    if not inspect(connection).has_table("schema_migrations"):
        return False
    versions = {row.version for row in connection.execute(text("SELECT version FROM schema_migrations"))}
    if versions != LEGACY_VERSIONS:
        raise SchemaError(
            f"The database has the old schema version {max(versions, default=0)}; this version of the central API "
            f"upgrades only from version {max(LEGACY_VERSIONS)}. Start the previous release on it once first."
        )
    return True
