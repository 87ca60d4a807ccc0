"""The supplier API: other care record systems send their homes' bed states (docs/sync.md, docs/security.md).

An administrator registers a supplier with the homes it serves and issues it an API key (shown once; only
its sha256 is kept, like a session token). Issuing a new key revokes the old one (rotation); a key can be
revoked outright. Every one of these is in the audit log.

A supplier's update goes through the devices' write path (services.sync.write_record): each category's
bed_count record and the home's status get the next version, their history and the homes index, with
``changed_by`` the supplier's name, so the home's devices receive it on their next pull like any change.
It is refused (409) when the home's bed state has changed since the time it is "as at": a supplier never
silently overwrites a newer save. Each request carries an Idempotency-Key: its answer is stored with its
effect in one transaction, so a retry gets the same answer and applies nothing again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from domain.beds import BedCategory, BedCount, HomeStatus, category_not_offered
from domain.workforce import Workforce
from protocol.kinds import RECORD_KINDS
from protocol.suppliers import (
    BedStateApplied,
    BedStateUpdate,
    BulkBedStateAnswer,
    BulkBedStateUpdate,
    HomeBedStateUpdate,
    HomeOutcome,
    HomeResult,
    Supplier,
    SupplierHomes,
    SupplierKey,
    SupplierRegistration,
)
from protocol.sync import Account
from server_stub import access, account_repository, repository, supplier_repository
from server_stub.clock import iso
from server_stub.db import Connection, home_write_transaction, read_transaction, retrying_once, write_transaction
from server_stub.security import new_session_token, token_digest
from server_stub.services.errors import Conflict, Invalid, NotAllowed, NotFound, Refused
from server_stub.services.sync import SUPPLIER_TIME_FIELD, write_record
from server_stub.supplier_repository import SupplierRow

KEY_PREFIX = "chc_supplier_"
# A supplier's clock may run a little ahead of ours; an as_at further ahead than this is refused (it would
# otherwise outrank every later save of the home's own staff).
AS_AT_AHEAD_ALLOWED = timedelta(minutes=5)
APPLIED, STALE = 200, 409
# How long an answer is kept for a retry under its Idempotency-Key (a retry comes within minutes, not weeks).
REQUESTS_KEPT = timedelta(days=30)
# A refusal of one home in a bulk request, as its result says it.
OUTCOME_OF_REFUSAL = {NotAllowed: HomeOutcome.NOT_YOUR_HOME, NotFound: HomeOutcome.UNKNOWN_HOME,
                      Invalid: HomeOutcome.INVALID}
KEY_REUSED = ("This Idempotency-Key was already used for a different request (another home or other counts); "
              "nothing was applied. Use a new key for each new update.")
NOT_SERVED = "This supplier may not send bed states for this home: ask the Care Home Connect administrator to add it"
NO_SUCH_SUPPLIER = "There is no supplier with this number"


# --- an administrator's work -------------------------------------------------------------------------------

def _administrators_only(account: Account) -> None:
    if not access.may_manage_suppliers(account):
        raise NotAllowed("Only an administrator may register suppliers and issue their API keys")


def _wire(row: SupplierRow) -> Supplier:
    return Supplier(id=row.id, name=row.name, homes=row.homes, registered_at=row.registered_at,
                    registered_by=row.registered_by, key_issued_at=row.key_issued_at)


def _check_homes_exist(connection: Connection, home_ids: list[str]) -> None:
    unknown = [home_id for home_id in home_ids if repository.get_record(connection, "care_home", home_id) is None]
    if unknown:
        raise Invalid(f"homes: no care home in the directory has the CQC location ID {', '.join(unknown[:5])}")


def _new_key(connection: Connection, supplier_id: int, stamp: str, by: str) -> str:
    key = KEY_PREFIX + new_session_token()
    supplier_repository.insert_key(connection, supplier_id, token_digest(key), stamp, by)
    return key


def register(connection: Connection, now: datetime, account: Account, request: SupplierRegistration) -> SupplierKey:
    """A new supplier with its homes and its first API key."""
    _administrators_only(account)
    stamp = iso(now)
    with write_transaction(connection):
        if supplier_repository.name_taken(connection, request.name):
            raise Conflict(f"name: a supplier called {request.name} is registered already")
        _check_homes_exist(connection, request.homes)
        supplier_id = supplier_repository.insert_supplier(connection, request.name, stamp, account.username)
        supplier_repository.set_homes(connection, supplier_id, request.homes)
        key = _new_key(connection, supplier_id, stamp, account.username)
        account_repository.audit(connection, stamp, account.username, "supplier_registered", f"supplier:{supplier_id}",
                                 f"{request.name}, {len(request.homes)} homes; API key issued")
        row = supplier_repository.get_supplier(connection, supplier_id)
    return SupplierKey(supplier=_wire(row), api_key=key)


def list_suppliers(connection: Connection, account: Account) -> list[Supplier]:
    _administrators_only(account)
    with read_transaction(connection):
        return [_wire(row) for row in supplier_repository.list_suppliers(connection)]


def _existing(connection: Connection, supplier_id: int) -> SupplierRow:
    row = supplier_repository.get_supplier(connection, supplier_id)
    if row is None:
        raise NotFound(NO_SUCH_SUPPLIER)
    return row


def set_homes(connection: Connection, now: datetime, account: Account, supplier_id: int,
              request: SupplierHomes) -> Supplier:
    """Replace the list of homes the supplier may send bed states for."""
    _administrators_only(account)
    stamp = iso(now)
    with write_transaction(connection):
        _existing(connection, supplier_id)
        _check_homes_exist(connection, request.homes)
        supplier_repository.set_homes(connection, supplier_id, request.homes)
        account_repository.audit(connection, stamp, account.username, "supplier_homes_changed",
                                 f"supplier:{supplier_id}", f"{len(request.homes)} homes")
        return _wire(_existing(connection, supplier_id))


def issue_key(connection: Connection, now: datetime, account: Account, supplier_id: int) -> SupplierKey:
    """A new API key for the supplier; its old key stops working at once (rotation)."""
    _administrators_only(account)
    stamp = iso(now)
    with write_transaction(connection):
        _existing(connection, supplier_id)
        revoked = supplier_repository.revoke_keys(connection, supplier_id, stamp)
        key = _new_key(connection, supplier_id, stamp, account.username)
        account_repository.audit(connection, stamp, account.username, "supplier_key_issued", f"supplier:{supplier_id}",
                                 "new API key; the old one revoked" if revoked else "new API key")
        row = _existing(connection, supplier_id)
    return SupplierKey(supplier=_wire(row), api_key=key)


def revoke_key(connection: Connection, now: datetime, account: Account, supplier_id: int) -> Supplier:
    """The supplier's API key stops working; it sends nothing until it is issued a new one."""
    _administrators_only(account)
    stamp = iso(now)
    with write_transaction(connection):
        _existing(connection, supplier_id)
        supplier_repository.revoke_keys(connection, supplier_id, stamp)
        account_repository.audit(connection, stamp, account.username, "supplier_key_revoked", f"supplier:{supplier_id}")
        return _wire(_existing(connection, supplier_id))


