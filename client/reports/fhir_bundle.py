"""A hospital transfer as an HL7 FHIR document Bundle, for a receiving hospital's record system.

``transfer_bundle`` turns the home, the resident and the transfer into a FHIR
Bundle of type ``document`` built with the ``fhir.resources`` models (which
validate every element as it is built); ``bundle_json`` gives its JSON.

FHIR version (design): ``fhir.resources`` 8 defaults to R5, so this uses its
``fhir.resources.R4B`` models (FHIR 4.3.0). R4B's resources used here
(Composition, Patient, Organization, Encounter, Observation, AllergyIntolerance,
Condition, MedicationStatement) have the same shape as FHIR R4 (4.0.1), the
version UK Core and NHS England's APIs use, so the JSON reads as R4.

What is in it:

* ``Composition`` first (as a document needs): "Hospital transfer - <name>",
  authored by the home, with sections: reason and SBARD, observations,
  medicines, allergies, conditions, resuscitation (DNACPR / ReSPECT),
  belongings, about me.
* ``Patient``: NHS number (system https://fhir.nhs.uk/Id/nhs-number, only when
  known), name, birth date, GP (display and ODS code) and next of kin.
* ``Organization`` for the home (ODS site code, CQC location ID) and for the
  destination hospital (ODS code), when one is recorded.
* ``Encounter``: the transfer, class emergency (v3 ActCode EMER); status
  planned (being prepared), in-progress (in hospital) or finished (back home);
  service provider the hospital, origin the home.
* ``Observation`` per vital sign (LOINC codes, UCUM units) and one for the
  NEWS2 total (SNOMED CT 1104051000000101) with the risk as interpretation;
  consciousness (LOINC 67775-7) has its ACVPU value as text only.
* ``AllergyIntolerance`` per allergy, or one "No known allergy" (SNOMED CT
  716186003) when that is recorded; ``Condition`` per condition (text only);
  ``MedicationStatement`` per medicine on the MAR chart (text only).

Every ``fullUrl`` is ``urn:uuid:<uuid>``, derived (uuid5) from the transfer's
record id, so the same transfer gives the same ids; references use them.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.composition import Composition
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.resource import Resource

from client.reports.checks import check_transfer_of
from domain.homes import CareHome
from domain.residents import ABOUT_ME_LABELS, AllergySeverity, Organisation, Resident
from domain.transfer import SBARD_LABELS, Transfer, TransferStatus

FHIR_VERSION = "4.3.0"  # R4B, R4-compatible for the resources used
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
CQC_LOCATION_SYSTEM = "https://www.cqc.org.uk/location"  # (design) CQC publishes no FHIR identifier system
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
XHTML = "http://www.w3.org/1999/xhtml"
_NAMESPACE = uuid.UUID("2c0f5a52-4d0c-4b3e-9a51-7d2f6b1c8e10")  # (design) for uuid5 ids

_ENCOUNTER_STATUS = {
    TransferStatus.AT_HOME: "planned",
    TransferStatus.IN_HOSPITAL: "in-progress",
    TransferStatus.RETURNED: "finished",
}
_VITAL_SIGNS_CATEGORY = [{"coding": [{
    "system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs",
    "display": "Vital Signs"}]}]


def transfer_bundle(home: CareHome, resident: Resident, transfer: Transfer, *, now: datetime) -> Bundle:
    """The transfer as a FHIR (R4B models, R4-shaped) document Bundle, dated ``now`` (timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (a FHIR instant has a time zone)")
    check_transfer_of(home, resident, transfer)
    ids = _Ids(transfer)
    patient_ref = {"reference": ids.url("patient"), "display": resident.display_name}
    home_org = _home_organization(home)
    hospital = transfer.destination_hospital
    hospital_org = _organization(hospital) if hospital else None

    patient = _patient(resident)
    encounter = _encounter(transfer, ids, patient_ref, home, hospital)
    observations = _observations(transfer, patient_ref, ids, now)
    allergies = _allergies(resident, patient_ref)
    conditions = [
        Condition.model_validate({
            "clinicalStatus": _concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active",
                                       "Active"),
            "code": {"text": condition}, "subject": patient_ref,
        })
        for condition in resident.conditions
    ]
    medicines = [
        MedicationStatement.model_validate({
            "status": "active", "medicationCodeableConcept": {"text": medicine.name}, "subject": patient_ref,
            "informationSource": {"reference": ids.url("home"), "display": home.name},
            "dosage": [{"text": f"{medicine.dose} {medicine.route.label.lower()}, {medicine.frequency}",
                        "route": {"text": medicine.route.label}}],
            **({"note": [{"text": f"Last given {medicine.last_given.isoformat()}"}]} if medicine.last_given else {}),
        })
        for medicine in resident.medicines
    ]

    named: list[tuple[str, Resource]] = [
        ("patient", patient), ("home", home_org), ("encounter", encounter),
        *((f"observation-{i}", r) for i, r in enumerate(observations)),
        *((f"allergy-{i}", r) for i, r in enumerate(allergies)),
        *((f"condition-{i}", r) for i, r in enumerate(conditions)),
        *((f"medication-{i}", r) for i, r in enumerate(medicines)),
    ]
    if hospital_org is not None:
        named.append(("hospital", hospital_org))

    def refs(prefix: str, count: int) -> list[dict[str, str]]:
        return [{"reference": ids.url(f"{prefix}-{i}")} for i in range(count)]

    composition = _composition(
        home, resident, transfer, ids, patient_ref, now,
        observations=refs("observation", len(observations)), allergies=refs("allergy", len(allergies)),
        conditions=refs("condition", len(conditions)), medicines=refs("medication", len(medicines)),
    )
    entries = []
    for name, resource in [("composition", composition), *named]:
        resource.id = ids.id(name)
        entries.append({"fullUrl": ids.url(name), "resource": resource})
    return Bundle.model_validate({
        "identifier": {"system": "urn:ietf:rfc:3986", "value": ids.url("bundle")},
        "type": "document",
        "timestamp": now,
        "entry": entries,
    })


