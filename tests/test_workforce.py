"""Workforce with the bed update (issue 12, part 3): the domain's checks, and the bed state screen saving the
headcounts in the same transaction as the bed counts (a refused or failed save keeps neither)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import httpx
import pytest
from pydantic import ValidationError

from client.state.bed_state import BedStateScreen
from client.sync import CentralApi
from domain.messages import plain_words
from domain.workforce import MAX_STAFF_PER_COUNT, WORKFORCE_FIELDS, WORKFORCE_LABELS, Workforce, workforce_record_id
from tests.support import aio
from tests.support.area_homes import mutation, push_body
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, sign_in
from tests.support.central_inprocess import serving
from tests.support.devices import make_device
from tests.support.records import HOME_ID

SERVER = "http://central.test"
NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)
HEADCOUNTS = {"nurses_employed": 6, "nurses_agency": 2, "care_workers_employed": 30, "care_workers_agency": 4,
              "non_care_employed": 10, "non_care_agency": 0, "absent_today": 3}


# --- the domain ------------------------------------------------------------------------------------------------

def test_headcounts_are_whole_numbers_from_zero_to_a_sane_ceiling():
    workforce = Workforce(home_id=HOME_ID, **HEADCOUNTS)
    assert workforce.staff == 52 and workforce.record_id == f"{HOME_ID}/workforce"
    assert Workforce(home_id=HOME_ID).staff == 0  # nothing said: zeros
    for name in WORKFORCE_FIELDS[:-1]:
        for bad in (-1, MAX_STAFF_PER_COUNT + 1, 2.5, "ten"):
            with pytest.raises(ValidationError) as refused:
                Workforce(home_id=HOME_ID, **{**HEADCOUNTS, name: bad})
            words = plain_words(refused.value, WORKFORCE_LABELS)
            assert WORKFORCE_LABELS[name] in words, words
            assert "_" not in words.replace(HOME_ID, "")  # plain words, no field names


def test_more_staff_absent_than_counted_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as refused:
        Workforce(home_id=HOME_ID, nurses_employed=2, care_workers_employed=3, absent_today=6)
    words = plain_words(refused.value, WORKFORCE_LABELS)
    assert words.startswith("Staff absent today") and "(6) must not exceed the staff counted above (5)" in words


# --- the bed state screen --------------------------------------------------------------------------------------

@pytest.fixture
def screen(store):
    return BedStateScreen(store, HOME_ID, now=lambda: NOW)


def fill(screen: BedStateScreen, counts: dict[str, int]) -> None:
    screen.open_workforce()
    for name, value in counts.items():
        screen.set_workforce(name, str(value))


def test_the_section_is_folded_and_a_bed_only_update_is_unchanged(screen, sync):
    assert not screen.workforce.open and screen.workforce.summary == "Optional - not recorded yet"
    screen.decrement("nursing", "vacant_accepting")
    assert screen.save()
    assert [e.kind for e in sync.pending(10)] == ["bed_count", "home_status"]  # no workforce record made up
    assert screen.message == "Saved 1 bed category"


def test_workforce_is_saved_in_the_same_save_as_the_bed_counts(screen, store, sync):
    screen.decrement("nursing", "vacant_accepting")
    fill(screen, HEADCOUNTS)
    assert screen.can_save
    assert screen.save()
    pending = sync.pending(10)
    assert [e.kind for e in pending] == ["bed_count", "workforce", "home_status"]
    assert {name: pending[1].data[name] for name in WORKFORCE_FIELDS} == HEADCOUNTS
    assert store.record("workforce", workforce_record_id(HOME_ID)).data["care_workers_agency"] == 4
    assert screen.message == "Saved 1 bed category and the workforce"
    assert not screen.dirty and screen.workforce.summary == "52 staff, 3 absent today"
    assert screen.workforce.display("nurses_employed") == "6"  # the saved counts fill the boxes next time


def test_workforce_alone_is_a_save_and_confirms_the_bed_state(screen, sync):
    fill(screen, {"care_workers_employed": 12})
    assert screen.dirty and not screen.can_confirm_no_change
    assert screen.save()
    assert [e.kind for e in sync.pending(10)] == ["workforce", "home_status"]
    assert screen.message == "Saved the workforce"


@pytest.mark.parametrize(("name", "text", "message"), [
    ("care_workers_agency", "-1", "Care workers (agency) can't be less than 0"),
    ("nurses_employed", "lots", "Registered nurses (employed) must be a whole number"),
    ("non_care_employed", "99999", "Non-care staff (employed) can't be more than 2000"),
])
def test_invalid_workforce_refuses_the_whole_save_with_the_message_under_the_field(screen, store, name, text,
                                                                                     message):
    screen.decrement("nursing", "vacant_accepting")  # a valid bed change in the same save
    fill(screen, {**HEADCOUNTS, name: text})
    assert screen.workforce.errors == {name: message}
    assert not screen.can_save
    assert not screen.save()
    assert screen.message == f"Not saved: Workforce - {message}" and screen.message_is_error
    assert screen.workforce.open  # the message under the field is in view
    assert store.pending_count() == 0
    assert store.record("bed_count", f"{HOME_ID}/nursing").data["vacant_accepting"] == 4  # the beds neither
    screen.set_workforce(name, "1")
    assert screen.workforce.errors == {} and screen.save()


def test_more_absent_than_staff_is_refused_under_absent_today(screen, store):
    fill(screen, {"nurses_employed": 1, "absent_today": 4})
    assert "must not exceed the staff counted above (1)" in screen.workforce.errors["absent_today"]
    assert not screen.save() and store.pending_count() == 0


def test_a_failure_while_saving_saves_neither_the_beds_nor_the_workforce(screen, store):
    # The device's disk refuses the workforce row half-way through the save (after the bed count's row).
    with sqlite3.connect(store.path) as database:
        database.execute("CREATE TRIGGER refuse_workforce BEFORE INSERT ON records WHEN NEW.kind = 'workforce' "
                         "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    screen.decrement("nursing", "vacant_accepting")
    fill(screen, HEADCOUNTS)
    with pytest.raises(sqlite3.DatabaseError):
        screen.save()
    assert store.pending_count() == 0
    assert store.record("bed_count", f"{HOME_ID}/nursing").data["vacant_accepting"] == 4
    assert store.record("workforce", workforce_record_id(HOME_ID)) is None
    assert store.record("home_status", HOME_ID) is None


# --- synced like any record ------------------------------------------------------------------------------------

@pytest.fixture()
def client(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as test_client:
        yield test_client


@pytest.mark.usefixtures("memory_keyring")
def test_the_workforce_reaches_the_central_api_with_the_beds_and_bad_numbers_are_refused_there_too(client,
                                                                                                  tmp_path):
    transport = httpx.ASGITransport(app=client.app_ref)
    device = make_device(tmp_path / "demo", SERVER,
                         api_factory=lambda url, token: CentralApi(url, token, transport=transport))
    try:
        aio.run(device.session.sign_in(SERVER, "demo", DEMO_PASSWORD))
        assert aio.run(device.engine.sync_once())
        screen = BedStateScreen(device.store, DEMO_HOME, on_saved=device.engine.local_change)
        fill(screen, HEADCOUNTS)
        assert screen.save()
        assert aio.run(device.engine.sync_once()) and device.store.pending_count() == 0
    finally:
        device.close()
    headers = sign_in(client, "demo")
    changes = client.get("/sync/changes", params={"since": 0, "limit": 1000}, headers=headers).json()["changes"]
    [stored] = [c["data"] for c in changes if c["kind"] == "workforce"]
    assert {name: stored[name] for name in WORKFORCE_FIELDS} == HEADCOUNTS and stored["changed_by"] == "demo"
    assert any(c["kind"] == "home_status" for c in changes)  # the same save confirmed the bed state

    # A client that skips the app's checks: refused by the same rule, naming the field.
    bad = mutation("workforce", f"{DEMO_HOME}/workforce", {"home_id": DEMO_HOME, "care_workers_agency": -3})
    answer = client.post("/sync/push", headers=headers, json=push_body([bad]))
    assert answer.status_code == 422 and "care_workers_agency" in answer.text, answer.text
