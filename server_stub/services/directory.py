"""The CQC directory import (``import_homes``) and the ICB decisions an administrator makes.

A file is the new truth for the local authorities it covers: its homes are added, updated or restored,
and a registered home of those authorities that it no longer lists is deregistered (kept, never
deleted). What the file does not say is kept: an administrator's ICB decision, the home's ODS code.
Each changed home is written as a ``care_home`` record with the next version, so it reaches devices
like any other change. The whole import is one write transaction; a dry run computes the same summary
in a read transaction and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from domain.homes import CareHome
from protocol.directory import HomeChange, HomeChangeKind, IcbDecisionNeeded, IcbDecisionRequest, ImportSummary
from protocol.sync import Account
from server_stub import access, account_repository, directory_repository, repository
from server_stub.clock import iso
from server_stub.db import Connection, read_transaction, write_transaction
from server_stub.directory.icb_lookup import IcbLookup, load_icb_lookup, place_homes, with_icb
from server_stub.directory.reader import DirectoryFile, UnreadableFile, read_directory
from server_stub.services.errors import Invalid, NotAllowed, NotFound

__all__ = ["UnreadableFile", "import_homes", "apply_directory", "latest_import", "icb_decisions_needed", "decide_icb"]

CARE_HOME = "care_home"
Progress = Callable[[int, int], None]  # (homes done, homes in the file)
PROGRESS_EVERY = 250

# A changed CareHome field as the summary names it (several fields may share one name).
CHANGED_FIELD_NAMES = {
    "name": "name", "provider": "provider", "address": "address", "postcode": "postcode", "registered_beds": "beds",
    "bed_categories": "categories", "with_nursing": "nursing", "cqc_rating": "rating",
    "cqc_rating_date": "rating date", "phone": "phone", "registered_manager": "registered manager",
    "latitude": "position", "longitude": "position", "local_authority": "local authority", "icb": "ICB",
    "icb_code": "ICB", "icb_code_year": "ICB", "icb_candidates": "ICB", "region": "region", "ods_code": "ODS code",
}


def import_homes(connection: Connection, path: Path | str, now: datetime, *, dry_run: bool, by: str | None = None,
                 progress: Progress | None = None, lookup: IcbLookup | None = None) -> ImportSummary:
    """Import a CQC directory file; raises UnreadableFile (nothing changed) if it cannot be read at all."""
    directory = read_directory(path)
    transaction = read_transaction if dry_run else write_transaction
    with transaction(connection):
        return apply_directory(connection, directory, now, dry_run=dry_run, by=by, progress=progress, lookup=lookup)


@dataclass
class _Tally:
    changes: list[HomeChange] = field(default_factory=list)
    unchanged: int = 0
    awaiting_icb: int = 0

    def count(self, kind: HomeChangeKind) -> int:
        return sum(1 for change in self.changes if change.change == kind)


def apply_directory(connection: Connection, directory: DirectoryFile, now: datetime, *, dry_run: bool,
                    by: str | None = None, progress: Progress | None = None,
                    lookup: IcbLookup | None = None) -> ImportSummary:
    """The import itself, inside the caller's transaction (a write transaction unless ``dry_run``)."""
    homes = place_homes(directory.entries, lookup or load_icb_lookup())
    stored = {record.id: record for record in repository.records_of_kind(connection, CARE_HOME)}
    decisions = directory_repository.icb_decisions_made(connection)
    stamp, tally = iso(now), _Tally()

    def write(home: CareHome) -> None:
        if not dry_run:
            repository.upsert_record(connection, kind=CARE_HOME, record_id=home.id, home_id=home.id,
                                     version=repository.next_version(connection), data=home.model_dump(mode="json"),
                                     updated_at=stamp, updated_by_device=None)

    for done, home in enumerate(homes, start=1):
        record = stored.get(home.id)
        before = CareHome.model_validate(record.data) if record else None
        home = _keep_what_the_file_does_not_say(home, before, decisions.get(home.id))
        tally.awaiting_icb += home.awaiting_icb_decision
        if before is None:
            tally.changes.append(HomeChange(home_id=home.id, name=home.name, change=HomeChangeKind.ADDED))
            write(home)
        elif (fields := changed_fields(before, home)) or not before.registered:
            kind = HomeChangeKind.UPDATED if before.registered else HomeChangeKind.RESTORED
            tally.changes.append(HomeChange(home_id=home.id, name=home.name, change=kind, fields=fields))
            write(home)
        else:
            tally.unchanged += 1
        if progress and (done % PROGRESS_EVERY == 0 or done == len(homes)):
            progress(done, len(homes))

    listed = {home.id for home in homes} | directory.ids_on_bad_rows
    covered = set(directory.areas)
    for record in stored.values():
        if record.id in listed or record.data.get("local_authority") not in covered:
            continue
        home = CareHome.model_validate(record.data)
        if home.registered:
            tally.changes.append(HomeChange(home_id=home.id, name=home.name, change=HomeChangeKind.DEREGISTERED))
            write(home.model_copy(update={"deregistered_on": now.date()}))
    if progress and not homes:
        progress(0, 0)

    summary = ImportSummary(
        file_name=directory.file_name, file_format=directory.file_format, at=now, by=by, dry_run=dry_run,
        areas=directory.areas, added=tally.count(HomeChangeKind.ADDED), updated=tally.count(HomeChangeKind.UPDATED),
        deregistered=tally.count(HomeChangeKind.DEREGISTERED), restored=tally.count(HomeChangeKind.RESTORED),
        unchanged=tally.unchanged, awaiting_icb=tally.awaiting_icb, changes=tally.changes,
        bad_rows=directory.bad_rows,
    )
    if not dry_run:
        directory_repository.record_import(connection, summary, stamp)
        account_repository.audit(connection, stamp, by, "directory_imported", directory.file_name, _counts(summary))
    return summary


