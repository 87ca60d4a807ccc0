"""A hospital transfer: the digital red bag going out and coming back (Hospital Transfer Pathway).

=========  ==================================  ==============================
model      record id                           how many per home
=========  ==================================  ==============================
Transfer   ``<home>/transfer/<transfer_id>``   one per trip to hospital
=========  ==================================  ==============================

Life of a transfer (design)::

    start_transfer()          depart()                 record_return()
         -> at_home (being prepared) -> in_hospital (sent) -> returned

Out: the reason, soft signs (RESTORE2), a full set of observations with their
NEWS2 score, an SBARD handover (drafted by :func:`sbard_from`), the receiving
hospital and which belongings went in the bag. Back: the discharge summary,
medicines to take home and which of the belongings sent did not come back.

The NEWS2 total and risk are stored so a list or a hospital can read them
without recomputing, but they are never trusted from input: they are computed
from the observations, and a record carrying different values is refused.

Special-category personal data: only the resident's home and the receiving
hospital may see it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from domain.news2 import ClinicalRisk, News2Score, Observations, Spo2Scale, news2
from domain.residents import (
    FREE_TEXT_MAX,
    ID_PATTERN,
    FreeText,
    Medicine,
    Organisation,
    Resident,
    SyncedRecord,
)

DISCHARGE_SUMMARY_MAX = 20_000


class TransferStatus(StrEnum):
    AT_HOME = "at_home"
    IN_HOSPITAL = "in_hospital"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {"at_home": "Being prepared", "in_hospital": "In hospital", "returned": "Back home"}[self.value]


class SoftSign(StrEnum):
    """RESTORE2 soft signs of deterioration."""

    NEW_CONFUSION = "new_confusion"
    MORE_SLEEPY = "more_sleepy"
    CHANGE_IN_BEHAVIOUR = "change_in_behaviour"
    NOT_EATING_OR_DRINKING = "not_eating_or_drinking"
    PASSING_LESS_URINE = "passing_less_urine"
    NEW_BREATHLESSNESS = "new_breathlessness"
    NEW_COUGH = "new_cough"
    SKIN_CHANGE = "skin_change"
    NEW_PAIN = "new_pain"
    FALL = "fall"
    REDUCED_MOBILITY = "reduced_mobility"
    DIARRHOEA_OR_VOMITING = "diarrhoea_or_vomiting"
    FEELS_HOT_OR_COLD = "feels_hot_or_cold"
    NOT_THEMSELVES = "not_themselves"

    @property
    def label(self) -> str:
        return SOFT_SIGN_LABELS[self]


SOFT_SIGN_LABELS: dict[SoftSign, str] = {
    SoftSign.NEW_CONFUSION: "New or worse confusion",
    SoftSign.MORE_SLEEPY: "More sleepy or drowsy",
    SoftSign.CHANGE_IN_BEHAVIOUR: "Change in behaviour or agitation",
    SoftSign.NOT_EATING_OR_DRINKING: "Not eating or drinking as usual",
    SoftSign.PASSING_LESS_URINE: "Passing less urine",
    SoftSign.NEW_BREATHLESSNESS: "New or worse breathlessness",
    SoftSign.NEW_COUGH: "New cough",
    SoftSign.SKIN_CHANGE: "Change in skin colour (pale, mottled, blue)",
    SoftSign.NEW_PAIN: "New pain",
    SoftSign.FALL: "Fall",
    SoftSign.REDUCED_MOBILITY: "Less mobile than usual",
    SoftSign.DIARRHOEA_OR_VOMITING: "Diarrhoea or vomiting",
    SoftSign.FEELS_HOT_OR_COLD: "Feels hot or cold, shivering",
    SoftSign.NOT_THEMSELVES: "Not themselves (staff or family worried)",
}


class BelongingItem(StrEnum):
    GLASSES = "glasses"
    HEARING_AIDS = "hearing_aids"
    DENTURES = "dentures"
    CLOTHES = "clothes"
    SLIPPERS = "slippers"
    TOILETRIES = "toiletries"
    MEDICINES = "medicines"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Belongings(_Part):
    """Which belongings went in the red bag (True: sent)."""

    glasses: bool = False
    hearing_aids: bool = False
    dentures: bool = False
    clothes: bool = Field(default=False, description="Clothes for going home")
    slippers: bool = False
    toiletries: bool = False
    medicines: bool = Field(default=False, description="The resident's own medicines")

    @property
    def sent(self) -> tuple[BelongingItem, ...]:
        return tuple(item for item in BelongingItem if getattr(self, item.value))


class Sbard(_Part):
    """SBARD handover: situation, background, assessment, recommendation, decision."""

    situation: FreeText = ""
    background: FreeText = ""
    assessment: FreeText = ""
    recommendation: FreeText = ""
    decision: FreeText = ""

    @property
    def text(self) -> str:
        return "\n".join(f"{SBARD_LABELS[name]}: {getattr(self, name)}" for name in SBARD_LABELS)


SBARD_LABELS: dict[str, str] = {
    "situation": "Situation",
    "background": "Background",
    "assessment": "Assessment",
    "recommendation": "Recommendation",
    "decision": "Decision",
}


class Transfer(SyncedRecord):
    """One trip of one resident to hospital and back."""

    transfer_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN, description="e.g. a UUID")
    resident_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=FREE_TEXT_MAX)] = Field(
        description="Why the resident is going to hospital")
    soft_signs: tuple[SoftSign, ...] = Field(default=(), description="RESTORE2 soft signs seen")
    soft_signs_other: FreeText = Field(default="", description="Other signs, in words")
    actions_taken: FreeText = Field(default="", description="What the home did before the transfer")
    # None: not taken (the ambulance would not wait); the reason says why and the pack says NEWS2 not calculated.
    observations: Observations | None = None
    observations_not_taken_reason: FreeText = Field(default="", validate_default=True,
                                                    description="Why no observations were taken (when none were)")
    spo2_scale: Spo2Scale = 1
    news2_total: int | None = Field(default=None, validate_default=True,
                                    description="Computed from observations; refused if different")
    news2_risk: ClinicalRisk | None = Field(default=None, validate_default=True,
                                            description="Computed from observations; refused if different")
    sbard: Sbard = Field(default_factory=Sbard)
    destination_hospital: Organisation | None = None
    belongings: Belongings = Field(default_factory=Belongings)
    status: TransferStatus = TransferStatus.AT_HOME
    sent_at: AwareDatetime | None = Field(default=None, validate_default=True)
    returned_at: AwareDatetime | None = Field(default=None, validate_default=True)
    discharge_summary: Annotated[str, StringConstraints(strip_whitespace=True, max_length=DISCHARGE_SUMMARY_MAX)] = (
        Field(default="", validate_default=True, description="Empty on return: none came back with the resident"))
    medicines_to_take_home: tuple[Medicine, ...] = Field(default=(), validate_default=True)
    missing_items: tuple[BelongingItem, ...] = Field(default=(), validate_default=True,
                                                     description="Belongings sent that did not come back")

    @field_validator("soft_signs", "missing_items")
    @classmethod
    def _no_repeats(cls, items: tuple[StrEnum, ...], info: ValidationInfo) -> tuple[StrEnum, ...]:
        if len(set(items)) != len(items):
            raise ValueError(f"{info.field_name} must not name the same item twice")
        return items

    @field_validator("observations_not_taken_reason")
    @classmethod
    def _why_not_taken(cls, reason: str, info: ValidationInfo) -> str:
        if "observations" not in info.data:
            return reason  # already refused for another reason
        if info.data["observations"] is None and not reason:
            raise ValueError("Say why the observations were not taken")
        if info.data["observations"] is not None and reason:
            raise ValueError("Observations were taken: leave 'why not taken' empty")
        return reason

    @field_validator("news2_total", "news2_risk")
    @classmethod
    def _computed_news2(cls, given: int | ClinicalRisk | None, info: ValidationInfo) -> int | ClinicalRisk | None:
        data = info.data
        if "observations" not in data or "spo2_scale" not in data:
            return given  # already refused for another reason
        if data["observations"] is None:
            if given is not None:
                raise ValueError("NEWS2 must be empty when no observations were taken")
            return None
        score = news2(data["observations"], data["spo2_scale"])
        computed = score.total if info.field_name == "news2_total" else score.risk
        if given is not None and given != computed:
            raise ValueError(f"{info.field_name} must be {computed}, the NEWS2 of the observations "
                             f"(it is computed, not entered), got {given}")
        return computed

    @field_validator("sent_at")
    @classmethod
    def _sent_when_gone(cls, sent_at: datetime | None, info: ValidationInfo) -> datetime | None:
        status = info.data.get("status")
        if status is TransferStatus.AT_HOME and sent_at is not None:
            raise ValueError("sent_at must be empty while the transfer is being prepared (status at_home)")
        if status in (TransferStatus.IN_HOSPITAL, TransferStatus.RETURNED) and sent_at is None:
            raise ValueError(f"sent_at is required when the status is {status.value}")
        return sent_at

    @field_validator("returned_at")
    @classmethod
    def _returned_when_back(cls, returned_at: datetime | None, info: ValidationInfo) -> datetime | None:
        status = info.data.get("status")
        if status is TransferStatus.RETURNED:
            if returned_at is None:
                raise ValueError("returned_at is required when the status is returned")
            sent_at = info.data.get("sent_at")
            if sent_at is not None and returned_at < sent_at:
                raise ValueError("returned_at must not be before sent_at")
        elif status is not None and returned_at is not None:
            raise ValueError(f"returned_at must be empty unless the status is returned (it is {status.value})")
        return returned_at

    @field_validator("discharge_summary", "medicines_to_take_home")
    @classmethod
    def _only_on_return(cls, value: str | tuple[Medicine, ...], info: ValidationInfo) -> str | tuple[Medicine, ...]:
        status = info.data.get("status")
        if value and status is not None and status is not TransferStatus.RETURNED:
            raise ValueError(f"{info.field_name} must be empty until the resident has returned "
                             f"(status is {status.value})")
        return value

    @field_validator("missing_items")
    @classmethod
    def _missing_were_sent(cls, missing: tuple[BelongingItem, ...], info: ValidationInfo) -> tuple[BelongingItem, ...]:
        status = info.data.get("status")
        if missing and status is not None and status is not TransferStatus.RETURNED:
            raise ValueError(f"missing_items must be empty until the resident has returned (status is {status.value})")
        belongings = info.data.get("belongings")
        if belongings is not None:
            not_sent = [item.value for item in missing if item not in belongings.sent]
            if not_sent:
                raise ValueError(f"missing_items may only name belongings that were sent; not sent: "
                                 f"{', '.join(not_sent)}")
        return missing

    @property
    def record_id(self) -> str:
        return transfer_record_id(self.home_id, self.transfer_id)

    @property
    def news2(self) -> News2Score | None:
        """None when no observations were taken (NEWS2 not calculated)."""
        return news2(self.observations, self.spo2_scale) if self.observations is not None else None

    @property
    def news2_text(self) -> str:
        """'NEWS2 3 (Low-medium) ...' or 'NEWS2 not calculated: observations not taken (reason)'."""
        score = self.news2
        if score is None:
            return f"NEWS2 not calculated: observations not taken ({self.observations_not_taken_reason})"
        return score.text

    @property
    def is_active(self) -> bool:
        return is_active(self)

    @property
    def soft_signs_text(self) -> str:
        words = [sign.label for sign in self.soft_signs] + ([self.soft_signs_other] if self.soft_signs_other else [])
        return "; ".join(words) if words else "None recorded"


def transfer_record_id(home_id: str, transfer_id: str) -> str:
    return f"{home_id}/transfer/{transfer_id}"


def is_active(transfer: Transfer) -> bool:
    """The resident is in hospital on this transfer."""
    return transfer.status is TransferStatus.IN_HOSPITAL


def active_transfers(transfers: Iterable[Transfer]) -> dict[str, Transfer]:
    """resident_id -> the transfer the resident is in hospital on (the latest sent, should there be two)."""
    active: dict[str, Transfer] = {}
    for transfer in transfers:
        if not is_active(transfer):
            continue
        previous = active.get(transfer.resident_id)
        # In hospital means sent: the model refuses an in_hospital transfer without sent_at.
        if previous is None or transfer.sent_at > previous.sent_at:  # type: ignore[operator]
            active[transfer.resident_id] = transfer
    return active


# --- commands (each returns a new, validated record) ------------------------------------------------------------


def _validated(transfer: Transfer, **changes: object) -> Transfer:
    return Transfer.model_validate({**transfer.model_dump(), **changes})


def start_transfer(
    resident: Resident,
    reason: str,
    observations: Observations | None,
    *,
    observations_not_taken_reason: str = "",
    transfer_id: str | None = None,
    spo2_scale: Spo2Scale | None = None,
    soft_signs: tuple[SoftSign, ...] | list[SoftSign] = (),
    soft_signs_other: str = "",
    actions_taken: str = "",
    destination_hospital: Organisation | None = None,
    belongings: Belongings | None = None,
    sbard: Sbard | None = None,
) -> Transfer:
    """A new transfer being prepared (at_home). The SpO2 scale defaults to the resident's; the SBARD to a draft."""
    transfer = Transfer(
        home_id=resident.home_id,
        transfer_id=transfer_id or uuid.uuid4().hex,
        resident_id=resident.resident_id,
        reason=reason,
        soft_signs=tuple(soft_signs),
        soft_signs_other=soft_signs_other,
        actions_taken=actions_taken,
        observations=observations,
        observations_not_taken_reason=observations_not_taken_reason,
        spo2_scale=resident.spo2_scale if spo2_scale is None else spo2_scale,
        destination_hospital=destination_hospital,
        belongings=belongings or Belongings(),
    )
    return _validated(transfer, sbard=sbard or sbard_from(resident, transfer))


