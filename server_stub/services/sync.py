"""Push and pull: the server half of the sync protocol (see docs/sync.md).

Push applies a batch in one write transaction, holding the locks of the homes it
names (server_stub/db.py): pushes for different homes run at once. Each mutation id is applied at
most once: its result (applied, conflict or rejected) is stored with its effect
in that transaction, and a retry gets the stored result back unchanged. A
refused mutation never stops the ones behind it.

What a device claims about authorship decides nothing: who changed a record
(``changed_by``) is stamped from the token's account, as the time of a
confirmation is bounded by the server's knowledge: never after it arrived, never before the device's last
contact (domain.freshness.confirmation_time).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from domain.alerts import AlertReceipt, merge_receipt
from domain.beds import BedCategory, BedCount, category_not_offered
from domain.freshness import confirmation_time
from domain.residents import Resident, check_date_of_birth
from domain.sharing import SharingChoices
from protocol.kinds import RECORD_KINDS, ConflictRule, RecordKind, home_of_record_id
from protocol.sync import (
    Account,
    MutationResult,
    MutationStatus,
    PushRequest,
    PushResponse,
)
from server_stub import account_repository, repository
from server_stub.access import HOME_ROLES, may_change, scope_of
from server_stub.clock import iso
from server_stub.db import (
    Connection,
    home_write_transaction,
    pull_bound,
    read_transaction,
    retrying_once,
    write_transaction,
)
from server_stub.services import pull_pages

# Versions of the wire contract this server accepts (only the current one for now).
SUPPORTED_SCHEMA_VERSIONS = range(1, 2)

# What a refusal calls each kind's records, in plain words ("records" for the rest).
REFUSED_RECORDS = {
    "bed_count": "beds",
    "home_status": "bed state",
    "workforce": "workforce",
    "outbreak": "outbreak status",
    "wifi_result": "WiFi survey results",
    "device_provision": "device deliveries",
    "resident": "residents' details",
    "transfer": "hospital transfers",
    "alert_ack": "alert acknowledgements",
    "sharing": "sharing choices",
}
MUTATION_ID_TAKEN = "This change id was already used by another account; the change was not applied."
UNKNOWN_BASE = ("The central API does not know the version this change was made on; "
                "your change was not applied. Check the record and save again.")
# The author field of records people edit (domain.records.SyncedRecord, NhsmailProgress, bed counts, status).
AUTHOR_FIELD = "changed_by"
# Set on bed counts and the home's status by a supplier's update only (services/suppliers.py).
SUPPLIER_TIME_FIELD = "as_at"
# When a confirmation reached the central API (its ``confirmed_at`` is when the manager made it).
RECEIVED_FIELD = "received_at"


def push(connection: Connection, account: Account, request: PushRequest, now: datetime) -> PushResponse:
    # Run again once if a mutation id was being stored at the same moment for another home: the second run
    # finds the first's stored result (db.retrying_once).
    return retrying_once(lambda: _push_once(connection, account, request, now))


def _push_once(connection: Connection, account: Account, request: PushRequest, now: datetime) -> PushResponse:
    results: list[MutationResult] = []
    with home_write_transaction(connection, _homes_of(request)):
        # The contact before this one: the earliest any confirmation in this batch can have been made.
        contact = _parse_time(repository.last_contact(connection, str(request.device_id), account.username))
        for mutation in request.mutations:
            results.append(_apply_once(connection, account, request.device_id, mutation, now, contact))
        repository.note_contact(connection, str(request.device_id), account.username, iso(now))
    return PushResponse(results=results)


def _homes_of(request: PushRequest) -> set[str]:
    """Every home the batch may write: the ones whose conflict checks must not interleave with another writer's."""
    homes = set()
    for mutation in request.mutations:
        if mutation.op == "delete":
            homes.add(home_of_record_id(mutation.record_id))
        else:
            homes.add(RECORD_KINDS[mutation.kind].home_id(mutation.data))
    return homes


# A pull updates the device's last contact at most this often (a looser lower bound is still a true one).
CONTACT_NOTED_EVERY = timedelta(seconds=60)


