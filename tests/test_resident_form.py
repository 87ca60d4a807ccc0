"""The resident form (client.state.resident_form via ResidentScreen.save_resident): the whole record, new or edited.

Issue 13 part 6: the form asks for what the record holds (medicines as on the MAR chart, next of kin, GP,
About me, conditions, allergies required, DNACPR / ReSPECT), and a resident can be edited; acceptance 5: an
edited medicine reaches the transfer pack (pdftotext).
"""

from __future__ import annotations

from datetime import datetime, timezone

from client.state.red_bag import ResidentScreen
from client.state.resident_form import ResidentForm
from domain.residents import Dnacpr, MedicineRoute, Resident
from tests.support.pdf_text import flat
from tests.support.records import HOME_ID

NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)


def screen_of(store, resident_id=None) -> ResidentScreen:
    return ResidentScreen(store, HOME_ID, resident_id, "carer1", lambda: NOW)


def full_form() -> ResidentForm:
    form = ResidentForm(given_name="Margaret", family_name="Smith", date_of_birth="12/04/1938",
                        nhs_number="943 476 5919", gp_name="Manor Surgery", gp_ods="A81001",
                        kin_name="Jane Smith", kin_relationship="Daughter", kin_phone="07700 900123",
                        conditions="Vascular dementia, COPD", allergies="Penicillin",
                        dnacpr="in_place", respect_form=True, respect_summary="Hospital care, no CPR")
    form.about.update(what_matters_to_me="Her cat, Tiddles", communication="Hard of hearing on the left",
                      mobility="Walks with a frame", eating_and_drinking="Soft diet", sensory_aids="Glasses")
    form.baseline.update(respiration_rate="16", spo2="96", systolic_bp="128", pulse="76", temperature="36.8")
    line = form.add_medicine()
    for part, text in (("name", "Paracetamol 500 mg tablets"), ("dose", "1 g"), ("frequency", "Four times a day")):
        form.set_medicine(line, part, text)
    return form


def saved(store) -> Resident:
    [row] = store.records("resident", HOME_ID)
    return Resident.model_validate(row.data)


def test_the_form_saves_everything_the_record_holds(store):
    screen = screen_of(store)
    assert screen.save_resident(full_form()) is None, screen.message
    r = saved(store)
    assert r.gp_practice.name == "Manor Surgery" and r.gp_practice.ods_code == "A81001"
    assert (r.next_of_kin.name, r.next_of_kin.relationship) == ("Jane Smith", "Daughter")
    assert r.about_me.what_matters_to_me == "Her cat, Tiddles" and r.about_me.eating_and_drinking == "Soft diet"
    assert r.about_me.sensory_aids == "Glasses" and r.about_me.mobility == "Walks with a frame"
    assert r.conditions == ("Vascular dementia", "COPD") and [a.substance for a in r.allergies] == ["Penicillin"]
    assert r.resuscitation.dnacpr is Dnacpr.IN_PLACE and r.resuscitation.respect_summary == "Hospital care, no CPR"
    [medicine] = r.medicines
    assert (medicine.name, medicine.dose, medicine.route, medicine.frequency) == (
        "Paracetamol 500 mg tablets", "1 g", MedicineRoute.ORAL, "Four times a day")


def test_allergies_are_required_as_a_list_or_no_known_allergies(store):
    screen = screen_of(store)
    form = full_form()
    form.allergies = ""
    assert screen.save_resident(form) == "Allergies: list them, or tick No known allergies"
    form.no_known_allergies = True
    form.allergies = "Latex"
    assert "not both" in screen.save_resident(form)
    assert store.records("resident") == []
    form.allergies = ""
    assert screen.save_resident(form) is None
    assert saved(store).allergies_text == "No known allergies"


def test_half_written_parts_are_refused_in_plain_words(store):
    screen = screen_of(store)
    form = full_form()
    form.set_medicine(0, "dose", "")
    assert screen.save_resident(form) == "Medicine 1: write the dose"
    form.set_medicine(0, "dose", "1 g")
    form.kin_phone = ""
    assert screen.save_resident(form).startswith("Next of kin: write the name")
    form.kin_phone = "07700 900123"
    form.respect_summary = ""
    assert screen.save_resident(form).startswith("ReSPECT form")
    assert store.records("resident") == []
    assert "_" not in (screen.message or "")


def test_a_resident_is_edited_in_place_keeping_what_the_form_does_not_show(store):
    screen = screen_of(store)
    assert screen.save_resident(full_form()) is None
    first = saved(store)
    editing = screen_of(store, first.resident_id)
    form = editing.form()
    assert form.given_name == "Margaret" and form.date_of_birth == "12/04/1938" and form.gp_ods == "A81001"
    assert form.medicines[0].name == "Paracetamol 500 mg tablets" and form.about["communication"]
    form.set_medicine(form.add_medicine(), "name", "Amoxicillin 500 mg capsules")
    form.set_medicine(1, "dose", "500 mg")
    form.set_medicine(1, "frequency", "Three times a day")
    form.remove_medicine(0)
    form.kin_phone = "07700 900456"
    assert editing.save_resident(form) is None, editing.message
    [row] = store.records("resident", HOME_ID)  # the same record, not a second resident
    edited = Resident.model_validate(row.data)
    assert edited.resident_id == first.resident_id and edited.changed_by == "carer1"
    assert [m.name for m in edited.medicines] == ["Amoxicillin 500 mg capsules"]
    assert edited.next_of_kin.phone == "07700 900456" and edited.resuscitation == first.resuscitation
    assert edited.baseline == first.baseline
    assert editing.message == "Saved Margaret Smith"


def test_acceptance_5_an_edited_medicine_reaches_the_transfer_pack(store, read_pdf):
    screen = screen_of(store)
    assert screen.save_resident(full_form()) is None
    editing = screen_of(store, saved(store).resident_id)
    form = editing.form()
    line = form.add_medicine()
    for part, text in (("name", "Furosemide 40 mg tablets"), ("dose", "40 mg"), ("frequency", "Each morning")):
        form.set_medicine(line, part, text)
    assert editing.save_resident(form) is None
    editing.reason = "Short of breath"
    documents = editing.start_transfer()
    assert documents is not None, editing.message
    _, pdf = store.documents.read(documents.pack.id)
    text = flat(read_pdf(pdf, layout=False))
    assert "Furosemide 40 mg tablets" in text and "Paracetamol 500 mg tablets" in text