def depart(transfer: Transfer, at: datetime) -> Transfer:
    """The resident has left for hospital: at_home -> in_hospital."""
    if transfer.status is not TransferStatus.AT_HOME:
        raise ValueError(f"a transfer can only depart while being prepared (status at_home), "
                         f"not {transfer.status.value}")
    return _validated(transfer, status=TransferStatus.IN_HOSPITAL, sent_at=at)


def record_return(
    transfer: Transfer,
    at: datetime,
    discharge_summary: str = "",
    medicines: tuple[Medicine, ...] | list[Medicine] = (),
    missing_items: tuple[BelongingItem, ...] | list[BelongingItem] = (),
) -> Transfer:
    """The resident is back: in_hospital -> returned, with what came back and what did not."""
    if transfer.status is not TransferStatus.IN_HOSPITAL:
        raise ValueError(f"a return can only be recorded for a resident in hospital (status in_hospital), "
                         f"not {transfer.status.value}")
    return _validated(transfer, status=TransferStatus.RETURNED, returned_at=at, discharge_summary=discharge_summary,
                      medicines_to_take_home=tuple(medicines), missing_items=tuple(missing_items))


# --- SBARD draft ------------------------------------------------------------------------------------------------


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def sbard_from(resident: Resident, transfer: Transfer) -> Sbard:
    """A draft SBARD for staff to check and edit, from the resident's record and the transfer."""
    if (resident.home_id, resident.resident_id) != (transfer.home_id, transfer.resident_id):
        raise ValueError("sbard_from needs the transfer's own resident (home_id and resident_id must match)")
    obs, score = transfer.observations, transfer.news2
    # The age on the day of the transfer; with no time on it (observations not timed) it is left out.
    when = transfer.sent_at or (obs.taken_at if obs else None)
    age = f", aged {resident.age_on(when.date())}" if when else ""

    situation = [f"{resident.display_name}{age}, NHS number {resident.nhs_number_text}.",
                 f"Reason for transfer: {_sentence(transfer.reason)}"]
    if transfer.soft_signs or transfer.soft_signs_other:
        situation.append(f"Soft signs: {_sentence(transfer.soft_signs_text)}")

    background = []
    if resident.conditions:
        background.append(f"Conditions: {_sentence(', '.join(resident.conditions))}")
    background.append(f"Allergies: {_sentence(resident.allergies_text)}")
    if resident.medicines:
        background.append(f"Medicines: {_sentence('; '.join(m.text for m in resident.medicines))}")
    background.append(_sentence(resident.resuscitation.text))
    if resident.about_me.communication:
        background.append(f"Communication: {_sentence(resident.about_me.communication)}")
    if resident.about_me.mobility:
        background.append(f"Mobility: {_sentence(resident.about_me.mobility)}")
    if resident.gp_practice:
        background.append(f"GP: {resident.gp_practice.name}.")

    if obs is None:
        assessment = [f"Observations not taken: {_sentence(transfer.observations_not_taken_reason)}",
                      "NEWS2 not calculated."]
    else:
        oxygen = "on oxygen" if obs.on_oxygen else "on air"
        assessment = [
            f"Observations: respiration rate {obs.respiration_rate}/min, SpO2 {obs.spo2}% "
            f"(scale {transfer.spo2_scale}) {oxygen}, BP {obs.systolic_bp} systolic, pulse {obs.pulse}/min, "
            f"{obs.consciousness.label.lower()}, temperature {obs.temperature} °C.",
            f"{score.text}.",
        ]
    if transfer.actions_taken:
        assessment.append(f"Actions taken: {_sentence(transfer.actions_taken)}")

    hospital = transfer.destination_hospital.name if transfer.destination_hospital else "hospital"
    recommendation = f"Transfer to {hospital} for assessment."
    return Sbard(
        situation=" ".join(situation)[:FREE_TEXT_MAX],
        background=" ".join(background)[:FREE_TEXT_MAX],
        assessment=" ".join(assessment)[:FREE_TEXT_MAX],
        recommendation=recommendation[:FREE_TEXT_MAX],
        decision="",
    )