def bundle_json(bundle: Bundle) -> str:
    """The Bundle as FHIR JSON (indented; empty elements left out)."""
    return bundle.model_dump_json(indent=2)


# --- ids ---------------------------------------------------------------------------------------------------------


class _Ids:
    """uuid5 ids for one transfer's resources, so the same transfer gives the same document ids."""

    def __init__(self, transfer: Transfer):
        self._base = f"carehome-connect:{transfer.record_id}"

    def id(self, name: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{self._base}:{name}"))

    def url(self, name: str) -> str:
        return f"urn:uuid:{self.id(name)}"


# --- resources ---------------------------------------------------------------------------------------------------


def _concept(system: str, code: str, display: str, text: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [{"system": system, "code": code, "display": display}]}
    if text:
        concept["text"] = text
    return concept


def _ods_identifier(code: str) -> dict[str, str]:
    return {"system": ODS_SYSTEM, "value": code}


def _org_reference(org: Organisation, url: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"display": org.name}
    if url:
        ref["reference"] = url
    if org.ods_code:
        ref["identifier"] = _ods_identifier(org.ods_code)
    return ref


def _home_organization(home: CareHome) -> Organization:
    identifiers = [{"system": CQC_LOCATION_SYSTEM, "value": home.cqc_location_id}]
    if home.ods_code:
        identifiers.insert(0, _ods_identifier(home.ods_code))
    return Organization.model_validate({
        "identifier": identifiers,
        "active": True,
        "type": [{"text": "Care home with nursing" if home.with_nursing else "Care home"}],
        "name": home.name,
        "address": [{"text": ", ".join(p for p in (home.address, home.postcode) if p),
                     **({"postalCode": home.postcode} if home.postcode else {}), "country": "GB"}],
    })


def _organization(org: Organisation) -> Organization:
    data: dict[str, Any] = {"active": True, "name": org.name}
    if org.ods_code:
        data["identifier"] = [_ods_identifier(org.ods_code)]
    return Organization.model_validate(data)


def _patient(resident: Resident) -> Patient:
    data: dict[str, Any] = {
        "name": [{"use": "official", "family": resident.family_name, "given": [resident.given_name],
                  "text": resident.display_name}],
        "birthDate": resident.date_of_birth,
    }
    if resident.nhs_number:
        data["identifier"] = [{"system": NHS_NUMBER_SYSTEM, "value": resident.nhs_number}]
    if resident.gp_practice:
        data["generalPractitioner"] = [_org_reference(resident.gp_practice)]
    kin = resident.next_of_kin
    if kin:
        data["contact"] = [{
            "relationship": [
                _concept("http://terminology.hl7.org/CodeSystem/v2-0131", "N", "Next-of-Kin"),
                {"text": kin.relationship},
            ],
            "name": {"text": kin.name},
            "telecom": [{"system": "phone", "value": kin.phone}],
        }]
    return Patient.model_validate(data)


def _encounter(transfer: Transfer, ids: _Ids, patient_ref: dict[str, str], home: CareHome,
               hospital: Organisation | None) -> Encounter:
    data: dict[str, Any] = {
        "status": _ENCOUNTER_STATUS[transfer.status],
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "EMER",
                  "display": "emergency"},
        "type": [{"text": "Transfer from care home to hospital"}],
        "subject": patient_ref,
        "reasonCode": [{"text": transfer.reason}],
        "hospitalization": {"origin": {"reference": ids.url("home"), "display": home.name}},
    }
    if transfer.sent_at:
        data["period"] = {"start": transfer.sent_at, **({"end": transfer.returned_at} if transfer.returned_at else {})}
    if hospital:
        data["serviceProvider"] = _org_reference(hospital, ids.url("hospital"))
        data["location"] = [{"location": _org_reference(hospital)}]
    return Encounter.model_validate(data)