def note_pull_contact(connection: Connection, account: Account, device_id: UUID, now: datetime) -> None:
    """A pull from a device that names itself is a contact too (pull before push never loses a save's time)."""
    previous = _parse_time(repository.last_contact(connection, str(device_id), account.username))
    if previous is not None and now - previous < CONTACT_NOTED_EVERY:
        return
    with home_write_transaction(connection):  # one upsert: no home's checks read it
        repository.note_contact(connection, str(device_id), account.username, iso(now))


def _parse_time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _apply_once(connection: Connection, account: Account, device_id: UUID, mutation, now: datetime,
                contact: datetime | None = None) -> MutationResult:
    mutation_id = str(mutation.mutation_id)
    earlier = repository.find_applied_mutation(connection, mutation_id)
    if earlier is not None:
        if earlier.username != account.username:
            # Never hand one account's stored answer (it may hold a record) to another.
            return MutationResult(mutation_id=mutation.mutation_id, status=MutationStatus.REJECTED, message=MUTATION_ID_TAKEN)
        result = MutationResult.model_validate(earlier.result)
    else:
        result = _decide(connection, account, device_id, mutation, now, contact)
        repository.insert_applied_mutation(
            connection, mutation_id=mutation_id, username=account.username, device_id=str(device_id),
            result=result.model_dump(mode="json"), applied_at=iso(now),
        )
    _audit_conflict_copy(connection, account, result, now)
    return result


def _audit_conflict_copy(connection: Connection, account: Account, result: MutationResult, now: datetime) -> None:
    """A conflict answer carries the server's record: for personal data that is a read like any other."""
    current = result.current
    if current is not None and not current.deleted and RECORD_KINDS[current.kind].sensitive:
        account_repository.audit(connection, iso(now), account.username, "personal_data_read", current.id,
                                 f"{current.kind} (conflict)")


def _decide(connection: Connection, account: Account, device_id: UUID, mutation, now: datetime,
            contact: datetime | None = None) -> MutationResult:
    def refuse(message: str) -> MutationResult:
        return MutationResult(mutation_id=mutation.mutation_id, status=MutationStatus.REJECTED, message=message)

    kind = RECORD_KINDS[mutation.kind]
    if mutation.op == "delete":
        return _delete(connection, account, device_id, mutation, kind, now)
    data = mutation.data
    expected_id = kind.record_id(data)
    if mutation.record_id != expected_id:
        return refuse(f"record_id {mutation.record_id!r} does not match its data (expected {expected_id!r})")
    if kind.conflict_rule == ConflictRule.SERVER_ONLY:
        return refuse(f"{kind.name} records are written by the central API only")
    home_id = kind.home_id(data)
    home = repository.get_record(connection, "care_home", home_id)
    if home is None:  # the directory of homes is public: saying so reveals nothing
        return refuse(f"Unknown care home {home_id!r}")
    if not may_change(account, kind, home_id):
        return refuse(not_allowed_message(account, kind, home_id))
    if isinstance(data, BedCount):
        problem = category_not_offered(data, home.data.get("name", home_id), home.data.get("bed_categories", []))
        if problem is not None:
            return refuse(problem)
    if isinstance(data, Resident):
        try:  # the server's day decides; a device with a wrong clock cannot record a birth in the future
            check_date_of_birth(data.date_of_birth, now.date())
        except ValueError as exc:
            return refuse(f"{data.given_name} {data.family_name}: " + str(exc).replace("date_of_birth", "the date of birth"))

    current = repository.get_record(connection, kind.name, expected_id)
    if _never_issued(connection, current, mutation.base_version):
        return MutationResult(
            mutation_id=mutation.mutation_id, status=MutationStatus.CONFLICT, message=UNKNOWN_BASE,
            current=current.to_wire() if current is not None else None,
        )
    if (
        kind.conflict_rule in (ConflictRule.REJECT_STALE, ConflictRule.KEEP_BOTH)
        and current is not None
        and current.version > (mutation.base_version or 0)
        and current.updated_by_device != str(device_id)
    ):
        return MutationResult(
            mutation_id=mutation.mutation_id,
            status=MutationStatus.CONFLICT,
            message=(
                f"{_who_changed(current)} changed {_what(kind, data)} after you last synced; your change was not "
                "applied. Check the numbers and save again."
            ),
            current=current.to_wire(),
        )

    if isinstance(data, AlertReceipt):
        if repository.get_record(connection, "alert", expected_id) is None:
            return refuse("This alert was not sent to this home")
        # Once read or acknowledged, always so; who and when are the token's account and the server's clock.
        previous = AlertReceipt.model_validate(current.data) if current is not None and not current.deleted else None
        data = merge_receipt(previous, data, account.username, now)
    stored = data.model_dump(mode="json")
    if SUPPLIER_TIME_FIELD in stored:
        stored[SUPPLIER_TIME_FIELD] = None  # only the supplier API says a change came from a supplier's system
    if kind.conflict_rule == ConflictRule.LAST_ARRIVAL_WINS and "confirmed_at" in kind.model.model_fields:
        # When the manager confirmed (her device's corrected clock), kept between its last contact and now.
        claimed = _parse_time(stored.get("confirmed_at"))
        stored["confirmed_at"] = iso(confirmation_time(claimed, now, contact))
    version = write_record(connection, kind, expected_id, home_id, stored, now=now, author=account.username,
                           origin=str(device_id))
    if isinstance(data, SharingChoices):  # who may see a home's data: every change is on the record
        account_repository.audit(connection, iso(now), account.username, "sharing_changed", home_id, data.describe())
    return MutationResult(mutation_id=mutation.mutation_id, status=MutationStatus.APPLIED, version=version)


