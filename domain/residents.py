"""A resident's record for the digital red bag (PRSB "About Me" and transfer content).

=========  ==================================  ==========================
model      record id                           how many per home
=========  ==================================  ==========================
Resident   ``<home>/resident/<resident_id>``   one per resident
=========  ==================================  ==========================

This is special-category personal data (UK GDPR): only the resident's home and
the receiving hospital may see it.

NHS number: 10 digits, the last a modulus-11 check digit (weights 10 down to 2
on the first nine digits; check = 11 - (sum mod 11), 11 means 0 and 10 means
the number is invalid). Input may contain spaces ("943 476 5919"); it is
stored as 10 digits and shown as 3-3-4.

Who changed it and when: ``changed_by`` / ``changed_at``, as in
``domain.readiness`` (stamped by the app on save with :func:`stamp`).

Date of birth: refused in the future or giving an age over 125 (typing
mistakes), on the day the resident is entered: :func:`new_resident` takes that
day. A saved record is read back without the check, so a device whose clock is
wrong never loses a resident.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from domain.news2 import (
    PULSE_RANGE,
    RESPIRATION_RATE_RANGE,
    SPO2_RANGE,
    SYSTOLIC_BP_RANGE,
    TEMPERATURE_RANGE,
    Consciousness,
    Spo2Scale,
)
from domain.records import SyncedRecord
from domain.records import stamp as stamp  # re-exported: works for every record here

ID_PATTERN = r"^[A-Za-z0-9_-]+$"
MAX_AGE_YEARS = 125
FREE_TEXT_MAX = 2000

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
FreeText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=FREE_TEXT_MAX)]


# --- NHS number -------------------------------------------------------------------------------------------------


def _nhs_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when it would be 10 (no valid number)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def normalise_nhs_number(text: str) -> str:
    """'943 476 5919' -> '9434765919'; ValueError naming the rule if it is not a valid NHS number."""
    digits = "".join(str(text).split())
    if digits and not (digits.isascii() and digits.isdigit()):
        raise ValueError("an NHS number must contain only digits (spaces allowed)")
    if len(digits) != 10:
        raise ValueError(f"an NHS number must have 10 digits, got {len(digits)}")
    check = _nhs_check_digit(digits[:9])
    if check is None:
        raise ValueError("not a valid NHS number: the modulus 11 check digit of these first nine digits is 10")
    if check != int(digits[9]):
        raise ValueError("not a valid NHS number: the last digit does not match the modulus 11 check digit")
    return digits


def is_valid_nhs_number(text: str) -> bool:
    try:
        normalise_nhs_number(text)
    except ValueError:
        return False
    return True


def format_nhs_number(digits: str) -> str:
    """'9434765919' -> '943 476 5919' (the 3-3-4 way it is printed)."""
    digits = normalise_nhs_number(digits)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


# --- common parts -----------------------------------------------------------------------------------------------


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Organisation(_Part):
    """A GP practice or a hospital: its name and, if known, its ODS code (e.g. A81001, RJ1)."""

    name: Name
    ods_code: str | None = Field(default=None, description="NHS ODS code, e.g. A81001 (GP) or RJ122 (hospital site)")

    @field_validator("ods_code")
    @classmethod
    def _ods_code(cls, code: str | None) -> str | None:
        code = code.strip().upper() if code else None
        if code is not None and not re.fullmatch(r"[A-Z0-9]{3,10}", code):
            raise ValueError("ods_code must be 3 to 10 letters or digits, e.g. A81001 or RJ1")
        return code


class NextOfKin(_Part):
    name: Name
    relationship: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] = Field(
        description='e.g. "Daughter"')
    phone: str = Field(description='e.g. "07700 900123" or "+44 7700 900123"')

    @field_validator("phone")
    @classmethod
    def _phone(cls, phone: str) -> str:
        phone = " ".join(phone.split())
        if not re.fullmatch(r"\+?[0-9 ()-]+", phone):
            raise ValueError("phone may contain only digits, spaces, brackets, hyphens and a leading +")
        digits = sum(c.isdigit() for c in phone)
        if not 10 <= digits <= 15:
            raise ValueError(f"phone must have 10 to 15 digits, got {digits}")
        return phone


class AboutMe(_Part):
    """PRSB "About Me": what matters to the resident and how to care for them (free text)."""

    what_matters_to_me: FreeText = ""
    communication: FreeText = ""
    mobility: FreeText = ""
    eating_and_drinking: FreeText = ""
    continence: FreeText = ""
    sensory_aids: FreeText = Field(default="", description="Glasses, hearing aids, ...")


ABOUT_ME_LABELS: dict[str, str] = {
    "what_matters_to_me": "What matters to me",
    "communication": "Communication",
    "mobility": "Mobility",
    "eating_and_drinking": "Eating and drinking",
    "continence": "Continence",
    "sensory_aids": "Sensory aids",
}


class AllergySeverity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Allergy(_Part):
    substance: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description='e.g. "Penicillin"')
    reaction: ShortText = Field(default="", description='e.g. "Rash"')
    severity: AllergySeverity = AllergySeverity.UNKNOWN


class MedicineRoute(StrEnum):
    ORAL = "oral"
    SUBLINGUAL = "sublingual"
    TOPICAL = "topical"
    TRANSDERMAL = "transdermal"
    INHALED = "inhaled"
    SUBCUTANEOUS = "subcutaneous"
    INTRAMUSCULAR = "intramuscular"
    RECTAL = "rectal"
    EYE = "eye"
    EAR = "ear"
    NASAL = "nasal"
    ENTERAL_TUBE = "enteral_tube"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"eye": "Eye drops", "ear": "Ear drops", "enteral_tube": "Enteral tube (PEG)"}.get(
            self.value, self.value.capitalize())


class Medicine(_Part):
    """One line of the MAR chart."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description='e.g. "Paracetamol 500 mg tablets"')
    dose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        description='e.g. "1 g"')
    route: MedicineRoute = MedicineRoute.ORAL
    frequency: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        description='e.g. "Four times a day", "When required (PRN)"')
    last_given: AwareDatetime | None = None

    @property
    def text(self) -> str:
        return f"{self.name}, {self.dose} {self.route.label.lower()}, {self.frequency}"


