"""``python -m server_stub import-homes FILE [--database-url URL] [--dry-run]`` as a real process: it migrates an
empty database, shows a progress bar (stderr) and the summary, changes nothing on a dry run, and exits 1 with
a plain message (no traceback) on a file it cannot read. And what it imports reaches a commissioner's device
(the app's own store and sync engine) through a running central API.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from client.credentials import CredentialStore
from client.session import SessionManager
from client.store import open_device_store
from client.sync import SyncEngine
from server_stub.demo_data import CARE_HOMES_CSV, DEMO_PASSWORD
from tests.support import aio
from tests.support.server_process import PROJECT_ROOT
from tests.support.timing import scaled
from tests.test_directory_import import DROPPED, NEW_HOME, RENAMED, churned_file

pytestmark = pytest.mark.slow  # each test runs the command as its own process


def run_import(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server_stub", "import-homes", *map(str, args)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=scaled(60))


def database(path: Path) -> dict:
    with closing(sqlite3.connect(path)) as connection:
        return {
            "homes": dict(connection.execute("SELECT id, version FROM records WHERE kind = 'care_home'").fetchall()),
            "imports": connection.execute("SELECT count(*) FROM directory_imports").fetchone()[0],
        }


def test_an_import_shows_progress_and_its_summary_then_a_dry_run_changes_nothing(tmp_path):
    db = tmp_path / "central.sqlite3"
    url = f"sqlite:///{db}"

    first = run_import(CARE_HOMES_CSV, "--database-url", url)

    assert first.returncode == 0, first.stderr
    assert "56/56" in first.stderr  # the progress bar's last state
    assert "Added 56, updated 0, deregistered 0, restored 0, unchanged 0; bad rows 0" in first.stdout
    assert "added        1-1938268568   Allingham House Care Centre" in first.stdout
    assert "Dry run" not in first.stdout
    imported = database(db)
    assert len(imported["homes"]) == 56 and imported["imports"] == 1

    dry = run_import(churned_file(tmp_path / "trafford-2027.csv"), "--database-url", url, "--dry-run")

    assert dry.returncode == 0, dry.stderr
    assert "Added 1, updated 1, deregistered 2, restored 0, unchanged 53; bad rows 0" in dry.stdout
    assert f"updated      {RENAMED}   Allingham House (name)" in dry.stdout
    assert f"added        {NEW_HOME}   Brook View Care Home" in dry.stdout
    assert all(f"deregistered {home_id}" in dry.stdout for home_id in DROPPED)
    assert dry.stdout.rstrip().endswith("Dry run: nothing was changed.")
    assert database(db) == imported


def test_bad_rows_are_listed_with_their_lines(tmp_path):
    lines = CARE_HOMES_CSV.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("Allingham House Care Centre,1-1938268568", ",")  # no name, no ID
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(["Trafford care homes, April 2020", *lines]) + "\n", encoding="utf-8")

    result = run_import(broken, "--database-url", f"sqlite:///{tmp_path / 'central.sqlite3'}")

    assert result.returncode == 0, result.stderr
    assert "Bad rows (not imported):\n  line 4: no CQC location ID" in result.stdout
    assert "Added 55," in result.stdout


@pytest.mark.parametrize(("content", "says"), [
    (None, "Nothing was imported: There is no file"),
    (b"\x00\x01\x02PK\x03\x04", "Nothing was imported: unreadable.csv is not a CSV text file"),
    (b"name,postcode\nA home,M1 1AA\n",
     "Nothing was imported: unreadable.csv is not a CQC directory file: no 'Location ID' or 'cqc_id' column"),
], ids=["missing", "binary", "wrong header"])
def test_an_unreadable_file_exits_1_with_a_plain_message_and_changes_nothing(tmp_path, content, says):
    db = tmp_path / "central.sqlite3"
    assert run_import(CARE_HOMES_CSV, "--database-url", f"sqlite:///{db}").returncode == 0
    before = database(db)
    path = tmp_path / "unreadable.csv"
    if content is not None:
        path.write_bytes(content)

    result = run_import(path, "--database-url", f"sqlite:///{db}")

    assert result.returncode == 1
    assert says in result.stderr and "Traceback" not in result.stderr + result.stdout
    assert database(db) == before


@pytest.mark.usefixtures("memory_keyring")
def test_a_commissioners_device_receives_a_new_home_and_a_deregistration(tmp_path, central_api):
    store, sync = open_device_store(tmp_path / "commissioner-laptop")
    session = SessionManager(store, CredentialStore(), central_api.url)
    engine = SyncEngine(sync, session)

    async def sync_now() -> None:
        assert await engine.sync_once()

    async def first_sync() -> None:
        await session.sign_in(central_api.url, "commissioner", DEMO_PASSWORD)
        await sync_now()

    try:
        aio.run(first_sync())
        assert store.record("care_home", NEW_HOME) is None and store.record("care_home", DROPPED[0]).data.get(
            "deregistered_on") is None

        result = run_import(churned_file(tmp_path / "trafford-2027.csv"), "--database-url", central_api.database_url)
        assert result.returncode == 0, result.stderr
        aio.run(sync_now())

        assert store.record("care_home", NEW_HOME).data["name"] == "Brook View Care Home"
        assert store.record("care_home", RENAMED).data["name"] == "Allingham House"
        for home_id in DROPPED:  # still on the device, marked deregistered (its history and bed states stay)
            assert store.record("care_home", home_id).data["deregistered_on"] is not None
            assert store.records("bed_count", home_id)
    finally:
        store.close()
