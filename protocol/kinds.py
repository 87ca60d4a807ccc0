"""Every kind of record that syncs, and the rule that settles its conflicts.

The sync engine (client and server) is generic: it moves ``Record`` rows of
any kind listed here. Adding a kind means adding its data model, its record id
and home scope, and its conflict rule (see docs/sync.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Callable

from pydantic import BaseModel

from domain.beds import BedCount, HomeStatus
from protocol.accounts import Role
from domain.homes import CareHome


class ConflictRule(StrEnum):
    # Refuse a change made on an older version that another device has since
    # replaced: its author is told and can re-confirm (bed counts).
    REJECT_STALE = "reject_stale"
    # Each arrival replaces the record (confirmations: the newest one counts).
    LAST_ARRIVAL_WINS = "last_arrival_wins"
    # Only the central API writes it (the CQC directory).
    SERVER_ONLY = "server_only"


@dataclass(frozen=True)
class RecordKind:
    name: str
    model: type[BaseModel]
    record_id: Callable[[BaseModel], str]
    home_id: Callable[[BaseModel], str]
    conflict_rule: ConflictRule
    # Whether devices may delete records of this kind (a tombstone is kept; see docs/sync.md).
    devices_may_delete: bool = False
    # Roles that may write it, each within its own scope (docs/security.md): a home's staff for their
    # home, a digital champion for the homes assigned to them.
    editors: frozenset[Role] = frozenset({Role.HOME_STAFF, Role.HOME_MANAGER})


RECORD_KINDS: dict[str, RecordKind] = {
    kind.name: kind
    for kind in (
        RecordKind("care_home", CareHome, lambda m: m.cqc_location_id, lambda m: m.cqc_location_id, ConflictRule.SERVER_ONLY),
        # A category entered by mistake can be removed.
        RecordKind("bed_count", BedCount, lambda m: m.record_id, lambda m: m.home_id, ConflictRule.REJECT_STALE,
                   devices_may_delete=True),
        RecordKind("home_status", HomeStatus, lambda m: m.home_id, lambda m: m.home_id, ConflictRule.LAST_ARRIVAL_WINS),
    )
}


def kind_of(name: str) -> RecordKind:
    try:
        return RECORD_KINDS[name]
    except KeyError:
        raise ValueError(f"unknown record kind {name!r}") from None