class Dnacpr(StrEnum):
    IN_PLACE = "in_place"
    NOT_IN_PLACE = "not_in_place"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {"in_place": "DNACPR in place", "not_in_place": "No DNACPR", "unknown": "DNACPR status unknown"}[
            self.value]


class Resuscitation(_Part):
    dnacpr: Dnacpr = Dnacpr.UNKNOWN
    respect_form: bool = Field(default=False, description="True: the resident has a ReSPECT form")
    respect_summary: FreeText = Field(default="", validate_default=True,
                                      description="The form's recommendations, in brief")

    @field_validator("respect_summary")
    @classmethod
    def _summary_with_form(cls, summary: str, info: ValidationInfo) -> str:
        if info.data.get("respect_form") and not summary:
            raise ValueError("respect_summary is required when there is a ReSPECT form (respect_form)")
        if info.data.get("respect_form") is False and summary:
            raise ValueError("respect_summary must be empty when there is no ReSPECT form (respect_form)")
        return summary

    @property
    def text(self) -> str:
        respect = f"ReSPECT form: {self.respect_summary}" if self.respect_form else "No ReSPECT form"
        return f"{self.dnacpr.label}. {respect}."


class BaselineObservations(_Part):
    """The resident's usual values when well (any may be unknown), to compare a NEWS2 set with."""

    respiration_rate: int | None = Field(default=None, ge=RESPIRATION_RATE_RANGE[0], le=RESPIRATION_RATE_RANGE[1])
    spo2: int | None = Field(default=None, ge=SPO2_RANGE[0], le=SPO2_RANGE[1])
    systolic_bp: int | None = Field(default=None, ge=SYSTOLIC_BP_RANGE[0], le=SYSTOLIC_BP_RANGE[1])
    pulse: int | None = Field(default=None, ge=PULSE_RANGE[0], le=PULSE_RANGE[1])
    consciousness: Consciousness | None = None
    temperature: Decimal | None = Field(default=None, ge=TEMPERATURE_RANGE[0], le=TEMPERATURE_RANGE[1],
                                        decimal_places=1, description="Degrees Celsius, one decimal place")

    @field_validator("temperature")
    @classmethod
    def _one_decimal(cls, temperature: Decimal | None) -> Decimal | None:
        return None if temperature is None else temperature.quantize(Decimal("0.1"))


