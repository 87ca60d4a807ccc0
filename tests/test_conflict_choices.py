"""Records changed on two devices: the choice a person makes between the two versions (no UI, no server)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest

from client.state.conflicts import ConflictChoices, notice_text
from domain.news2 import Consciousness, Observations
from domain.residents import AboutMe, Resident, stamp
from domain.transfer import start_transfer
from protocol import MutationResult, MutationStatus, Record
from tests.support.records import HOME_ID

pytestmark = pytest.mark.usefixtures("memory_keyring")

MORNING = datetime(2026, 11, 25, 9, 10, tzinfo=timezone.utc)
LATER = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)


def margaret(**changes) -> Resident:
    return Resident(home_id=HOME_ID, resident_id="margaret", given_name="Margaret", family_name="Oyelaran-Whitfield",
                    date_of_birth=date(1934, 3, 2)).model_copy(update=changes)


def about(text: str) -> AboutMe:
    return AboutMe(what_matters_to_me=text)


def server_record(model, version: int) -> Record:
    return Record(kind="resident" if isinstance(model, Resident) else "transfer", id=model.record_id,
                  home_id=HOME_ID, version=version, updated_at=MORNING, data=model.model_dump(mode="json"))


def lose_a_conflict(store, sync, kind: str, mine, theirs) -> None:
    """This device saved `mine`; the server answers that another device's `theirs` got there first."""
    [mutation_id] = store.save(kind, [mine])
    sync.settle([MutationResult(mutation_id=uuid.UUID(mutation_id), status=MutationStatus.CONFLICT,
                                message="Changed on another device", current=server_record(theirs, 7))])


@pytest.fixture
def conflicted(store, sync):
    """Margaret's "what matters to me", written differently on this device and on another one."""
    sync.apply_pull_page([server_record(margaret(), 5)], 5)
    lose_a_conflict(store, sync, "resident",
                    stamp(margaret(about_me=about("Seeing her daughter on Sundays")), "carer2", LATER),
                    stamp(margaret(about_me=about("Her cat Biscuit and Radio 4")), "carer1", MORNING))
    return store


def test_no_copies_no_notice(store):
    choices = ConflictChoices(store, HOME_ID)
    assert choices.count == 0 and choices.notice is None and choices.choices == []


def test_the_notice_counts_records_in_plain_words():
    assert notice_text(0) is None
    assert notice_text(1) == "1 record was changed on two devices: choose which to keep"
    assert notice_text(3) == "3 records were changed on two devices: choose which to keep"


def test_each_copy_shows_your_version_against_the_other_field_by_field(conflicted):
    choices = ConflictChoices(conflicted, HOME_ID)
    assert choices.notice == "1 record was changed on two devices: choose which to keep"
    [choice] = choices.choices
    assert choice.title == "Resident details: Margaret Oyelaran-Whitfield"
    assert choice.yours_saved.startswith("Your version: saved by carer2, ")
    assert choice.theirs_saved.startswith("The version saved on another device: saved by carer1, ")
    # Only what differs, with plain labels; who saved it is said once per side, never as a difference.
    [difference] = choice.differences
    assert difference.label == "About me: what matters to me"
    assert difference.yours == "Seeing her daughter on Sundays"
    assert difference.theirs == "Her cat Biscuit and Radio 4"


def test_keep_mine_queues_my_version_on_top_of_theirs(conflicted, sync):
    saved = []
    choices = ConflictChoices(conflicted, HOME_ID, on_saved=lambda: saved.append(1))
    [choice] = choices.choices
    message = choices.keep_mine(choice.copy_id)
    assert message == ("Kept your version of Margaret Oyelaran-Whitfield: it will be sent when this device syncs")
    assert choices.count == 0 and choices.notice is None and saved == [1]
    record = conflicted.record("resident", margaret().record_id)
    assert record.data["about_me"]["what_matters_to_me"] == "Seeing her daughter on Sundays" and record.pending
    [entry] = sync.pending(10)
    assert entry.base_version == 7  # built on the other device's version, so the server takes it


