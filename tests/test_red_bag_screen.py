"""The red bag screens' state (client.state.red_bag) against a real device store: no Flet, no network."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from client.state.red_bag import DEFAULT_HOSPITAL, ResidentList, ResidentScreen, parse_date
from domain.transfer import BelongingItem, SoftSign, Transfer, TransferStatus, record_return
from tests.support.pdf_text import flat
from tests.support.records import HOME_ID

NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)
BASELINE = {"respiration_rate": "16", "spo2": "96", "systolic_bp": "128", "pulse": "76", "temperature": "36.8"}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def saves():
    return []


def new_screen(store, clock, saves, resident_id=None):
    return ResidentScreen(store, HOME_ID, resident_id, "carer1", clock, on_saved=lambda: saves.append(1))


def add(store, clock, saves, given="Margaret", family="Smith", **kwargs) -> ResidentScreen:
    screen = new_screen(store, clock, saves)
    kwargs.setdefault("baseline", BASELINE)
    assert screen.add_resident(given, family, "12/04/1938", "943 476 5919", **kwargs) is None, screen.message
    return screen


def test_a_new_resident_is_stamped_encrypted_and_queued(store, clock, saves):
    screen = add(store, clock, saves, allergies="Penicillin, Latex", dnacpr="in_place")
    assert saves == [1] and store.pending_count() == 1
    [row] = store.records("resident", HOME_ID)
    assert row.pending and row.data["changed_by"] == "carer1" and row.data["nhs_number"] == "9434765919"
    raw = store.db.execute("SELECT data FROM records WHERE kind = 'resident'").fetchone()[0]
    assert "Margaret" not in raw  # special-category data: encrypted on the device
    assert screen.title == "Margaret Smith" and screen.dnacpr_in_place
    assert screen.dnacpr_text == "DNACPR in place"
    assert "Penicillin" in screen.allergies_text and "Latex" in screen.allergies_text
    lines = dict(screen.summary_lines)
    assert lines["NHS number"] == "943 476 5919" and lines["Born"].startswith("12 Apr 1938 (aged 88)")
    assert "Pulse 76/min" in lines["Usual observations"]


@pytest.mark.parametrize(("args", "fragment"), [
    (("", "Smith", "12/04/1938", ""), "Given name can't be empty"),
    (("Margaret", "Smith", "1938-13-40", ""), "DD/MM/YYYY"),
    (("Margaret", "Smith", "12/04/1938", "943 476 5918"), "check digit"),
    (("Margaret", "Smith", (NOW + timedelta(days=2)).strftime("%d/%m/%Y"), ""), "future"),  # the screen's clock
])
def test_a_bad_resident_is_refused_with_a_message_and_nothing_is_saved(store, clock, saves, args, fragment):
    screen = new_screen(store, clock, saves)
    message = screen.add_resident(*args)
    assert message and fragment in message and screen.message_is_error
    assert store.records("resident") == [] and saves == []


def test_a_bad_baseline_is_refused(store, clock, saves):
    screen = new_screen(store, clock, saves)
    message = screen.add_resident("Margaret", "Smith", "12/04/1938", baseline={"pulse": "400"})
    assert message and "Pulse" in message and store.records("resident") == []


def test_parse_date_accepts_the_usual_ways():
    assert parse_date("12/04/1938") == parse_date("1938-04-12") == parse_date("12-04-1938") == date(1938, 4, 12)


def test_the_draft_starts_from_the_baseline_and_shows_news2_live(store, clock, saves):
    screen = add(store, clock, saves)
    assert screen.obs_text == BASELINE
    assert screen.news2_text.startswith("NEWS2 0 (Low)")
    screen.set_obs("pulse", "135")  # typed
    for _ in range(3):
        screen.step_obs("temperature", 1)  # 36.8 -> 37.1
    assert screen.obs_text["temperature"] == "37.1"
    screen.step_obs("spo2", -1)  # 96 -> 95: 1
    assert screen.news2.total == 4 and screen.news2_text.startswith("NEWS2 4 (Low-medium)")
    screen.set_obs("pulse", "abc")
    assert screen.news2 is None and screen.obs_errors == {"pulse": "a number, please"}


def test_without_a_baseline_the_missing_observations_are_named(store, clock, saves):
    screen = add(store, clock, saves, baseline=None)
    assert screen.news2 is None and "Enter Respiration rate, SpO2" in screen.news2_text
    screen.step_obs("pulse", 1)
    assert screen.obs_text["pulse"] == "81"


def test_send_to_hospital_saves_one_transfer_in_hospital_and_makes_the_pack(store, clock, saves):
    add(store, clock, saves)
    [resident] = store.records("resident", HOME_ID)
    screen = new_screen(store, clock, saves, resident.data["resident_id"])
    assert screen.start_transfer() is None and screen.message == "Write the reason for the transfer"
    assert store.records("transfer") == []
    screen.reason = "Fall in the lounge, hip pain"
    screen.set_obs("pulse", "112")
    screen.toggle_soft_sign(SoftSign.FALL)
    screen.set_belonging(BelongingItem.GLASSES, True)  # ticked means packed
    documents = screen.start_transfer()
    assert documents is not None, screen.message
    assert screen.message == "Transfer pack ready" and screen.documents == documents
    pack, pdf = store.documents.read(documents.pack.id)
    assert pdf.startswith(b"%PDF") and pack.name == "transfer-pack-20261125-0912.pdf"
    fhir, bundle = store.documents.read(documents.fhir.id)
    assert fhir.media_type == "application/fhir+json" and b'"resourceType": "Bundle"' in bundle
    [row] = store.records("transfer", HOME_ID)
    transfer = Transfer.model_validate(row.data)
    assert row.pending and transfer.status is TransferStatus.IN_HOSPITAL and transfer.sent_at == NOW
    assert transfer.changed_by == "carer1" and transfer.news2_total == 2
    assert transfer.destination_hospital == DEFAULT_HOSPITAL and transfer.soft_signs == (SoftSign.FALL,)
    assert BelongingItem.DENTURES not in transfer.belongings.sent and BelongingItem.GLASSES in transfer.belongings.sent
    assert screen.in_hospital and "Wythenshawe Hospital" in screen.hospital_text
    # Opened again, the screen offers the same pack.
    assert new_screen(store, clock, saves, resident.data["resident_id"]).documents == documents
    # A second send while in hospital is refused.
    screen.reason = "again"
    assert screen.start_transfer() is None and "already in hospital" in screen.message
    assert len(store.records("transfer")) == 1

    residents = ResidentList(store, HOME_ID, clock)
    assert [r.in_hospital for r in residents.rows] == [True]
    assert residents.rows[0].status.startswith("In hospital since") and residents.summary == "1 resident, 1 in hospital"


def test_a_pack_that_cannot_be_made_is_said_in_words_and_the_transfer_is_still_saved(store, clock, saves):
    """It showed the PDF library's own words ("...could not be made: Not enough horizontal space to render...")."""
    add(store, clock, saves)
    [resident] = store.records("resident", HOME_ID)
    screen = new_screen(store, clock, saves, resident.data["resident_id"])
    screen.reason = "Fall in the lounge"

    def broken(transfer):
        raise RuntimeError("FPDFException: Not enough horizontal space to render a single character")

    screen.make_transfer_pack = broken
    assert screen.start_transfer() is None
    assert screen.message == ("Sent to hospital (saved). The transfer pack PDF could not be made: tap Transfer pack "
                              "PDF to try again") and screen.message_is_error
    assert len(store.records("transfer", HOME_ID)) == 1


