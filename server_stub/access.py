"""Who may see and change which homes' records.

The signed-in account decides; home ids in a request are never trusted for
this. Today every account is a home manager scoped to its own home; other
roles (commissioners, digital champions) will widen ``homes_in_scope``.
"""

from __future__ import annotations

from protocol.sync import Account

HOME_MANAGER = "home_manager"


def homes_in_scope(account: Account) -> frozenset[str]:
    """The homes whose records this account may read and change."""
    if account.role == HOME_MANAGER and account.home_id:
        return frozenset({account.home_id})
    return frozenset()


def may_read_home(account: Account, home_id: str) -> bool:
    return home_id in homes_in_scope(account)


def may_change_home(account: Account, home_id: str) -> bool:
    return home_id in homes_in_scope(account)
