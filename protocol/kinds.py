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

from domain.alerts import Alert, AlertReceipt
from domain.beds import BedCount, HomeStatus
from domain.home_settings import HomeSettings
from domain.homes import CareHome
from domain.nhsmail import NhsmailProgress
from domain.outbreak import Outbreak
from domain.readiness import (
    Broadband,
    DeviceProvision,
    DigitalSocialCareRecord,
    DsptStatus,
    GpRecordAccess,
    WifiSurveyResult,
)
from domain.residents import Resident
from domain.sharing import SharingChoices
from domain.transfer import Transfer
from domain.workforce import Workforce
from protocol.accounts import Role


class ConflictRule(StrEnum):
    # Refuse a change made on an older version that another device has since
    # replaced: its author is told and can re-confirm (bed counts).
    REJECT_STALE = "reject_stale"
    # Each arrival replaces the record (confirmations: the newest one counts).
    LAST_ARRIVAL_WINS = "last_arrival_wins"
    # Only the central API writes it (the CQC directory).
    SERVER_ONLY = "server_only"
    # Like REJECT_STALE on the server; the device keeps its losing version beside the server's until a
    # person chooses (free text such as "About me" is never merged silently).
    KEEP_BOTH = "keep_both"


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
    # Special-category personal data: encrypted at rest on the device, every server read audited.
    sensitive: bool = False


def _own_record_id(model) -> str:
    return model.record_id


def _own_home_id(model) -> str:
    return model.home_id


_READINESS_EDITORS = frozenset({Role.HOME_STAFF, Role.HOME_MANAGER, Role.DIGITAL_CHAMPION})

RECORD_KINDS: dict[str, RecordKind] = {
    kind.name: kind
    for kind in (
        RecordKind("care_home", CareHome, lambda m: m.cqc_location_id, lambda m: m.cqc_location_id, ConflictRule.SERVER_ONLY),
        # A category entered by mistake can be removed.
        RecordKind("bed_count", BedCount, lambda m: m.record_id, lambda m: m.home_id, ConflictRule.REJECT_STALE,
                   devices_may_delete=True),
        # Funding accepted, corrected bed categories, who to ask for: the home's manager keeps them.
        RecordKind("home_settings", HomeSettings, _own_record_id, _own_home_id, ConflictRule.LAST_ARRIVAL_WINS,
                   editors=frozenset({Role.HOME_MANAGER})),
        # Who beyond its commissioners may see the home's data (docs/security.md): its manager decides.
        RecordKind("sharing", SharingChoices, _own_record_id, _own_home_id, ConflictRule.LAST_ARRIVAL_WINS,
                   editors=frozenset({Role.HOME_MANAGER})),
        RecordKind("home_status", HomeStatus, lambda m: m.home_id, lambda m: m.home_id, ConflictRule.LAST_ARRIVAL_WINS),
        # Staff headcounts, saved with the bed counts by whoever updates the beds: the newest count is the truth.
        RecordKind("workforce", Workforce, _own_record_id, _own_home_id, ConflictRule.LAST_ARRIVAL_WINS),
        # An infection outbreak: the home's manager marks it, records new cases and closes it.
        RecordKind("outbreak", Outbreak, _own_record_id, _own_home_id, ConflictRule.LAST_ARRIVAL_WINS,
                   editors=frozenset({Role.HOME_MANAGER})),
        # Digital readiness: the home's staff and its digital champions keep it. A checklist item or the
        # NHSmail progress edited on an older version is refused, like a bed count; survey results and
        # device deliveries are each a record of their own (they never collide) and can be removed.
        *(
            RecordKind(name, model, _own_record_id, _own_home_id, ConflictRule.REJECT_STALE, editors=_READINESS_EDITORS)
            for name, model in (
                ("broadband", Broadband),
                ("dspt_status", DsptStatus),
                ("gp_record_access", GpRecordAccess),
                ("social_care_record", DigitalSocialCareRecord),
                ("nhsmail_progress", NhsmailProgress),
            )
        ),
        *(
            RecordKind(name, model, _own_record_id, _own_home_id, ConflictRule.LAST_ARRIVAL_WINS,
                       devices_may_delete=True, editors=_READINESS_EDITORS)
            for name, model in (("wifi_result", WifiSurveyResult), ("device_provision", DeviceProvision))
        ),
        # The red bag: special-category personal data, for the resident's home only (hospital users read
        # active transfers to their hospital through the API, never through sync). Free text lost in a
        # conflict is never dropped: the device keeps both versions for a person to choose.
        RecordKind("resident", Resident, _own_record_id, _own_home_id, ConflictRule.KEEP_BOTH, sensitive=True),
        RecordKind("transfer", Transfer, _own_record_id, _own_home_id, ConflictRule.KEEP_BOTH, sensitive=True),
        # Alerts and notices (docs/sync.md): one copy per home it was sent to, written by the central API only
        # (POST /alerts); the home's staff answer each with a receipt, merged on the server (once read or
        # acknowledged, always so; its times the server's clock). Both ids are "<alert id>/<home id>".
        RecordKind("alert", Alert, _own_record_id, _own_home_id, ConflictRule.SERVER_ONLY),
        RecordKind("alert_ack", AlertReceipt, _own_record_id, _own_home_id, ConflictRule.LAST_ARRIVAL_WINS),
    )
}


def kind_of(name: str) -> RecordKind:
    try:
        return RECORD_KINDS[name]
    except KeyError:
        raise ValueError(f"unknown record kind {name!r}") from None


def home_of_record_id(record_id: str) -> str:
    """The home a record id belongs to: every id is its home's id ("1-123") or starts with it and a slash.

    Except alerts and their receipts ("<alert id>/<home id>"), which devices never delete: only deletes use this.
    """
    return record_id.partition("/")[0]
