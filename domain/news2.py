"""NEWS2, the National Early Warning Score 2 (Royal College of Physicians, 2017).

Seven parameters, each scored 0-3 from the published chart, summed to an
aggregate; the aggregate (and any single parameter scoring 3) gives the
clinical risk and the response. Scores below are the chart's, parameter by
parameter (the tests check every boundary):

====================  =========================================================================
respiration rate      <=8: 3, 9-11: 1, 12-20: 0, 21-24: 2, >=25: 3
SpO2 scale 1          <=91: 3, 92-93: 2, 94-95: 1, >=96: 0
SpO2 scale 2          <=83: 3, 84-85: 2, 86-87: 1, 88-92 (or >=93 on air): 0,
                      93-94 on oxygen: 1, 95-96 on oxygen: 2, >=97 on oxygen: 3
air or oxygen         oxygen: 2, air: 0
systolic BP           <=90: 3, 91-100: 2, 101-110: 1, 111-219: 0, >=220: 3
pulse                 <=40: 3, 41-50: 1, 51-90: 0, 91-110: 1, 111-130: 2, >=131: 3
consciousness         Alert: 0; new Confusion, Voice, Pain, Unresponsive: 3
temperature           <=35.0: 3, 35.1-36.0: 1, 36.1-38.0: 0, 38.1-39.0: 1, >=39.1: 2
====================  =========================================================================

SpO2 scale 2 is only for patients with hypercapnic respiratory failure whose
target range (88-92%) a clinician has documented; everyone else is scale 1.

"New confusion" means new or worse than the resident's usual: a resident with
dementia who is as usual counts as Alert.

Plausible ranges (design): values outside them are refused as typing mistakes,
not scored. They are wide enough for a very unwell person. ``PLAUSIBLE_RANGES``
is the one table of them (the models' bounds, the screen's check as typed).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Literal, NamedTuple

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

Spo2Scale = Literal[1, 2]

# Plausible ranges (design), shared with the resident's baseline observations.
RESPIRATION_RATE_RANGE = (3, 80)
SPO2_RANGE = (50, 100)
SYSTOLIC_BP_RANGE = (40, 300)
PULSE_RANGE = (20, 250)
TEMPERATURE_RANGE = (Decimal("30.0"), Decimal("44.0"))


class Consciousness(StrEnum):
    """ACVPU."""

    ALERT = "alert"
    NEW_CONFUSION = "new_confusion"
    VOICE = "voice"
    PAIN = "pain"
    UNRESPONSIVE = "unresponsive"

    @property
    def label(self) -> str:
        return CONSCIOUSNESS_LABELS[self]

    @property
    def letter(self) -> str:
        return "C" if self is Consciousness.NEW_CONFUSION else self.value[0].upper()


CONSCIOUSNESS_LABELS: dict[Consciousness, str] = {
    Consciousness.ALERT: "Alert",
    Consciousness.NEW_CONFUSION: "New confusion",
    Consciousness.VOICE: "Responds to voice",
    Consciousness.PAIN: "Responds to pain",
    Consciousness.UNRESPONSIVE: "Unresponsive",
}


class Observations(BaseModel):
    """One full set of vital signs, as needed for a NEWS2 score."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    respiration_rate: int = Field(ge=RESPIRATION_RATE_RANGE[0], le=RESPIRATION_RATE_RANGE[1],
                                  description="Breaths per minute")
    spo2: int = Field(ge=SPO2_RANGE[0], le=SPO2_RANGE[1], description="Oxygen saturation, %")
    on_oxygen: bool = Field(default=False, description="True: on supplemental oxygen; False: on air")
    systolic_bp: int = Field(ge=SYSTOLIC_BP_RANGE[0], le=SYSTOLIC_BP_RANGE[1], description="mmHg")
    pulse: int = Field(ge=PULSE_RANGE[0], le=PULSE_RANGE[1], description="Beats per minute")
    consciousness: Consciousness
    temperature: Decimal = Field(ge=TEMPERATURE_RANGE[0], le=TEMPERATURE_RANGE[1], decimal_places=1,
                                 description="Degrees Celsius, one decimal place (e.g. 37.4)")
    taken_at: AwareDatetime | None = Field(default=None, description="When the observations were taken")

    @field_validator("temperature")
    @classmethod
    def _one_decimal_place(cls, temperature: Decimal) -> Decimal:
        return temperature.quantize(Decimal("0.1"))  # 37 -> 37.0