# --- the resident -----------------------------------------------------------------------------------------------


def age_on(date_of_birth: date, day: date) -> int:
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def check_date_of_birth(born: date, today: date) -> date:
    """``born`` if it is plausible on ``today``; ValueError for a date in the future or an age over 125."""
    if born > today:
        raise ValueError("Date of birth can't be in the future")
    if age_on(born, today) > MAX_AGE_YEARS:
        raise ValueError(f"Date of birth gives an age over {MAX_AGE_YEARS} years: check the year")
    return born


# The validation context key that makes ``Resident`` check the date of birth against that day.
TODAY = "today"


class Resident(SyncedRecord):
    """What the red bag carries about one resident."""

    resident_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN, description="e.g. a UUID")
    given_name: Name
    family_name: Name
    date_of_birth: date
    nhs_number: str | None = Field(default=None, description="10 digits, stored without spaces; None if not known")
    gp_practice: Organisation | None = None
    next_of_kin: NextOfKin | None = None
    about_me: AboutMe = Field(default_factory=AboutMe)
    no_known_allergies: bool = Field(default=False, description="True: recorded as no known allergies (NKA)")
    allergies: tuple[Allergy, ...] = Field(default=(), validate_default=True)
    conditions: tuple[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)], ...] = ()
    medicines: tuple[Medicine, ...] = Field(default=(), description="As on the MAR chart")
    resuscitation: Resuscitation = Field(default_factory=Resuscitation)
    baseline: BaselineObservations | None = None
    spo2_scale: Spo2Scale = Field(default=1, description="2 only with documented hypercapnic respiratory failure "
                                                         "(target SpO2 88-92%)")

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_birth(cls, born: date, info: ValidationInfo) -> date:
        # Checked on the day the record is made (``new_resident``); a saved record stays readable
        # whatever the reading device's clock says.
        today = (info.context or {}).get(TODAY)
        return born if today is None else check_date_of_birth(born, today)

    @field_validator("nhs_number")
    @classmethod
    def _nhs_number(cls, number: str | None) -> str | None:
        if number is None or not number.strip():
            return None
        return normalise_nhs_number(number)

    @field_validator("allergies")
    @classmethod
    def _allergies_or_nka(cls, allergies: tuple[Allergy, ...], info: ValidationInfo) -> tuple[Allergy, ...]:
        if allergies and info.data.get("no_known_allergies"):
            raise ValueError("allergies must be empty when no_known_allergies is set (not both)")
        return allergies

    @property
    def record_id(self) -> str:
        return resident_record_id(self.home_id, self.resident_id)

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def sort_name(self) -> str:
        """'SMITH, Margaret' (as hospital systems list patients)."""
        return f"{self.family_name.upper()}, {self.given_name}"

    @property
    def nhs_number_text(self) -> str:
        return format_nhs_number(self.nhs_number) if self.nhs_number else "Not known"

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)

    @property
    def allergies_recorded(self) -> bool:
        return self.no_known_allergies or bool(self.allergies)

    @property
    def allergies_text(self) -> str:
        if self.no_known_allergies:
            return "No known allergies"
        if not self.allergies:
            return "Allergies not recorded"
        return "; ".join(
            a.substance + (f" ({a.reaction}, {a.severity.value})" if a.reaction else f" ({a.severity.value})")
            for a in self.allergies
        )


def new_resident(today: date, **fields: Any) -> Resident:
    """A resident entered on ``today``: validated, the date of birth checked against that day."""
    return Resident.model_validate(fields, context={TODAY: today})


def resident_record_id(home_id: str, resident_id: str) -> str:
    return f"{home_id}/resident/{resident_id}"

