"""Acceptance 1 of issue #11: the Trafford directory file imported, a later file's churn (dropped, added,
renamed, restored homes), dry runs, broken rows and unreadable files; and devices receive the changes.

The import runs against a real, migrated database: SQLite, and PostgreSQL in the slow lane (``database_url``).
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from domain.homes import CareHome
from protocol.directory import HomeChange, HomeChangeKind
from server_stub import directory_repository, repository
from server_stub.db import create_database_engine, parse_database_url, write_transaction
from server_stub.demo_data import CARE_HOMES_CSV
from server_stub.directory.reader import read_directory
from server_stub.migrations import upgrade_database
from server_stub.services.directory import UnreadableFile, import_homes
from tests.support.auth import sign_in
from tests.support.central_inprocess import serving

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
LATER = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)
GREATER_MANCHESTER = ("NHS Greater Manchester Integrated Care Board", "QOP", 2022, "North West")
DROPPED = ("1-466088203", "1-8503184790")  # 10 Spennithorne Road, Amberley Care Home
RENAMED = "1-1938268568"  # Allingham House Care Centre
NEW_HOME = "1-9990001112"


@pytest.fixture
def connection(database_url):
    engine = create_database_engine(parse_database_url(database_url))
    upgrade_database(engine)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def stored_homes(connection) -> dict[str, CareHome]:
    return {record.id: CareHome.model_validate(record.data) for record in repository.records_of_kind(connection, "care_home")}


def versions(connection) -> dict[str, int]:
    return {record.id: record.version for record in repository.records_of_kind(connection, "care_home")}


def trafford_rows() -> tuple[list[str], list[dict[str, str]]]:
    with CARE_HOMES_CSV.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]], *, encoding: str = "utf-8",
              preamble: list[str] = ()) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        for line in preamble:
            handle.write(line + "\r\n")
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def churned_file(path: Path) -> Path:
    """The Trafford file a year on: two homes gone, one new, one renamed under the same location ID."""
    header, rows = trafford_rows()
    rows = [dict(row) for row in rows if row["cqc_id"] not in DROPPED]
    for row in rows:
        if row["cqc_id"] == RENAMED:
            row["name"] = "Allingham House"
    new = dict(rows[0], cqc_id=NEW_HOME, name="Brook View Care Home", postcode="M33 7XW", telephone="01619620000")
    return write_csv(path, header, [*rows, new])


def test_the_trafford_file_gives_56_homes_in_trafford_greater_manchester_north_west(connection):
    summary = import_homes(connection, CARE_HOMES_CSV, NOW, dry_run=False)

    assert (summary.added, summary.updated, summary.deregistered, summary.restored, summary.unchanged) == (56, 0, 0, 0, 0)
    assert summary.file_format == "directory" and summary.areas == ["Trafford"] and summary.bad_rows == []
    homes = stored_homes(connection)
    assert len(homes) == 56
    assert {home.local_authority for home in homes.values()} == {"Trafford"}
    assert {(h.icb, h.icb_code, h.icb_code_year, h.region) for h in homes.values()} == {GREATER_MANCHESTER}
    assert all(home.registered and not home.awaiting_icb_decision for home in homes.values())
    allingham = homes[RENAMED]
    assert (allingham.name, allingham.postcode, allingham.phone) == ("Allingham House Care Centre", "WA15 6SQ", "01619291783")
    assert allingham.with_nursing and [c.value for c in allingham.bed_categories] == ["nursing", "nursing_dementia"]
    assert (allingham.latitude, allingham.longitude) == (53.399099, -2.341537)
    assert allingham.provider == "Maria Mallaband 16 Limited" and allingham.registered_beds is None
    assert directory_repository.latest_import(connection) == summary


def test_a_later_file_drops_two_adds_one_renames_one_and_exactly_that_changes(connection, tmp_path):
    import_homes(connection, CARE_HOMES_CSV, NOW, dry_run=False)
    before = versions(connection)

    summary = import_homes(connection, churned_file(tmp_path / "trafford-2027.csv"), LATER, dry_run=False)

    assert (summary.added, summary.updated, summary.deregistered, summary.restored, summary.unchanged) == (1, 1, 2, 0, 53)
    assert sorted(summary.changes, key=lambda change: change.home_id) == sorted([
        HomeChange(home_id=NEW_HOME, name="Brook View Care Home", change=HomeChangeKind.ADDED),
        HomeChange(home_id=RENAMED, name="Allingham House", change=HomeChangeKind.UPDATED, fields=["name"]),
        HomeChange(home_id=DROPPED[0], name="10 Spennithorne Road", change=HomeChangeKind.DEREGISTERED),
        HomeChange(home_id=DROPPED[1], name="Amberley Care Home", change=HomeChangeKind.DEREGISTERED),
    ], key=lambda change: change.home_id)
    homes = stored_homes(connection)
    assert len(homes) == 57  # never deleted
    assert [homes[home_id].deregistered_on for home_id in DROPPED] == [date(2026, 12, 2)] * 2
    assert homes[RENAMED].name == "Allingham House" and homes[NEW_HOME].registered
    assert homes[NEW_HOME].icb_code == "QOP"
    # Only the four changed homes were written again (so only they go to devices).
    after = versions(connection)
    rewritten = {home_id for home_id in before if after[home_id] != before[home_id]}
    assert rewritten == {RENAMED, *DROPPED}
    assert min(after[home_id] for home_id in (*rewritten, NEW_HOME)) > max(before.values())


def test_a_home_listed_again_is_restored(connection, tmp_path):
    import_homes(connection, CARE_HOMES_CSV, NOW, dry_run=False)
    import_homes(connection, churned_file(tmp_path / "trafford-2027.csv"), LATER, dry_run=False)

    summary = import_homes(connection, CARE_HOMES_CSV, LATER, dry_run=False)

    assert (summary.added, summary.updated, summary.deregistered, summary.restored, summary.unchanged) == (0, 1, 1, 2, 53)
    changes = {change.home_id: change for change in summary.changes}
    assert {changes[home_id].change for home_id in DROPPED} == {HomeChangeKind.RESTORED}
    assert changes[NEW_HOME].change == HomeChangeKind.DEREGISTERED
    homes = stored_homes(connection)
    assert all(homes[home_id].registered for home_id in DROPPED)
    assert homes[RENAMED].name == "Allingham House Care Centre"


def test_a_dry_run_reports_the_same_summary_and_changes_nothing(connection, tmp_path):
    import_homes(connection, CARE_HOMES_CSV, NOW, dry_run=False)
    churned = churned_file(tmp_path / "trafford-2027.csv")
    before = versions(connection)

    dry = import_homes(connection, churned, LATER, dry_run=True)

    assert dry.dry_run and (dry.added, dry.updated, dry.deregistered, dry.unchanged) == (1, 1, 2, 53)
    assert versions(connection) == before
    assert directory_repository.latest_import(connection).file_name == CARE_HOMES_CSV.name
    real = import_homes(connection, churned, LATER, dry_run=False)
    assert real.model_dump(exclude={"dry_run"}) == dry.model_dump(exclude={"dry_run"})


def test_a_file_with_broken_rows_reports_each_with_its_line_and_imports_the_rest(connection, tmp_path):
    header, rows = trafford_rows()
    import_homes(connection, CARE_HOMES_CSV, NOW, dry_run=False)
    broken = [dict(row) for row in rows]
    broken[0]["cqc_id"] = ""                     # line 4 (two preamble lines, then the header)
    broken[2]["postcode"] = ""                   # line 6
    broken[4]["lat"] = "north-ish"               # line 8
    broken[6]["cqc_id"] = "RXY12"                # line 10
    broken.append(dict(broken[10]))              # line 60: the same home twice
    path = write_csv(tmp_path / "broken.csv", header, broken, preamble=["Care homes in Trafford", "Exported,2026"])

    summary = import_homes(connection, path, LATER, dry_run=False)

    assert [(row.line, row.reason) for row in summary.bad_rows] == [
        (4, "no CQC location ID"),
        (6, "postcode missing"),
        (8, "latitude is not a number ('north-ish')"),
        (10, "the CQC location ID 'RXY12' is not like 1-123456789"),
        (60, "the same CQC location ID as line 14"),
    ]
    # A home whose row is broken is still listed: it is not deregistered (one with no ID cannot be told apart).
    homes = stored_homes(connection)
    assert homes[rows[2]["cqc_id"]].registered and homes[rows[4]["cqc_id"]].registered
    assert summary.deregistered == 2 and {c.home_id for c in summary.changes} == {rows[0]["cqc_id"], rows[6]["cqc_id"]}
    assert summary.unchanged == 52


@pytest.mark.parametrize(("make_file", "says"), [
    (lambda path: path / "missing.csv", "There is no file"),
    (lambda path: _write_bytes(path / "picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
     "picture.csv is not a CSV text file"),
    (lambda path: _write_bytes(path / "other.csv", b"name,address,postcode\nA home,1 Road,M1 1AA\n"),
     "other.csv is not a CQC directory file: no 'Location ID' or 'cqc_id' column"),
    (lambda path: _write_bytes(path / "garbled.csv", "cqc_id,name\n".encode() + b"\x81\x8d\xff\xfe\n"),
     "garbled.csv is not a text file in UTF-8 or Windows-1252"),
    (lambda path: _write_bytes(path / "half.csv", b"cqc_id,name\n1-123456789,A home\n"),
     "half.csv has no 'type', 'address', 'postcode', 'area_name' column"),
], ids=["missing", "binary", "wrong header", "not text", "columns missing"])
def test_an_unreadable_file_changes_nothing(connection, tmp_path, make_file, says):
    import_homes(connection, CARE_HOMES_CSV, NOW, dry_run=False)
    before = versions(connection)

    with pytest.raises(UnreadableFile) as raised:
        import_homes(connection, make_file(tmp_path), LATER, dry_run=False)

    assert versions(connection) == before
    assert directory_repository.latest_import(connection).at == NOW
    assert says in str(raised.value)


def test_a_windows_spreadsheet_file_is_read_and_what_the_file_does_not_say_is_kept(connection, tmp_path):
    header, rows = trafford_rows()
    import_homes(connection, CARE_HOMES_CSV, NOW, dry_run=False)
    with write_transaction(connection):  # the home's ODS code comes from elsewhere (NHSmail registration)
        record = repository.get_record(connection, "care_home", RENAMED)
        repository.upsert_record(connection, kind="care_home", record_id=RENAMED, home_id=RENAMED,
                                 version=repository.next_version(connection), data={**record.data, "ods_code": "VNX12"},
                                 updated_at=record.updated_at, updated_by_device=None)
    rows = [dict(row) for row in rows]
    rows[1]["name"] = "Allingham House Café"
    path = write_csv(tmp_path / "excel.csv", header, rows, encoding="cp1252")

    summary = import_homes(connection, path, LATER, dry_run=False)

    assert summary.updated == 1 and summary.changes[0].fields == ["name"]
    home = stored_homes(connection)[RENAMED]
    assert home.name == "Allingham House Café" and home.ods_code == "VNX12"


def test_devices_receive_a_new_home_and_a_deregistration_as_care_home_changes(demo_database, tmp_path):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as client:
        headers = sign_in(client, "commissioner")  # area icb:QOP: her device holds the area's homes
        cursor, more = 0, True
        while more:
            page = client.get("/sync/changes", params={"since": cursor}, headers=headers).json()
            cursor, more = page["cursor"], page["has_more"]
        with client.app_ref.state.engine.connect() as connection:
            import_homes(connection, churned_file(tmp_path / "trafford-2027.csv"), client.clock.now, dry_run=False)

        page = client.get("/sync/changes", params={"since": cursor}, headers=headers).json()

    changed = {change["id"]: change for change in page["changes"]}
    assert set(changed) == {NEW_HOME, RENAMED, *DROPPED}
    assert {change["kind"] for change in changed.values()} == {"care_home"}
    assert changed[NEW_HOME]["data"]["name"] == "Brook View Care Home"
    assert changed[DROPPED[0]]["data"]["deregistered_on"] == client.clock.now.date().isoformat()
    assert not any(change["deleted"] for change in changed.values())  # deregistered, never deleted


def _write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_line_numbers_count_a_quoted_address_over_two_lines(tmp_path):
    path = _write_bytes(tmp_path / "multiline.csv", (
        "cqc_id,name,type,address,postcode,area_name\r\n"
        '1-100000001,Elm House,Residential homes,"1 Elm Road,\r\nSale",M33 1AA,Trafford\r\n'
        "1-100000002,Oak House,Nursing homes,2 Oak Road,,Trafford\r\n"
        "\r\n"
        "1-100000003,Ash House,Nursing homes|Residential homes,3 Ash Road,M33 3AA,Trafford\r\n"
    ).encode())

    read = read_directory(path)

    assert [(entry.line, entry.home.address) for entry in read.entries] == [(2, "1 Elm Road, Sale"),
                                                                          (6, "3 Ash Road")]
    assert [(row.line, row.reason) for row in read.bad_rows] == [(4, "postcode missing")]
    assert read.ids_on_bad_rows == {"1-100000002"}
    assert [c.value for c in read.entries[1].home.bed_categories] == [
        "residential", "residential_dementia", "nursing", "nursing_dementia"]
