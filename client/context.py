"""The composition root: builds the app's parts once and wires them together.

Nothing else constructs a store, a session or a sync engine; views receive
this context and take what they need from it. The store's sync half goes to
the engine only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from client.credentials import CredentialStore
from client.document_links import DocumentLinks
from client.session import SessionManager
from client.store import LocalStore, default_data_dir, open_device_store
from client.store.paths import REPORTS_DIR
from client.sync import SyncEngine


@dataclass
class AppContext:
    store: LocalStore
    credentials: CredentialStore
    session: SessionManager
    engine: SyncEngine
    document_links: DocumentLinks = field(default_factory=DocumentLinks)  # web mode's one-time document links

    def close(self) -> None:
        self.store.close()


def build_context(server_url: str, data_dir: str | Path | None = None, *, poll_interval: float = 15.0,
                  page_size: int = 500) -> AppContext:
    directory = default_data_dir(data_dir)
    # One database, two halves: screens take the store, only the engine takes the sync half.
    store, sync = open_device_store(directory)
    credentials = CredentialStore()
    session = SessionManager(store, credentials, default_server_url=server_url,
                             documents_dir=directory / REPORTS_DIR)
    engine = SyncEngine(sync, session, poll_interval=poll_interval, page_size=page_size)
    return AppContext(store=store, credentials=credentials, session=session, engine=engine)
