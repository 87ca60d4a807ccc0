"""The bed state screen's rules, driven without any UI."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from client.state.bed_state import BedStateScreen, sync_line
from client.sync import SyncState, SyncStatus
from tests.support.records import HOME_ID, bed_record

NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)




@pytest.fixture
def saves():
    return []


@pytest.fixture
def screen(store, saves):
    return BedStateScreen(store, HOME_ID, on_saved=lambda: saves.append(1), now=lambda: NOW)


def test_shows_each_offered_category_with_its_counts(screen):
    assert [d.category.value for d in screen.categories] == ["nursing", "nursing_dementia"]
    assert screen.draft("nursing").counts == {"max_capacity": 20, "occupied": 15, "vacant_reserved": 1,
                                              "vacant_accepting": 4}
    assert screen.can_confirm_no_change and not screen.can_save
    assert screen.confirmed_line() == "Never confirmed - please confirm the bed state"


def test_no_change_confirm_queues_one_confirmation(screen, sync, saves):
    assert screen.confirm_no_change()
    [entry] = sync.pending(10)
    assert entry.kind == "home_status" and entry.data["closed_to_admissions"] is False
    assert saves == [1]
    assert screen.confirmed_line().startswith("Confirmed on this device")


def test_one_change_then_save_queues_only_that_category(screen, store, sync):
    screen.decrement("nursing", "vacant_accepting")
    assert screen.can_save and not screen.can_confirm_no_change
    assert screen.save()
    kinds = [(e.kind, e.record_id) for e in sync.pending(10)]
    assert kinds == [("bed_count", f"{HOME_ID}/nursing"), ("home_status", HOME_ID)]
    assert store.record("bed_count", f"{HOME_ID}/nursing").data["vacant_accepting"] == 3
    assert not screen.dirty and screen.message == "Saved 1 bed category"


def test_over_capacity_is_refused_with_the_rule_and_nothing_is_stored(screen, store):
    screen.increment("nursing", "vacant_accepting")  # 15 + 1 + 5 = 21 > 20
    draft = screen.draft("nursing")
    assert draft.errors == {"vacant_accepting": "Beds accepting admissions can't be more than the beds in this "
                                                "category: occupied and vacant come to 21, the maximum capacity is 20"}
    assert not screen.can_save
    assert not screen.save()
    assert screen.message.startswith("Not saved: Nursing - Beds accepting admissions can't be more")
    assert store.pending_count() == 0


def test_typed_text_that_is_not_a_number_is_refused(screen, store):
    screen.set_text("nursing", "occupied", "fifteen")
    assert screen.draft("nursing").errors["occupied"] == "Occupied must be a whole number"
    assert not screen.save() and store.pending_count() == 0
    screen.set_text("nursing", "occupied", "14")
    assert screen.draft("nursing").errors == {}
    assert screen.save()


def test_negative_typed_count_is_refused_naming_the_field(screen):
    screen.set_text("nursing", "vacant_reserved", "-2")
    assert screen.draft("nursing").errors["vacant_reserved"] == "Vacant reserved can't be less than 0"  # plain words


def test_minus_never_goes_below_zero(screen):
    for _ in range(5):
        screen.decrement("nursing", "vacant_reserved")
    assert screen.draft("nursing").counts["vacant_reserved"] == 0


def test_closing_needs_a_reason(screen, store, sync):
    screen.set_closed(True)
    assert not screen.save()
    assert "reason" in screen.message and store.pending_count() == 0
    screen.set_closed(True, "infection_outbreak")
    assert screen.save()
    assert sync.pending(10)[-1].data["closed_reason"] == "infection_outbreak"


def test_a_draft_survives_a_sync_reload(screen, sync):
    screen.decrement("nursing", "occupied")
    sync.apply_pull_page([bed_record("nursing_dementia", 7, occupied=2)], 7)
    screen.reload()
    assert screen.draft("nursing").counts["occupied"] == 14
    assert screen.draft("nursing_dementia").counts["occupied"] == 2


def test_freshness_from_the_server_confirmation(store, sync):
    from protocol import Record
    confirmed = (NOW - timedelta(days=3)).isoformat()
    sync.apply_pull_page([Record(kind="home_status", id=HOME_ID, home_id=HOME_ID, version=8, updated_at=NOW,
                                  data={"home_id": HOME_ID, "closed_to_admissions": False,
                                        "confirmed_at": confirmed})], 8)
    screen = BedStateScreen(store, HOME_ID, now=lambda: NOW)
    assert screen.confirmed_line().endswith("- ageing")


WAITING_SINCE = datetime(2026, 11, 25, 9, 5, tzinfo=timezone.utc)  # 09:05 in London (GMT in November)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (SyncStatus(state=SyncState.OFFLINE, pending=2, waiting_since=WAITING_SINCE),
         "Waiting for the network since 09:05 - saved on this device (2 changes waiting)"),
        (SyncStatus(state=SyncState.OFFLINE, pending=1, waiting_since=WAITING_SINCE),
         "Waiting for the network since 09:05 - saved on this device (1 change waiting)"),
        (SyncStatus(state=SyncState.ERROR, pending=0, waiting_since=WAITING_SINCE),
         "Waiting for the network since 09:05 - nothing waiting to send"),
        (SyncStatus(state=SyncState.SIGNED_OUT, pending=1), "Saved on this device - sign in again to send (1 change waiting)"),
        # Refused by the server (her password was reset elsewhere): not "Sent 09:05" while nothing moves any more.
        (SyncStatus(state=SyncState.SIGNED_OUT, last_success_at=WAITING_SINCE),
         "Your sign-in has ended - sign in again to keep this device up to date (last sent 09:05)"),
        (SyncStatus(state=SyncState.SYNCING, pending=3), "Sending now (3 changes waiting)"),
        # Saved while online, the moment before the engine picks it up: sending, never "will send when online".
        (SyncStatus(state=SyncState.IDLE, pending=1), "Sending now (1 change waiting)"),
        (SyncStatus(state=SyncState.SYNCING, received=3000, expected=45000), "Receiving 3,000 of 45,000 changes..."),
        (SyncStatus(state=SyncState.UPGRADE_REQUIRED, pending=2),
         "Please update this app: the central API no longer accepts this version (2 changes kept on this device)"),
        (SyncStatus(state=SyncState.UPGRADE_REQUIRED, pending=0),
         "Please update this app: the central API no longer accepts this version"),
    ],
)
def test_sync_line_says_where_the_changes_are(status, expected):
    assert sync_line(status, NOW) == expected


def test_sync_line_after_sending():
    sent = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)
    assert sync_line(SyncStatus(state=SyncState.IDLE, pending=0, last_success_at=sent), NOW) == \
        f"Sent {sent.astimezone(ZoneInfo('Europe/London')):%H:%M}"


def test_sync_line_names_the_day_when_the_last_send_was_not_today():
    sent = NOW - timedelta(days=1)  # the same time of day, a day earlier: '09:12' alone would mislead
    assert sync_line(SyncStatus(state=SyncState.IDLE, pending=0, last_success_at=sent), NOW) == \
        f"Sent {sent.astimezone(ZoneInfo('Europe/London')):%d %b %H:%M}"


def test_sync_details_list_refusals_and_the_last_good_sync(store, sync):
    import uuid

    from client.state.sync_status import sync_details
    from domain.beds import BedCount
    from protocol import MutationResult, MutationStatus

    [mutation_id] = store.save("bed_count", [BedCount(home_id=HOME_ID, category="nursing", max_capacity=20,
                                                       occupied=15, vacant_reserved=1, vacant_accepting=3)])
    sync.settle([MutationResult(mutation_id=uuid.UUID(mutation_id), status=MutationStatus.CONFLICT,
                                message="Another device changed Nursing beds")])
    details = sync_details(SyncStatus(state=SyncState.OFFLINE, pending=0, message="Cannot reach the central API"),
                           store.sync_log())
    assert details.state == "Offline - retrying by itself"
    assert details.pending == "0 changes waiting to send"
    assert details.last_success == "Not synced since the app started"
    assert details.problem == "Cannot reach the central API"
    assert len(details.log) == 1 and details.log[0].endswith("conflict - Another device changed Nursing beds")


def lose_the_nursing_count(screen, store, sync) -> None:
    """This device's nursing count reaches the server after another device's: a conflict, the server's kept."""
    import uuid

    from protocol import MutationResult, MutationStatus, Record

    screen.decrement("nursing", "vacant_accepting")
    screen.increment("nursing", "occupied")
    assert screen.save()
    theirs = dict(store.record("bed_count", f"{HOME_ID}/nursing").data, occupied=14, vacant_accepting=5)
    sync.settle([MutationResult(mutation_id=uuid.UUID(e.mutation_id), status=MutationStatus.CONFLICT,
                                message="Another device changed Nursing beds after you last synced",
                                current=Record(kind="bed_count", id=e.record_id, home_id=HOME_ID, version=40,
                                               updated_at=NOW, data=theirs))
                 if e.kind == "bed_count" else
                 MutationResult(mutation_id=uuid.UUID(e.mutation_id), status=MutationStatus.APPLIED, version=41)
                 for e in sync.pending(10)])
    screen.reload()