def test_invalid_observations_refuse_the_transfer(store, clock, saves):
    screen = add(store, clock, saves)
    screen.reason = "Unwell"
    screen.set_obs("spo2", "")
    assert screen.start_transfer() is None and screen.message == "Enter SpO2"
    screen.set_obs("spo2", "101")
    assert screen.start_transfer() is None and "SpO2" in screen.message
    assert store.records("transfer") == []


def test_return_records_the_discharge_summary_and_missing_belongings(store, clock, saves):
    screen = add(store, clock, saves)
    screen.reason = "Short of breath"
    screen.set_belonging(BelongingItem.GLASSES, True)
    screen.set_belonging(BelongingItem.DENTURES, True)
    assert screen.start_transfer() is not None
    assert screen.returnable_items == [BelongingItem.GLASSES, BelongingItem.DENTURES]
    clock.now = NOW + timedelta(days=3)
    assert screen.record_return("Treated for pneumonia; amoxicillin for 5 days", ["glasses"]) is None
    assert screen.message == "Margaret Smith is back home; missing: Glasses"
    assert screen.message_is_warning and not screen.message_is_error  # a warning, not a green "done"
    [row] = store.records("transfer", HOME_ID)
    back = Transfer.model_validate(row.data)
    assert back.status is TransferStatus.RETURNED and back.missing_items == (BelongingItem.GLASSES,)
    assert back.returned_at == NOW + timedelta(days=3) and "pneumonia" in back.discharge_summary
    assert not screen.in_hospital and ResidentList(store, HOME_ID, clock).in_hospital == []
    assert screen.record_return("x") == "The resident is not in hospital"