def _observations(transfer: Transfer, patient_ref: dict[str, str], ids: _Ids, now: datetime) -> list[Observation]:
    obs, score = transfer.observations, transfer.news2
    if obs is None or score is None:
        return []  # not taken: the composition's Observations section says so (NEWS2 not calculated)
    common = {
        "status": "final", "category": _VITAL_SIGNS_CATEGORY, "subject": patient_ref,
        "encounter": {"reference": ids.url("encounter")},
        "effectiveDateTime": obs.taken_at or now,
    }

    def quantity(code: str, display: str, value: Any, unit: str, ucum: str, **extra: Any) -> Observation:
        return Observation.model_validate({
            **common, "code": _concept(LOINC, code, display, display), **extra,
            "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": ucum},
        })

    oxygen = "On supplemental oxygen" if obs.on_oxygen else "On air"
    return [
        quantity("9279-1", "Respiratory rate", obs.respiration_rate, "breaths/minute", "/min"),
        quantity("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", obs.spo2, "%", "%",
                 note=[{"text": f"{oxygen}; NEWS2 SpO2 scale {transfer.spo2_scale}"}],
                 component=[{"code": {"text": "On supplemental oxygen"}, "valueBoolean": obs.on_oxygen}]),
        quantity("8480-6", "Systolic blood pressure", obs.systolic_bp, "mmHg", "mm[Hg]"),
        quantity("8867-4", "Heart rate", obs.pulse, "beats/minute", "/min"),
        quantity("8310-5", "Body temperature", obs.temperature, "degrees C", "Cel"),
        Observation.model_validate({
            **common, "code": _concept(LOINC, "67775-7", "Level of responsiveness", "Consciousness (ACVPU)"),
            "valueCodeableConcept": {"text": f"{obs.consciousness.letter}: {obs.consciousness.label}"},
        }),
        Observation.model_validate({
            **common, "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey",
                "display": "Survey"}]}],
            "code": _concept(SNOMED, "1104051000000101",
                             "Royal College of Physicians NEWS2 (National Early Warning Score 2) total score",
                             "NEWS2 score"),
            "valueInteger": score.total,
            "interpretation": [{"text": f"{score.risk.label} clinical risk: {score.response}"}],
        }),
    ]