def test_keep_theirs_drops_my_version_and_sends_nothing(conflicted, sync):
    saved = []
    choices = ConflictChoices(conflicted, HOME_ID, on_saved=lambda: saved.append(1))
    [choice] = choices.choices
    assert choices.keep_theirs(choice.copy_id) == (
        "Kept the version saved on another device for Margaret Oyelaran-Whitfield")
    assert choices.count == 0 and saved == [] and sync.pending(10) == []
    record = conflicted.record("resident", margaret().record_id)
    assert record.data["about_me"]["what_matters_to_me"] == "Her cat Biscuit and Radio 4" and not record.pending


def test_a_copy_already_chosen_elsewhere_on_screen_is_refused_plainly(conflicted):
    choices = ConflictChoices(conflicted, HOME_ID)
    [choice] = choices.choices
    choices.keep_theirs(choice.copy_id)
    with pytest.raises(KeyError, match="no record waiting for a choice"):
        choices.keep_mine(choice.copy_id)


def test_a_transfer_is_named_by_its_resident_and_lists_are_shown_as_words(store, sync):
    sync.apply_pull_page([server_record(margaret(), 5)], 5)
    observations = Observations(respiration_rate=24, spo2=93, on_oxygen=False, systolic_bp=98, pulse=112,
                                consciousness=Consciousness.ALERT, temperature="38.4")
    theirs = start_transfer(margaret(), "Fall in the garden", observations)
    mine = theirs.model_copy(update={"actions_taken": "Paracetamol given at 08:40"})
    lose_a_conflict(store, sync, "transfer", mine, theirs)
    [choice] = ConflictChoices(store, HOME_ID).choices
    assert choice.title == "Hospital transfer: Margaret Oyelaran-Whitfield"
    [difference] = choice.differences
    assert (difference.label, difference.yours, difference.theirs) == (
        "Actions taken", "Paracetamol given at 08:40", "(empty)")


def test_another_homes_copies_are_not_shown(conflicted):
    assert ConflictChoices(conflicted, "1-466088203").count == 0


def test_versions_saved_without_a_name_still_say_where_they_come_from(store, sync):
    sync.apply_pull_page([server_record(margaret(), 5)], 5)
    lose_a_conflict(store, sync, "resident", margaret(about_me=about("Mine")), margaret(about_me=about("Theirs")))
    [choice] = ConflictChoices(store, HOME_ID).choices
    assert choice.yours_saved == "Your version: saved on this device"
    assert choice.theirs_saved == "The version saved on another device: it reached the central API first"


def test_a_lost_bed_count_is_kept_for_the_bed_state_screen_and_not_on_the_red_bag(store, sync):
    from domain.beds import BedCount

    def beds(occupied: int) -> BedCount:
        return BedCount(home_id=HOME_ID, category="nursing", max_capacity=20, occupied=occupied,
                        vacant_reserved=0, vacant_accepting=20 - occupied)

    [mutation_id] = store.save("bed_count", [beds(15)])
    sync.settle([MutationResult(mutation_id=uuid.UUID(mutation_id), status=MutationStatus.CONFLICT,
                                message="Another device changed Nursing beds",
                                current=Record(kind="bed_count", id=f"{HOME_ID}/nursing", home_id=HOME_ID, version=9,
                                               updated_at=MORNING, data=beds(14).model_dump(mode="json")))])
    assert ConflictChoices(store, HOME_ID).count == 0  # the red bag's notice is about its own records
    bed_choices = ConflictChoices(store, HOME_ID, kinds={"bed_count"})
    [choice] = bed_choices.choices
    assert choice.title == "Nursing beds" and choice.record_id == f"{HOME_ID}/nursing"
    assert [(d.label, d.yours, d.theirs) for d in choice.differences] == [
        ("Occupied", "15", "14"), ("Vacant accepting admissions", "5", "6")]
    bed_choices.keep_mine(choice.copy_id)
    [entry] = sync.pending(10)
    assert entry.kind == "bed_count" and entry.base_version == 9 and entry.data["occupied"] == 15
