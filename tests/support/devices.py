"""In-process devices (store + session + sync engine) for tests against a real central API process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from client.credentials import CredentialStore
from client.session import ApiFactory, SessionManager
from client.state.bed_state import BedStateScreen
from client.store import LocalStore, open_device_store
from client.sync import CentralApi, SyncEngine


@dataclass
class Device:
    store: LocalStore
    session: SessionManager
    engine: SyncEngine

    def screen(self, home_id: str) -> BedStateScreen:
        return BedStateScreen(self.store, home_id, on_saved=self.engine.local_change)

    def close(self) -> None:
        self.store.close()


def make_device(
    data_dir: Path,
    server_url: str,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    api_factory: ApiFactory | None = None,
    **engine_options,
) -> Device:
    store, sync = open_device_store(data_dir, now=now)
    session = SessionManager(store, CredentialStore(), server_url,
                             api_factory=api_factory or (lambda url, token: CentralApi(url, token)))
    return Device(store, session, SyncEngine(sync, session, now=now, **engine_options))