def test_a_lost_change_is_not_sent_until_she_has_checked(screen, store, sync):
    lose_the_nursing_count(screen, store, sync)
    sent = SyncStatus(state=SyncState.IDLE, pending=0, last_success_at=NOW)
    assert screen.status_line(sent).startswith("Not applied: 1 change")
    assert screen.status_look(sent).value == "attention"
    [lost] = screen.lost_changes
    assert [(d.label, d.yours, d.theirs) for d in lost.differences] == [("Occupied", "16", "14"),
                                                                       ("Vacant accepting admissions", "3", "5")]
    screen.dismiss_notices()  # "OK, I have checked": the other device's numbers stand
    assert screen.lost_changes == [] and screen.status_line(sent) == "Sent 09:12"
    assert screen.draft("nursing").counts["occupied"] == 14 and sync.pending(10) == []


def test_a_new_save_answers_the_bed_notice(screen, store, sync):
    lose_the_nursing_count(screen, store, sync)
    screen.decrement("nursing_dementia", "vacant_accepting")
    assert screen.save()
    assert screen.lost_changes == [] and screen.not_applied == 0


def test_over_capacity_shows_under_the_count_that_was_changed_and_goes_when_put_right(screen):
    screen.increment("nursing", "occupied")  # 16 + 1 + 4 = 21 > 20
    draft = screen.draft("nursing")
    assert list(draft.errors) == ["occupied"]
    assert draft.errors["occupied"].startswith("Occupied beds can't be more than the beds in this category")
    screen.decrement("nursing", "occupied")
    assert draft.errors == {}
    screen.set_text("nursing", "max_capacity", "19")
    assert list(draft.errors) == ["max_capacity"]
    assert draft.errors["max_capacity"] == "Maximum capacity can't be less than the occupied and vacant beds (20)"


def test_coming_back_from_another_screen_the_old_message_is_gone_and_the_draft_kept(screen):
    screen.increment("nursing", "occupied")
    assert not screen.save() and screen.message.startswith("Not saved")
    screen.came_back()
    assert screen.message is None and not screen.message_is_error
    assert "occupied" in screen.draft("nursing").errors  # still true of the draft: still shown under the field