class ObservationField(NamedTuple):
    """One observation a carer types: its field, its words, its unit and how finely it is read."""

    name: str
    label: str
    unit: str
    precision: Decimal  # 1: whole numbers; 0.1: one decimal place


# The observations a carer types, in chart order (consciousness and oxygen are chosen, not typed).
OBSERVATION_FIELDS: tuple[ObservationField, ...] = (
    ObservationField("respiration_rate", "Respiration rate", "/min", Decimal(1)),
    ObservationField("spo2", "SpO2", "%", Decimal(1)),
    ObservationField("systolic_bp", "Systolic BP", "mmHg", Decimal(1)),
    ObservationField("pulse", "Pulse", "/min", Decimal(1)),
    ObservationField("temperature", "Temperature", "°C", Decimal("0.1")),
)
PLAUSIBLE_RANGES: dict[str, tuple[int, int] | tuple[Decimal, Decimal]] = {
    "respiration_rate": RESPIRATION_RATE_RANGE,
    "spo2": SPO2_RANGE,
    "systolic_bp": SYSTOLIC_BP_RANGE,
    "pulse": PULSE_RANGE,
    "temperature": TEMPERATURE_RANGE,
}


def reading_problem(name: str, text: str) -> str | None:
    """Why a typed observation would be refused ('3 to 80, whole number'); None when it is plausible."""
    try:
        value = Decimal(text.strip())
    except ArithmeticError:  # decimal.InvalidOperation: not a number at all
        return "a number, please"
    low, high = PLAUSIBLE_RANGES[name]
    whole = next(f.precision for f in OBSERVATION_FIELDS if f.name == name) == 1
    if not value.is_finite() or not low <= value <= high or (whole and value != value.to_integral_value()):
        return f"{low} to {high}" + (", whole number" if whole else "")
    return None


# --- scores per parameter ---------------------------------------------------------------------------------------


def score_respiration_rate(rate: int) -> int:
    if rate <= 8:
        return 3
    if rate <= 11:
        return 1
    if rate <= 20:
        return 0
    if rate <= 24:
        return 2
    return 3


def score_spo2(spo2: int, on_oxygen: bool, scale: Spo2Scale = 1) -> int:
    if scale == 1:
        if spo2 <= 91:
            return 3
        if spo2 <= 93:
            return 2
        if spo2 <= 95:
            return 1
        return 0
    if scale != 2:
        raise ValueError(f"scale must be 1 or 2, got {scale!r}")
    if spo2 <= 83:
        return 3
    if spo2 <= 85:
        return 2
    if spo2 <= 87:
        return 1
    if spo2 <= 92 or not on_oxygen:
        return 0
    if spo2 <= 94:
        return 1
    if spo2 <= 96:
        return 2
    return 3


def score_air_or_oxygen(on_oxygen: bool) -> int:
    return 2 if on_oxygen else 0


def score_systolic_bp(systolic: int) -> int:
    if systolic <= 90:
        return 3
    if systolic <= 100:
        return 2
    if systolic <= 110:
        return 1
    if systolic <= 219:
        return 0
    return 3


def score_pulse(pulse: int) -> int:
    if pulse <= 40:
        return 3
    if pulse <= 50:
        return 1
    if pulse <= 90:
        return 0
    if pulse <= 110:
        return 1
    if pulse <= 130:
        return 2
    return 3


def score_consciousness(consciousness: Consciousness | str) -> int:
    return 0 if Consciousness(consciousness) is Consciousness.ALERT else 3