def test_a_transfers_documents_go_when_it_ends_here_or_on_another_device(store, clock, saves):
    screen = add(store, clock, saves)
    screen.reason = "Short of breath"
    first = screen.start_transfer()
    assert first is not None and store.documents.groups() == {first.pack.group}
    assert screen.record_return("Home again") is None
    assert screen.documents is None and store.documents.groups() == set()

    screen.reason = "Unwell again"
    second = screen.start_transfer()
    assert second is not None
    # Another device records the return; this device hears of it on its next pull.
    [row] = [r for r in store.records("transfer", HOME_ID) if r.data["status"] == "in_hospital"]
    returned = record_return(Transfer.model_validate(row.data), NOW + timedelta(days=1))
    store.save("transfer", [returned])
    ResidentList(store, HOME_ID, clock)
    assert store.documents.groups() == set()
    with pytest.raises(KeyError):
        store.documents.read(second.pack.id)


def test_the_list_is_sorted_by_family_name(store, clock, saves):
    add(store, clock, saves, "Zoe", "Brown")
    add(store, clock, saves, "Albert", "Young")
    add(store, clock, saves, "Ann", "adams")
    assert [r.name for r in ResidentList(store, HOME_ID, clock).rows] == ["ADAMS, Ann", "BROWN, Zoe", "YOUNG, Albert"]
    assert ResidentList(store, "another-home", clock).summary == "No residents on this device yet"


def test_belongings_start_unticked_and_the_hospital_is_chosen_from_a_searched_list(store, clock, saves):
    screen = add(store, clock, saves)
    assert not any(screen.belongings.values())  # ticked means packed: nothing is packed yet
    assert screen.hospital == DEFAULT_HOSPITAL
    screen.hospital_query = "stepping"
    assert [h.name for h in screen.hospital_choices] == ["Stepping Hill Hospital"]
    screen.choose_hospital("Stepping Hill Hospital")
    screen.reason = "Chest pain"
    assert screen.start_transfer() is not None, screen.message
    [row] = store.records("transfer", HOME_ID)
    transfer = Transfer.model_validate(row.data)
    assert transfer.destination_hospital.name == "Stepping Hill Hospital" and transfer.belongings.sent == ()


def test_a_return_with_nothing_missing_is_not_a_warning(store, clock, saves):
    screen = add(store, clock, saves)
    screen.reason = "Short of breath"
    assert screen.start_transfer() is not None
    assert screen.record_return("Home again") is None
    assert screen.message == "Margaret Smith is back home" and not screen.message_is_warning


def test_acceptance_5_no_observations_taken_never_blocks_the_transfer_and_the_pack_says_so(store, clock, saves,
                                                                                          read_pdf):
    """A carer with an ambulance at the door: no observations (no usual values either), a reason why, send."""
    add(store, clock, saves, baseline=None)
    [resident] = store.records("resident", HOME_ID)
    screen = new_screen(store, clock, saves, resident.data["resident_id"])
    screen.reason = "Found on the floor, not responding normally"
    screen.set_obs_not_taken(True)
    assert screen.news2 is None and screen.news2_text == "NEWS2 not calculated: observations not taken"
    assert screen.start_transfer() is None and screen.message == "Say why the observations were not taken"
    screen.set_obs_not_taken(True, "Ambulance crew at the door")
    documents = screen.start_transfer()
    assert documents is not None, screen.message
    [row] = store.records("transfer", HOME_ID)
    transfer = Transfer.model_validate(row.data)
    assert transfer.status is TransferStatus.IN_HOSPITAL and transfer.observations is None
    assert transfer.observations_not_taken_reason == "Ambulance crew at the door" and transfer.news2_total is None
    assert screen.transfer_news2_text == "NEWS2 not calculated: observations not taken (Ambulance crew at the door)"
    _, pdf = store.documents.read(documents.pack.id)
    text = flat(read_pdf(pdf, layout=False))
    assert "NEWS2 not calculated" in text and "Ambulance crew at the door" in text
    _, fhir = store.documents.read(documents.fhir.id)
    bundle = json.loads(fhir)
    assert "NEWS2 not calculated" in json.dumps(bundle)
    assert not [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
