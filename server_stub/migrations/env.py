"""Alembic's entry point: runs inside the write transaction server_stub.migrations opened."""

from alembic import context

from server_stub.schema import metadata

context.configure(connection=context.config.attributes["connection"], target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