# --- the supplier's own requests -----------------------------------------------------------------------------

def forget_old_requests(connection: Connection, now: datetime) -> int:
    """Drop answers kept for retries longer than REQUESTS_KEPT (every process does it hourly, with the tombstones)."""
    with write_transaction(connection):
        return supplier_repository.forget_requests(connection, iso(now - REQUESTS_KEPT))


def _digest(request: dict) -> str:
    """What makes two requests the same request: what they ask (as parsed: spacing and key order aside)."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _once(connection: Connection, now: datetime, supplier: SupplierRow, idempotency_key: str, request: dict,
          decide: Callable[[], tuple[int, dict]]) -> tuple[int, dict]:
    """The answer to a request under its Idempotency-Key: the stored one for a retry, else ``decide()``'s, stored
    with its effect in the caller's write transaction. The same key for a different request is refused."""
    digest = _digest(request)
    earlier = supplier_repository.find_request(connection, supplier.id, idempotency_key)
    if earlier is not None:
        if earlier.request_digest != digest:
            raise Conflict(KEY_REUSED)
        return earlier.status_code, earlier.answer
    status_code, answer = decide()
    supplier_repository.insert_request(connection, supplier.id, idempotency_key, digest, status_code, answer, iso(now))
    return status_code, answer


def update_beds(connection: Connection, now: datetime, supplier: SupplierRow, home_id: str, idempotency_key: str,
                update: BedStateUpdate) -> BedStateApplied:
    """Apply a supplier's bed state for one home, once per Idempotency-Key (see the module's docstring)."""
    request = {"home_id": home_id, "body": update.model_dump(mode="json")}

    def once() -> tuple[int, dict]:
        with home_write_transaction(connection, [home_id]):
            return _once(connection, now, supplier, idempotency_key, request,
                         lambda: _decide(connection, now, supplier, home_id, update))

    # Again once if the same key was being stored at that moment (for another home): then it is found.
    status_code, answer = retrying_once(once)
    if status_code == STALE:  # raised after the commit: the refusal is kept, so a retry is refused alike
        raise Conflict(answer["detail"])
    return BedStateApplied.model_validate(answer)


def update_many(connection: Connection, now: datetime, supplier: SupplierRow, idempotency_key: str,
                request: BulkBedStateUpdate) -> BulkBedStateAnswer:
    """Many homes in one request (and one transaction), each answered as a PUT for it alone would be."""
    def decide_each() -> tuple[int, dict]:
        results = [_result_of(connection, now, supplier, home) for home in request.homes]
        applied = sum(1 for result in results if result.status == HomeOutcome.APPLIED)
        return APPLIED, BulkBedStateAnswer(applied=applied, not_applied=len(results) - applied,
                                           results=results).model_dump(mode="json")

    def once() -> dict:
        # Every home of the batch locked up front, in one order (db.home_write_transaction): no deadlocks.
        with home_write_transaction(connection, [home.home_id for home in request.homes]):
            return _once(connection, now, supplier, idempotency_key, {"bulk": request.model_dump(mode="json")},
                         decide_each)[1]

    return BulkBedStateAnswer.model_validate(retrying_once(once))


