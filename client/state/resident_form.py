"""The resident form of the red bag: everything the resident record holds, as a carer types it, new or edited.

UI-free: the view shows these texts and forwards what is typed; ``ResidentScreen.save_resident`` turns a form
into a validated ``domain.residents.Resident``. Medicines are lines of the MAR chart (name, dose, route,
frequency); allergies are required, as a list or "No known allergies"; About me follows PRSB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.news2 import OBSERVATION_FIELDS
from domain.residents import (
    ABOUT_ME_LABELS,
    Allergy,
    Dnacpr,
    MedicineRoute,
    Resident,
)

# The About me parts the form asks for, in the order a carer fills them in.
ABOUT_ME_ASKED = ("what_matters_to_me", "communication", "mobility", "eating_and_drinking", "sensory_aids")
ROUTE_OPTIONS = [(r.value, r.label) for r in MedicineRoute]
MEDICINE_FIELDS = {"name": "Medicine", "dose": "Dose", "frequency": "How often"}


def _date_text(born: date) -> str:
    return f"{born:%d/%m/%Y}"


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


@dataclass
class MedicineLine:
    """One MAR chart line as typed (all text until saved)."""

    name: str = ""
    dose: str = ""
    route: str = MedicineRoute.ORAL.value
    frequency: str = ""

    @property
    def empty(self) -> bool:
        return not (self.name.strip() or self.dose.strip() or self.frequency.strip())


@dataclass
class ResidentForm:
    """What the carer has typed for one resident (all text or ticks)."""

    given_name: str = ""
    family_name: str = ""
    date_of_birth: str = ""
    nhs_number: str = ""
    gp_name: str = ""
    gp_ods: str = ""
    kin_name: str = ""
    kin_relationship: str = ""
    kin_phone: str = ""
    about: dict[str, str] = field(default_factory=lambda: dict.fromkeys(ABOUT_ME_ASKED, ""))
    conditions: str = ""  # comma-separated
    allergies: str = ""  # comma-separated
    no_known_allergies: bool = False
    dnacpr: str = Dnacpr.UNKNOWN.value
    respect_form: bool = False
    respect_summary: str = ""
    baseline: dict[str, str] = field(default_factory=lambda: {f.name: "" for f in OBSERVATION_FIELDS})
    medicines: list[MedicineLine] = field(default_factory=list)

    @classmethod
    def of(cls, r: Resident) -> ResidentForm:
        """The form filled in from a saved resident (to edit it)."""
        b = r.baseline
        return cls(
            given_name=r.given_name, family_name=r.family_name, date_of_birth=_date_text(r.date_of_birth),
            nhs_number=r.nhs_number_text if r.nhs_number else "",
            gp_name=r.gp_practice.name if r.gp_practice else "",
            gp_ods=(r.gp_practice.ods_code or "") if r.gp_practice else "",
            kin_name=r.next_of_kin.name if r.next_of_kin else "",
            kin_relationship=r.next_of_kin.relationship if r.next_of_kin else "",
            kin_phone=r.next_of_kin.phone if r.next_of_kin else "",
            about={name: getattr(r.about_me, name) for name in ABOUT_ME_ASKED},
            conditions=", ".join(r.conditions), allergies=", ".join(a.substance for a in r.allergies),
            no_known_allergies=r.no_known_allergies, dnacpr=r.resuscitation.dnacpr.value,
            respect_form=r.resuscitation.respect_form, respect_summary=r.resuscitation.respect_summary,
            baseline={f.name: "" if b is None or getattr(b, f.name) is None else str(getattr(b, f.name))
                      for f in OBSERVATION_FIELDS},
            medicines=[MedicineLine(m.name, m.dose, m.route.value, m.frequency) for m in r.medicines],
        )

    @property
    def about_labels(self) -> dict[str, str]:
        return {name: ABOUT_ME_LABELS[name] for name in ABOUT_ME_ASKED}

    # -- medicines (lines of the MAR chart) -------------------------------------------------------------

    def add_medicine(self) -> int:
        self.medicines.append(MedicineLine())
        return len(self.medicines) - 1

    def set_medicine(self, index: int, part: str, text: str) -> None:
        if part not in (*MEDICINE_FIELDS, "route"):
            raise ValueError(f"no such part of a medicine: {part}")
        setattr(self.medicines[index], part, text or "")

    def remove_medicine(self, index: int) -> None:
        del self.medicines[index]

    # -- to the record ---------------------------------------------------------------------------------

    def problem(self) -> str | None:
        """What the form still needs before the record can be made (beyond the record's own checks)."""
        if not self.no_known_allergies and not _split(self.allergies):
            return "Allergies: list them, or tick No known allergies"
        if self.no_known_allergies and _split(self.allergies):
            return "Allergies: list them or tick No known allergies, not both"
        for number, line in enumerate(self.medicines, 1):
            if line.empty:
                continue
            missing = [label for part, label in MEDICINE_FIELDS.items() if not getattr(line, part).strip()]
            if missing:
                return f"Medicine {number}: write the {' and the '.join(m.lower() for m in missing)}"
        if any((self.kin_name.strip(), self.kin_relationship.strip(), self.kin_phone.strip())) and not all(
                (self.kin_name.strip(), self.kin_relationship.strip(), self.kin_phone.strip())):
            return "Next of kin: write the name, how they are related and their phone number"
        if self.respect_form and not self.respect_summary.strip():
            return "ReSPECT form: write what it recommends, in brief"
        if self.gp_ods.strip() and not self.gp_name.strip():
            return "GP practice: write its name"
        return None

    def fields(self, earlier: Resident | None) -> dict[str, Any]:
        """The record's fields from the form (the date of birth is parsed by the caller)."""
        # An allergy kept by name keeps its reaction and severity (the form lists substances only).
        known = {a.substance.casefold(): a for a in (earlier.allergies if earlier else ())}
        allergies = tuple(known.get(s.casefold(), Allergy(substance=s)) for s in _split(self.allergies))
        baseline = {k: v.strip() for k, v in self.baseline.items() if v and v.strip()}
        if earlier and earlier.baseline and earlier.baseline.consciousness is not None:
            baseline["consciousness"] = earlier.baseline.consciousness.value
        return {
            "given_name": self.given_name, "family_name": self.family_name,
            "nhs_number": self.nhs_number or None,
            "gp_practice": {"name": self.gp_name, "ods_code": self.gp_ods or None} if self.gp_name.strip() else None,
            "next_of_kin": ({"name": self.kin_name, "relationship": self.kin_relationship, "phone": self.kin_phone}
                            if self.kin_name.strip() else None),
            "about_me": {**(earlier.about_me.model_dump() if earlier else {}), **self.about},
            "conditions": _split(self.conditions),
            "no_known_allergies": self.no_known_allergies, "allergies": allergies,
            "medicines": tuple({"name": m.name, "dose": m.dose, "route": m.route, "frequency": m.frequency}
                               for m in self.medicines if not m.empty),
            "resuscitation": {"dnacpr": self.dnacpr, "respect_form": self.respect_form,
                              "respect_summary": self.respect_summary if self.respect_form else ""},
            "baseline": baseline or None,
        }
