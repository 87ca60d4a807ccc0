"""The device's own SQLite database: records, the outbox and sync state."""

from client.store.database import LocalStore, open_store
from client.store.paths import default_data_dir

__all__ = ["LocalStore", "open_store", "default_data_dir"]