def _allergies(resident: Resident, patient_ref: dict[str, str]) -> list[AllergyIntolerance]:
    clinical = _concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active")
    verification = _concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed",
                            "Confirmed")
    if resident.no_known_allergies:
        return [AllergyIntolerance.model_validate({
            "clinicalStatus": clinical, "verificationStatus": verification,
            "code": _concept(SNOMED, "716186003", "No known allergy", "No known allergies"),
            "patient": patient_ref,
        })]
    found = []
    for allergy in resident.allergies:
        data: dict[str, Any] = {"clinicalStatus": clinical, "verificationStatus": verification,
                                "code": {"text": allergy.substance}, "patient": patient_ref}
        if allergy.reaction:
            reaction: dict[str, Any] = {"manifestation": [{"text": allergy.reaction}]}
            if allergy.severity is not AllergySeverity.UNKNOWN:
                reaction["severity"] = allergy.severity.value
            data["reaction"] = [reaction]
        if allergy.severity is AllergySeverity.SEVERE:
            data["criticality"] = "high"
        found.append(AllergyIntolerance.model_validate(data))
    return found


# --- the composition ---------------------------------------------------------------------------------------------


def _narrative(lines: Iterable[str]) -> dict[str, str]:
    body = "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines if line)
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{body or "<p>None recorded</p>"}</div>'}


def _section(title: str, lines: Iterable[str], entries: list[dict[str, str]] | None = None) -> dict[str, Any]:
    section: dict[str, Any] = {"title": title, "text": _narrative(lines)}
    if entries:
        section["entry"] = entries
    return section


def _composition(home: CareHome, resident: Resident, transfer: Transfer, ids: _Ids, patient_ref: dict[str, str],
                 now: datetime, *, observations: list[dict[str, str]], allergies: list[dict[str, str]],
                 conditions: list[dict[str, str]], medicines: list[dict[str, str]]) -> Composition:
    obs, score = transfer.observations, transfer.news2
    about = resident.about_me
    hospital = transfer.destination_hospital
    sections = [
        _section("Reason for transfer and SBARD", [
            f"Reason: {transfer.reason}",
            f"Soft signs: {transfer.soft_signs_text}",
            f"Actions taken: {transfer.actions_taken}" if transfer.actions_taken else "",
            f"Destination: {hospital.name}" if hospital else "",
            *(f"{label}: {getattr(transfer.sbard, name)}" for name, label in SBARD_LABELS.items()
              if getattr(transfer.sbard, name)),
        ]),
        _section("Observations", [
            f"Respiration rate {obs.respiration_rate}/min; SpO2 {obs.spo2}% "
            f"({'on oxygen' if obs.on_oxygen else 'on air'}, scale {transfer.spo2_scale}); "
            f"systolic BP {obs.systolic_bp} mmHg; pulse {obs.pulse}/min; {obs.consciousness.label}; "
            f"temperature {obs.temperature} °C",
            score.text,
        ] if obs is not None and score is not None else [
            f"Observations not taken: {transfer.observations_not_taken_reason}", "NEWS2 not calculated",
        ], observations),
        _section("Medicines", [m.text for m in resident.medicines] or ["No medicines recorded"], medicines),
        _section("Allergies", [resident.allergies_text], allergies),
        _section("Conditions", list(resident.conditions) or ["No conditions recorded"], conditions),
        _section("Resuscitation (DNACPR / ReSPECT)", [resident.resuscitation.text]),
        _section("Belongings sent", [", ".join(i.label for i in transfer.belongings.sent) or "None recorded"]),
        _section("About me", [f"{label}: {getattr(about, name)}" for name, label in ABOUT_ME_LABELS.items()
                              if getattr(about, name)]),
    ]
    return Composition.model_validate({
        "status": "final",
        "type": _concept(LOINC, "18761-7", "Transfer summary note", "Hospital transfer"),
        "subject": patient_ref,
        "encounter": {"reference": ids.url("encounter")},
        "date": now,
        "author": [{"reference": ids.url("home"), "display": home.name}],
        "custodian": {"reference": ids.url("home"), "display": home.name},
        "title": f"Hospital transfer - {resident.display_name}",
        "section": sections,
    })
