"""The transfer as a FHIR document Bundle (fhir.resources R4B models): it validates, round-trips and says what matters."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

from fhir.resources.R4B.bundle import Bundle

from client.reports.fhir_bundle import NHS_NUMBER_SYSTEM, bundle_json, transfer_bundle
from domain.homes import CareHome
from domain.news2 import Consciousness, Observations, news2
from domain.residents import Resident
from domain.transfer import Belongings, Sbard, SoftSign, depart, record_return, start_transfer

HOME_ID = "1-1938268568"
T0 = datetime(2026, 10, 20, 9, 30, tzinfo=timezone.utc)
HOME = CareHome(cqc_location_id=HOME_ID, ods_code="VM1X2", name="Allingham House Care Centre",
                address="Deansgate Lane, Timperley, Altrincham", postcode="WA15 6SQ", local_authority="Trafford",
                with_nursing=True, bed_categories=["nursing", "nursing_dementia"])
MARGARET = Resident(
    home_id=HOME_ID, resident_id="r1", given_name="Margaret", family_name="Smith", date_of_birth=date(1936, 4, 2),
    nhs_number="943 476 5919", gp_practice={"name": "Manor Surgery", "ods_code": "A81001"},
    next_of_kin={"name": "Ann Smith", "relationship": "Daughter", "phone": "07700 900123"},
    allergies=[{"substance": "Penicillin", "reaction": "Rash", "severity": "moderate"},
               {"substance": "Latex", "severity": "severe"}],
    conditions=["Vascular dementia", "COPD", "Type 2 diabetes"],
    medicines=[{"name": "Paracetamol 500 mg tablets", "dose": "1 g", "frequency": "Four times a day"},
               {"name": "Metformin 500 mg tablets", "dose": "500 mg", "frequency": "Twice a day"},
               {"name": "Salbutamol 100 micrograms inhaler", "dose": "2 puffs", "route": "inhaled",
                "frequency": "When required (PRN)"}],
    resuscitation={"dnacpr": "in_place", "respect_form": True, "respect_summary": "Hospital care, no CPR"},
    about_me={"communication": "Hard of hearing on the left", "mobility": "Zimmer frame, one carer",
              "sensory_aids": "Glasses, left hearing aid"},
)
# RR 22 (2), SpO2 93 scale 1 (2), air (0), BP 105 (1), pulse 95 (1), new confusion (3), 38.4 (1) = 10
UNWELL = Observations(respiration_rate=22, spo2=93, systolic_bp=105, pulse=95,
                      consciousness=Consciousness.NEW_CONFUSION, temperature="38.4", taken_at=T0)


def transfer(resident: Resident = MARGARET):
    prepared = start_transfer(
        resident, "Short of breath and new confusion since this morning", UNWELL, transfer_id="t1",
        soft_signs=[SoftSign.NEW_CONFUSION, SoftSign.NEW_BREATHLESSNESS],
        destination_hospital={"name": "Wythenshawe Hospital", "ods_code": "R0A07"},
        belongings=Belongings(glasses=True, hearing_aids=True, clothes=True))
    return depart(prepared, T0 + timedelta(minutes=40))


def resources(bundle: Bundle, kind: str) -> list:
    return [e.resource for e in bundle.entry if e.resource.get_resource_type() == kind]


def test_the_bundle_is_a_valid_fhir_document_that_round_trips():
    bundle = transfer_bundle(HOME, MARGARET, transfer(), now=T0 + timedelta(hours=1))
    text = bundle_json(bundle)
    assert Bundle.model_validate_json(text) == bundle
    assert bundle.type == "document"
    assert bundle.identifier.system == "urn:ietf:rfc:3986" and bundle.timestamp is not None
    composition = bundle.entry[0].resource
    assert composition.get_resource_type() == "Composition"
    assert composition.title == "Hospital transfer - Margaret Smith"
    assert [s.title for s in composition.section][0] == "Reason for transfer and SBARD"


def test_every_reference_points_at_an_entry_of_the_bundle():
    bundle = transfer_bundle(HOME, MARGARET, transfer(), now=T0)
    urls = [e.fullUrl for e in bundle.entry]
    assert len(set(urls)) == len(urls) and all(u.startswith("urn:uuid:") for u in urls)
    text = bundle_json(bundle)
    references = set(re.findall(r'"reference": "([^"]+)"', json.dumps(json.loads(text))))
    assert references and references <= set(urls)
    # Same inputs, same document.
    assert bundle_json(transfer_bundle(HOME, MARGARET, transfer(), now=T0)) == text


def test_patient_and_counts_match_the_inputs():
    sent = transfer()
    bundle = transfer_bundle(HOME, MARGARET, sent, now=T0)
    (patient,) = resources(bundle, "Patient")
    assert [(i.system, i.value) for i in patient.identifier] == [(NHS_NUMBER_SYSTEM, "9434765919")]
    assert patient.name[0].family == "Smith" and patient.birthDate == date(1936, 4, 2)
    assert patient.generalPractitioner[0].display == "Manor Surgery"
    assert patient.contact[0].name.text == "Ann Smith"

    assert [a.code.text for a in resources(bundle, "AllergyIntolerance")] == ["Penicillin", "Latex"]
    assert [c.code.text for c in resources(bundle, "Condition")] == list(MARGARET.conditions)
    statements = resources(bundle, "MedicationStatement")
    assert [s.medicationCodeableConcept.text for s in statements] == [m.name for m in MARGARET.medicines]
    assert all(s.dosage[0].text for s in statements)
    (encounter,) = resources(bundle, "Encounter")
    assert encounter.status == "in-progress" and encounter.class_fhir.code == "EMER"
    assert len(resources(bundle, "Organization")) == 2  # the home and the hospital

    observations = resources(bundle, "Observation")
    codes = {o.code.coding[0].code: o for o in observations}
    assert len(observations) == 7
    assert {"9279-1", "59408-5", "8480-6", "8867-4", "8310-5", "67775-7", "1104051000000101"} == set(codes)
    assert codes["1104051000000101"].valueInteger == news2(UNWELL).total == 10
    assert str(codes["8310-5"].valueQuantity.value) == "38.4" and codes["8310-5"].valueQuantity.code == "Cel"


def test_without_an_nhs_number_there_is_no_identifier_and_nka_is_one_allergy():
    resident = MARGARET.model_copy(update={"nhs_number": None, "allergies": (), "no_known_allergies": True})
    resident = Resident.model_validate(resident.model_dump())
    back = record_return(transfer(resident), T0 + timedelta(days=3), discharge_summary="Treated for chest infection")
    bundle = transfer_bundle(HOME, resident, back, now=T0 + timedelta(days=3))
    assert Bundle.model_validate_json(bundle_json(bundle)) == bundle
    (patient,) = resources(bundle, "Patient")
    assert not patient.identifier
    (allergy,) = resources(bundle, "AllergyIntolerance")
    assert allergy.code.coding[0].code == "716186003"
    assert resources(bundle, "Encounter")[0].status == "finished"


def test_a_minimal_resident_without_hospital_or_lists_still_validates():
    resident = Resident(home_id=HOME_ID, resident_id="r2", given_name="Zoë", family_name="O'Brien",
                        date_of_birth=date(1940, 1, 1))
    prepared = start_transfer(resident, "Fall <with> head injury & bleeding", UNWELL, transfer_id="t2",
                              sbard=Sbard(situation="Fell at 08:00"))
    bundle = transfer_bundle(HOME, resident, prepared, now=T0)
    assert Bundle.model_validate_json(bundle_json(bundle)) == bundle
    assert resources(bundle, "Encounter")[0].status == "planned"
    assert len(resources(bundle, "Organization")) == 1
    assert not resources(bundle, "AllergyIntolerance") and not resources(bundle, "MedicationStatement")