def write_record(connection: Connection, kind: RecordKind, record_id: str, home_id: str, stored: dict,
                 *, now: datetime, author: str, origin: str) -> int:
    """The one write path of a change (a device's push, a supplier's update): the next version, the record,
    its history and the homes index (repository.upsert_record). ``author`` becomes ``changed_by`` where the
    kind has it (whatever the sender claimed); ``origin`` is the device (or supplier) the change came from,
    which the reject-stale rule compares. Returns the new version. Call inside a write transaction."""
    if AUTHOR_FIELD in kind.model.model_fields:
        stored = {**stored, AUTHOR_FIELD: author}
    if RECEIVED_FIELD in kind.model.model_fields:
        stored = {**stored, RECEIVED_FIELD: iso(now)}  # when it arrived, beside when it was confirmed
    version = repository.next_version(connection)
    repository.upsert_record(
        connection, kind=kind.name, record_id=record_id, home_id=home_id, version=version, data=stored,
        updated_at=iso(now), updated_by_device=origin,
    )
    return version


def _delete(connection, account: Account, device_id: UUID, mutation, kind: RecordKind, now: datetime) -> MutationResult:
    """Leave a tombstone. Deleting what is already gone is applied too (deletes are idempotent)."""
    def answer(status: MutationStatus, message: str | None = None, version: int | None = None) -> MutationResult:
        return MutationResult(mutation_id=mutation.mutation_id, status=status, message=message, version=version)

    if not kind.devices_may_delete:
        return answer(MutationStatus.REJECTED, f"{kind.name.replace('_', ' ')} records cannot be deleted from a device")
    # Decided by the id alone, before looking the record up: the answer must not tell whether it exists.
    home_id = home_of_record_id(mutation.record_id)
    if not may_change(account, kind, home_id):
        return answer(MutationStatus.REJECTED, not_allowed_message(account, kind, home_id))
    current = repository.get_record(connection, kind.name, mutation.record_id)
    if current is None or current.deleted:
        return answer(MutationStatus.APPLIED, version=current.version if current else None)
    if _never_issued(connection, current, mutation.base_version):
        return MutationResult(mutation_id=mutation.mutation_id, status=MutationStatus.CONFLICT,
                              current=current.to_wire(), message=UNKNOWN_BASE)
    if (
        kind.conflict_rule in (ConflictRule.REJECT_STALE, ConflictRule.KEEP_BOTH)
        and current.version > (mutation.base_version or 0)
        and current.updated_by_device != str(device_id)
    ):
        return MutationResult(
            mutation_id=mutation.mutation_id, status=MutationStatus.CONFLICT, current=current.to_wire(),
            message="Another device changed this record after you last synced; it was not deleted.",
        )
    version = repository.next_version(connection)
    repository.mark_deleted(connection, kind=kind.name, record_id=mutation.record_id, version=version,
                            updated_at=iso(now), updated_by_device=str(device_id))
    return answer(MutationStatus.APPLIED, version=version)