def _result_of(connection: Connection, now: datetime, supplier: SupplierRow, home: HomeBedStateUpdate) -> HomeResult:
    # Every refusal is decided before anything of that home is written, so a refused home leaves nothing behind.
    update = BedStateUpdate(as_at=home.as_at, beds=home.beds)
    try:
        status_code, answer = _decide(connection, now, supplier, home.home_id, update)
    except Refused as refused:
        return HomeResult(home_id=home.home_id, status=OUTCOME_OF_REFUSAL[type(refused)], detail=str(refused))
    if status_code == STALE:
        return HomeResult(home_id=home.home_id, status=HomeOutcome.STALE, detail=answer["detail"])
    return HomeResult(home_id=home.home_id, status=HomeOutcome.APPLIED, applied=BedStateApplied.model_validate(answer))


def _decide(connection: Connection, now: datetime, supplier: SupplierRow, home_id: str,
            update: BedStateUpdate) -> tuple[int, dict]:
    if not supplier_repository.serves(connection, supplier.id, home_id):
        raise NotAllowed(NOT_SERVED)
    home = repository.get_record(connection, "care_home", home_id)
    if home is None:
        raise NotFound("There is no care home with this CQC location ID")
    if update.as_at > now + AS_AT_AHEAD_ALLOWED:
        raise Invalid("as_at: this time is in the future by the central API's clock; "
                      "send the time your system last changed these counts")
    name = home.data.get("name", home_id)
    counts = [BedCount(home_id=home_id, **count.model_dump(), as_at=update.as_at) for count in update.beds]
    for count in counts:
        problem = category_not_offered(count, name, home.data.get("bed_categories", []))
        if problem is not None:
            raise Invalid(f"beds: {problem}")
    kinds = RECORD_KINDS["bed_count"], RECORD_KINDS["home_status"]
    current = {count.record_id: repository.get_record(connection, "bed_count", count.record_id) for count in counts}
    status = repository.get_record(connection, "home_status", home_id)
    workforce = None
    if update.workforce is not None:  # the same rule as the app's form; a newer save there wins too
        workforce = Workforce(home_id=home_id, **update.workforce.model_dump())
        current[workforce.record_id] = repository.get_record(connection, "workforce", workforce.record_id)
    for record in [*current.values(), status]:
        newer = _newer_than(record, update.as_at)
        if newer is not None:
            return STALE, {"detail": newer}

    origin = f"supplier:{supplier.id}"
    versions = {}
    for count in counts:
        stored = count.model_dump(mode="json")
        versions[count.category.value] = write_record(connection, kinds[0], count.record_id, home_id, stored,
                                                      now=now, author=supplier.name, origin=origin)
    if workforce is not None:
        versions["workforce"] = write_record(connection, RECORD_KINDS["workforce"], workforce.record_id, home_id,
                                             workforce.model_dump(mode="json"), now=now, author=supplier.name,
                                             origin=origin)
    # The update confirms the bed state, as of when it was true; the home's closure stays as its staff set it.
    kept = HomeStatus.model_validate(status.data) if status is not None and not status.deleted else None
    confirmation = HomeStatus(
        home_id=home_id, closed_to_admissions=kept.closed_to_admissions if kept else False,
        closed_reason=kept.closed_reason if kept else None, closed_note=kept.closed_note if kept else None,
        confirmed_at=iso(min(update.as_at, now)), as_at=update.as_at,
    )
    write_record(connection, kinds[1], home_id, home_id, confirmation.model_dump(mode="json"), now=now,
                 author=supplier.name, origin=origin)
    account_repository.audit(connection, iso(now), f"supplier:{supplier.name}", "supplier_beds_updated", home_id,
                             ", ".join(sorted(versions)))
    answer = BedStateApplied(home_id=home_id, supplier=supplier.name, as_at=update.as_at, applied_at=now,
                             versions=versions)
    return APPLIED, answer.model_dump(mode="json")


def _newer_than(record, as_at: datetime) -> str | None:
    """Why ``record`` is newer than a bed state as at ``as_at`` (in plain words), or None.

    A record's last change is when a supplier said its counts were true (its as_at), else when the central
    API received the save of the home's staff: a save that arrived after as_at is newer than the update.
    """
    if record is None:
        return None
    supplier_time = record.data.get(SUPPLIER_TIME_FIELD)
    changed = datetime.fromisoformat(supplier_time or record.updated_at)
    if changed <= as_at:
        return None
    who = record.data.get("changed_by")
    who = who if supplier_time else (f"the home's staff ({who})" if who else "the home's staff")
    what = f"{BedCategory(record.data['category']).label} beds" if record.kind == "bed_count" else "the bed state"
    return (f"Not applied: {who} saved {what} at {_clock(changed)}, after this update's as_at "
            f"({_clock(as_at)}). Send the home's bed state as it is now, with the time it was true.")


def _clock(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%d %b %Y %H:%M:%S UTC").lstrip("0")