def score_temperature(temperature: Decimal | float | str) -> int:
    t = Decimal(str(temperature)).quantize(Decimal("0.1"))
    if t <= Decimal("35.0"):
        return 3
    if t <= Decimal("36.0"):
        return 1
    if t <= Decimal("38.0"):
        return 0
    if t <= Decimal("39.0"):
        return 1
    return 2


# --- aggregate and clinical risk --------------------------------------------------------------------------------


class ClinicalRisk(StrEnum):
    LOW = "low"
    LOW_MEDIUM = "low_medium"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return RISK_LABELS[self]

    @property
    def response(self) -> str:
        """The RCP chart's response for this risk."""
        return RISK_RESPONSES[self]


RISK_LABELS: dict[ClinicalRisk, str] = {
    ClinicalRisk.LOW: "Low",
    ClinicalRisk.LOW_MEDIUM: "Low-medium",
    ClinicalRisk.MEDIUM: "Medium",
    ClinicalRisk.HIGH: "High",
}
RISK_RESPONSES: dict[ClinicalRisk, str] = {
    ClinicalRisk.LOW: "Ward-based response",
    ClinicalRisk.LOW_MEDIUM: "Urgent ward-based response",
    ClinicalRisk.MEDIUM: "Key threshold for urgent response",
    ClinicalRisk.HIGH: "Urgent or emergency response",
}

# Parameter names in chart order, with the words a screen or PDF shows.
PARAMETER_LABELS: dict[str, str] = {
    "respiration_rate": "Respiration rate",
    "spo2": "SpO2",
    "air_or_oxygen": "Air or oxygen",
    "systolic_bp": "Systolic blood pressure",
    "pulse": "Pulse",
    "consciousness": "Consciousness",
    "temperature": "Temperature",
}


def clinical_risk(total: int, single_parameter_3: bool) -> ClinicalRisk:
    """0-4 low (low-medium if any single parameter scores 3), 5-6 medium, 7 or more high."""
    if total >= 7:
        return ClinicalRisk.HIGH
    if total >= 5:
        return ClinicalRisk.MEDIUM
    return ClinicalRisk.LOW_MEDIUM if single_parameter_3 else ClinicalRisk.LOW


class News2Score(BaseModel):
    """The score of one set of observations: per parameter, the aggregate and the risk."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scale: Spo2Scale
    respiration_rate: int = Field(ge=0, le=3)
    spo2: int = Field(ge=0, le=3)
    air_or_oxygen: int = Field(ge=0, le=3)
    systolic_bp: int = Field(ge=0, le=3)
    pulse: int = Field(ge=0, le=3)
    consciousness: int = Field(ge=0, le=3)
    temperature: int = Field(ge=0, le=3)

    @property
    def parameters(self) -> dict[str, int]:
        """Score per parameter, in chart order (keys as in PARAMETER_LABELS)."""
        return {name: getattr(self, name) for name in PARAMETER_LABELS}

    @property
    def total(self) -> int:
        return sum(self.parameters.values())

    @property
    def single_parameter_3(self) -> bool:
        return 3 in self.parameters.values()

    @property
    def risk(self) -> ClinicalRisk:
        return clinical_risk(self.total, self.single_parameter_3)

    @property
    def response(self) -> str:
        return self.risk.response

    @property
    def text(self) -> str:
        """'NEWS2 6 (Medium): Key threshold for urgent response'."""
        return f"NEWS2 {self.total} ({self.risk.label}): {self.response}"


def news2(obs: Observations, scale: Spo2Scale = 1) -> News2Score:
    return News2Score(
        scale=scale,
        respiration_rate=score_respiration_rate(obs.respiration_rate),
        spo2=score_spo2(obs.spo2, obs.on_oxygen, scale),
        air_or_oxygen=score_air_or_oxygen(obs.on_oxygen),
        systolic_bp=score_systolic_bp(obs.systolic_bp),
        pulse=score_pulse(obs.pulse),
        consciousness=score_consciousness(obs.consciousness),
        temperature=score_temperature(obs.temperature),
    )
