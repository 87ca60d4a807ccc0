"""Who may see and change which homes' records.

The signed-in account decides; home ids in a request are never trusted for
this. A home manager's scope is her home; a commissioner reads every home in
an area (a local authority, an ICB, an NHS region, or all of England) and
changes none. Issue 4 adds the remaining roles and writes the table in
docs/security.md.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from protocol.sync import Account

HOME_MANAGER = "home_manager"
COMMISSIONER = "commissioner"

# area strings: "england", "region:<NHS region name>", "icb:<ICB ODS code>", "la:<local authority name>"
AREA_COLUMNS = {"region": "region", "icb": "icb_code", "la": "local_authority"}


@dataclass(frozen=True)
class Scope:
    """The homes an account may read: a set of homes, an area of the homes index, or nothing."""

    home_ids: frozenset[str] = frozenset()
    area_column: str | None = None  # a column of the homes table
    area_value: str | None = None
    everything: bool = False

    @property
    def empty(self) -> bool:
        return not (self.home_ids or self.area_column or self.everything)


def scope_of(account: Account) -> Scope:
    if account.role == HOME_MANAGER and account.home_id:
        return Scope(home_ids=frozenset({account.home_id}))
    if account.role == COMMISSIONER and account.area:
        if account.area == "england":
            return Scope(everything=True)
        prefix, _, value = account.area.partition(":")
        if prefix in AREA_COLUMNS and value:
            return Scope(area_column=AREA_COLUMNS[prefix], area_value=value)
    return Scope()


def may_read_home(connection: sqlite3.Connection, account: Account, home_id: str) -> bool:
    scope = scope_of(account)
    if scope.everything or home_id in scope.home_ids:
        return True
    if scope.area_column is None:
        return False
    row = connection.execute(f"SELECT {scope.area_column} FROM homes WHERE home_id = ?", (home_id,)).fetchone()
    return row is not None and row[0] == scope.area_value


def may_change_home(account: Account, home_id: str) -> bool:
    """Only a home's own staff change its records."""
    return account.role == HOME_MANAGER and account.home_id == home_id
