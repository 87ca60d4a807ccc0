"""A digital champion's list of homes on this device, most urgent first (UI-free).

The order and each row's reason are the domain's (``domain.home_list``); this
screen reads the account's homes from the store and asks it at the clock's now.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from client.state.readiness import load_checklist
from client.store import LocalStore
from domain.home_list import BLOCKED, CLOCK_RUNNING, OTHER, HomeRow, home_row, in_attention_order
from protocol import Account

__all__ = ["BLOCKED", "CLOCK_RUNNING", "OTHER", "HomeList", "HomeRow"]


def _home_ids(store: LocalStore, account: Account) -> list[str]:
    """The account's homes that are on this device: a champion's assigned homes, else the account's home."""
    wanted = list(account.assigned_homes) or ([account.home_id] if account.home_id else [])
    on_device = {r.id for r in store.records("care_home")}
    return [h for h in wanted if h in on_device]


class HomeList:
    def __init__(self, store: LocalStore, account: Account, now: Callable[[], datetime] | None = None) -> None:
        self.store, self.account = store, account
        self._now = now or store.server_now
        self.rows: list[HomeRow] = []
        self.reload()

    def reload(self) -> None:
        now = self._now()
        self.rows = in_attention_order(home_row(load_checklist(self.store, home_id), home_id, now)
                                       for home_id in _home_ids(self.store, self.account))

    @property
    def expected(self) -> int:
        """How many homes the account has (some may not be on this device yet)."""
        return len(self.account.assigned_homes) or (1 if self.account.home_id else 0)

    @property
    def heading(self) -> str:
        if not self.rows and self.expected:
            return "Your homes arrive with the first sync..."
        return f"Your homes ({len(self.rows)}), what needs attention first"