def _keep_what_the_file_does_not_say(home: CareHome, before: CareHome | None, decided_icb: str | None) -> CareHome:
    if decided_icb and home.awaiting_icb_decision:
        # The administrator's choice wins on every import, while it is still one of the home's candidates.
        chosen = next((choice for choice in home.icb_candidates if choice.code == decided_icb), None)
        if chosen is not None:
            home = with_icb(home, chosen)
    if before is not None and before.ods_code:
        home = home.model_copy(update={"ods_code": before.ods_code})
    return home


def changed_fields(before: CareHome, after: CareHome) -> list[str]:
    """What a file changed of a home, in the summary's words (its registration is told apart)."""
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    names = [CHANGED_FIELD_NAMES.get(name, name) for name in new if name != "deregistered_on" and old[name] != new[name]]
    return list(dict.fromkeys(names))


def _counts(summary: ImportSummary) -> str:
    return (f"added {summary.added}, updated {summary.updated}, deregistered {summary.deregistered}, "
            f"restored {summary.restored}, unchanged {summary.unchanged}, bad rows {len(summary.bad_rows)}")


# -- what administrators see and decide ---------------------------------------------------------------------


def _administrators_only(account: Account) -> None:
    if account.role != access.ADMINISTRATOR:
        raise NotAllowed("Only an administrator may see and manage the care home directory")


def latest_import(connection: Connection, account: Account) -> ImportSummary:
    _administrators_only(account)
    summary = directory_repository.latest_import(connection)
    if summary is None:
        raise NotFound("No directory file has been imported yet")
    return summary


def icb_decisions_needed(connection: Connection, account: Account) -> list[IcbDecisionNeeded]:
    """Registered homes whose local authority spans several ICBs and whose file could not say which."""
    _administrators_only(account)
    with read_transaction(connection):
        homes = [CareHome.model_validate(record.data) for record in repository.records_of_kind(connection, CARE_HOME)
                 if record.data.get("icb_candidates") and not record.data.get("icb_code")]
    waiting = sorted((home for home in homes if home.registered and home.awaiting_icb_decision),
                     key=lambda home: (home.local_authority, home.name, home.id))
    return [IcbDecisionNeeded(home_id=home.id, name=home.name, local_authority=home.local_authority,
                              postcode=home.postcode, candidates=list(home.icb_candidates)) for home in waiting]


def decide_icb(connection: Connection, now: datetime, account: Account, home_id: str,
               request: IcbDecisionRequest) -> CareHome:
    """Place a home in one of its candidate ICBs; later imports keep this choice."""
    _administrators_only(account)
    code = request.icb_code.strip().upper()
    stamp = iso(now)
    with write_transaction(connection):
        record = repository.get_record(connection, CARE_HOME, home_id)
        if record is None or record.deleted:
            raise NotFound("There is no care home with this CQC location ID")
        home = CareHome.model_validate(record.data)
        if not home.awaiting_icb_decision:
            raise Invalid("ICB code: this home's ICB is not waiting for a decision")
        chosen = next((choice for choice in home.icb_candidates if choice.code == code), None)
        if chosen is None:
            allowed = ", ".join(f"{choice.code} ({choice.name})" for choice in home.icb_candidates)
            raise Invalid(f"ICB code: choose one of this home's ICBs: {allowed}")
        decided = with_icb(home, chosen)
        directory_repository.set_icb_decision(connection, home_id, chosen.code, account.username, stamp)
        repository.upsert_record(connection, kind=CARE_HOME, record_id=home_id, home_id=home_id,
                                 version=repository.next_version(connection), data=decided.model_dump(mode="json"),
                                 updated_at=stamp, updated_by_device=None)
        account_repository.audit(connection, stamp, account.username, "icb_decided", home_id,
                                 f"{chosen.code} {chosen.name}")
    return decided