def _never_issued(connection: Connection, current, base_version: int | None) -> bool:
    """A base version the server never gave this record: above its version, or for a record it never had.

    Such a base would pass every stale-edit check, so it is answered as a conflict. A record the server
    does not have may once have been deleted and its tombstone purged: a base up to the horizon is fine.
    """
    if base_version is None:
        return False
    if current is not None:
        return base_version > current.version
    return base_version > int(repository.get_state(connection, TOMBSTONE_HORIZON) or 0)


def not_allowed_message(account: Account, kind: RecordKind, home_id: str) -> str:
    """The refusal of a change the account may not make, naming what it tried to change."""
    whose = "another home's" if account.role in HOME_ROLES and account.home_id != home_id else "this home's"
    return f"You may not change {whose} {REFUSED_RECORDS.get(kind.name, 'records')}"


def _who_changed(current) -> str:
    """'Another device', or the supplier's system that changed the record (it says so in plain words)."""
    if current.data.get(SUPPLIER_TIME_FIELD) and current.data.get(AUTHOR_FIELD):
        return f"{current.data[AUTHOR_FIELD]} (another care record system)"
    return "Another device"


def _what(kind: RecordKind, data) -> str:
    if isinstance(data, BedCount):
        return f"{BedCategory(data.category).label} beds"
    return f"this {kind.name.replace('_', ' ')}"


class ResetRequired(Exception):
    """The device's cursor is older than the tombstone horizon: deletes it missed are gone."""


TOMBSTONE_HORIZON = "tombstone_horizon"


def pull(connection: Connection, account: Account, since: int, limit: int, now: datetime, *,
         count_remaining: bool = True) -> bytes:
    """One page of changes as PullResponse JSON (written from the stored text: services/pull_pages.py).

    Counting what remains reads every remaining row the account may see, so it is done only when asked:
    older apps always ask (the default); this app asks on the first page of a pull and counts on from there.
    """
    # A full sync (since=0) needs no tombstones; any other cursor must be past the horizon.
    horizon = int(repository.get_state(connection, TOMBSTONE_HORIZON) or 0)
    if 0 < since < horizon:
        raise ResetRequired()
    homes = scope_of(account)
    # Before the snapshot: the versions that can no longer be overtaken by one committing later (PostgreSQL).
    below = pull_bound(connection)
    # One read transaction: the page and the count of what remains agree.
    with read_transaction(connection):
        rows = repository.changes_since(connection, homes, since, limit + 1, below)
        page = rows[:limit]
        cursor = page[-1].version if page else since
        has_more = len(rows) > limit
        remaining = 0 if not has_more else (
            repository.count_changes_since(connection, homes, cursor, below) if count_remaining else None)
    _audit_personal_data_reads(connection, account, page, now)
    return pull_pages.page_json((row for row in page if not (since == 0 and row.deleted)), cursor=cursor,
                                has_more=has_more, remaining=remaining, server_time=now)


def _audit_personal_data_reads(connection, account: Account, rows, now: datetime) -> None:
    """Every read of special-category personal data is in the audit log: who, which record, when."""
    sensitive = [row for row in rows if RECORD_KINDS[row.kind].sensitive and not row.deleted]
    if not sensitive:
        return
    with home_write_transaction(connection):  # audit lines only
        for row in sensitive:
            account_repository.audit(connection, iso(now), account.username, "personal_data_read", row.id,
                                     f"{row.kind} (sync)")


def purge_tombstones(connection: Connection, now: datetime, retention: timedelta) -> int:
    """Forget deletes older than the retention; devices behind them must reset. Returns the new horizon."""
    with write_transaction(connection):
        purged_up_to = repository.purge_tombstones(connection, iso(now - retention))
        horizon = int(repository.get_state(connection, TOMBSTONE_HORIZON) or 0)
        if purged_up_to > horizon:
            horizon = purged_up_to
            repository.set_state(connection, TOMBSTONE_HORIZON, str(horizon))
    return horizon
