"""NEWS2 against the Royal College of Physicians chart (2017), parameter by parameter, at every boundary."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.news2 import (
    OBSERVATION_FIELDS,
    PLAUSIBLE_RANGES,
    ClinicalRisk,
    Consciousness,
    News2Score,
    Observations,
    clinical_risk,
    news2,
    reading_problem,
    score_air_or_oxygen,
    score_consciousness,
    score_pulse,
    score_respiration_rate,
    score_spo2,
    score_systolic_bp,
    score_temperature,
)


def error_fields(exc: ValidationError) -> set[str]:
    return {str(e["loc"][-1]) for e in exc.errors()}


# A set of observations scoring 0 everywhere.
NORMAL = dict(respiration_rate=16, spo2=97, on_oxygen=False, systolic_bp=130, pulse=70,
              consciousness=Consciousness.ALERT, temperature="37.0")


def obs(**changes) -> Observations:
    return Observations(**{**NORMAL, **changes})


@pytest.mark.parametrize(("rate", "score"), [
    (3, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (60, 3),
])
def test_respiration_rate(rate, score):
    assert score_respiration_rate(rate) == score


@pytest.mark.parametrize(("spo2", "score"), [
    (50, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0),
])
@pytest.mark.parametrize("on_oxygen", [False, True])
def test_spo2_scale_1_is_the_same_on_air_or_oxygen(spo2, score, on_oxygen):
    assert score_spo2(spo2, on_oxygen, 1) == score


@pytest.mark.parametrize(("spo2", "on_oxygen", "score"), [
    (70, False, 3), (83, False, 3), (83, True, 3),
    (84, False, 2), (85, True, 2),
    (86, False, 1), (87, True, 1),
    (88, False, 0), (88, True, 0), (92, False, 0), (92, True, 0),
    (93, False, 0), (97, False, 0), (100, False, 0),
    (93, True, 1), (94, True, 1),
    (95, True, 2), (96, True, 2),
    (97, True, 3), (100, True, 3),
])
def test_spo2_scale_2(spo2, on_oxygen, score):
    assert score_spo2(spo2, on_oxygen, 2) == score


def test_an_unknown_scale_is_refused():
    with pytest.raises(ValueError, match="scale must be 1 or 2"):
        score_spo2(95, False, 3)


def test_air_or_oxygen():
    assert score_air_or_oxygen(True) == 2
    assert score_air_or_oxygen(False) == 0


@pytest.mark.parametrize(("systolic", "score"), [
    (40, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3), (300, 3),
])
def test_systolic_bp(systolic, score):
    assert score_systolic_bp(systolic) == score


@pytest.mark.parametrize(("pulse", "score"), [
    (20, 3), (40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2), (131, 3),
])
def test_pulse(pulse, score):
    assert score_pulse(pulse) == score


@pytest.mark.parametrize(("level", "score"), [
    (Consciousness.ALERT, 0), (Consciousness.NEW_CONFUSION, 3), (Consciousness.VOICE, 3),
    (Consciousness.PAIN, 3), (Consciousness.UNRESPONSIVE, 3),
])
def test_consciousness(level, score):
    assert score_consciousness(level) == score
    assert score_consciousness(level.value) == score


@pytest.mark.parametrize(("temperature", "score"), [
    ("30.0", 3), ("35.0", 3), ("35.1", 1), ("36.0", 1), ("36.1", 0), ("38.0", 0),
    ("38.1", 1), ("39.0", 1), ("39.1", 2), ("42.0", 2),
])
def test_temperature(temperature, score):
    assert score_temperature(Decimal(temperature)) == score
    assert score_temperature(float(temperature)) == score
    assert news2(obs(temperature=temperature)).temperature == score


# --- the aggregate, the single-parameter trigger, the risk bands ---


def test_normal_observations_score_zero_low_risk():
    score = news2(obs())
    assert score.total == 0
    assert not score.single_parameter_3
    assert score.risk is ClinicalRisk.LOW
    assert score.response == "Ward-based response"


def test_the_aggregate_is_the_sum_of_the_parameters():
    # RR 22 (2), SpO2 93 (2), oxygen (2), BP 105 (1), pulse 115 (2), alert (0), 38.5 (1) = 10
    score = news2(obs(respiration_rate=22, spo2=93, on_oxygen=True, systolic_bp=105, pulse=115,
                      temperature=38.5))
    assert score.parameters == {"respiration_rate": 2, "spo2": 2, "air_or_oxygen": 2, "systolic_bp": 1,
                                "pulse": 2, "consciousness": 0, "temperature": 1}
    assert score.total == 10
    assert score.risk is ClinicalRisk.HIGH
    assert score.response == "Urgent or emergency response"
    assert score.text == "NEWS2 10 (High): Urgent or emergency response"


def test_a_single_parameter_of_3_makes_a_low_score_low_medium():
    score = news2(obs(consciousness=Consciousness.NEW_CONFUSION))
    assert score.total == 3
    assert score.single_parameter_3
    assert score.risk is ClinicalRisk.LOW_MEDIUM
    assert score.response == "Urgent ward-based response"


def test_a_single_3_does_not_lower_a_medium_or_high_score():
    medium = news2(obs(pulse=35, respiration_rate=22))  # 3 + 2
    assert (medium.total, medium.single_parameter_3, medium.risk) == (5, True, ClinicalRisk.MEDIUM)
    high = news2(obs(pulse=35, respiration_rate=22, temperature="39.5"))  # 3 + 2 + 2
    assert (high.total, high.risk) == (7, ClinicalRisk.HIGH)


@pytest.mark.parametrize(("total", "single", "risk"), [
    (0, False, ClinicalRisk.LOW), (4, False, ClinicalRisk.LOW),
    (3, True, ClinicalRisk.LOW_MEDIUM), (4, True, ClinicalRisk.LOW_MEDIUM),
    (5, False, ClinicalRisk.MEDIUM), (6, False, ClinicalRisk.MEDIUM), (6, True, ClinicalRisk.MEDIUM),
    (7, False, ClinicalRisk.HIGH), (7, True, ClinicalRisk.HIGH), (20, True, ClinicalRisk.HIGH),
])
def test_risk_bands(total, single, risk):
    assert clinical_risk(total, single) is risk


def test_risk_labels_and_rcp_responses():
    assert [r.label for r in ClinicalRisk] == ["Low", "Low-medium", "Medium", "High"]
    assert ClinicalRisk.MEDIUM.response == "Key threshold for urgent response"


def test_scale_2_changes_only_the_spo2_score():
    on_oxygen_95 = obs(spo2=95, on_oxygen=True)
    assert news2(on_oxygen_95, 1).spo2 == 1
    assert news2(on_oxygen_95, 2).spo2 == 2
    assert news2(on_oxygen_95, 2).scale == 2
    assert news2(obs(spo2=89), 2).total == 0


def test_score_fields_are_0_to_3():
    with pytest.raises(ValidationError) as exc:
        News2Score(scale=1, respiration_rate=4, spo2=0, air_or_oxygen=0, systolic_bp=0, pulse=0,
                   consciousness=0, temperature=0)
    assert error_fields(exc.value) == {"respiration_rate"}


# --- observations ---


def test_temperature_is_a_decimal_with_one_place():
    assert obs(temperature=36.6).temperature == Decimal("36.6")
    assert str(obs(temperature=37).temperature) == "37.0"
    assert obs(temperature=38).model_dump(mode="json")["temperature"] == "38.0"
    with pytest.raises(ValidationError) as exc:
        obs(temperature="37.25")
    assert error_fields(exc.value) == {"temperature"}
    assert "1 decimal place" in str(exc.value)


@pytest.mark.parametrize(("field", "value"), [
    ("respiration_rate", 2), ("respiration_rate", 81), ("spo2", 49), ("spo2", 101),
    ("systolic_bp", 39), ("systolic_bp", 301), ("pulse", 19), ("pulse", 251),
    ("temperature", "29.9"), ("temperature", "44.1"), ("consciousness", "asleep"),
])
def test_implausible_values_are_refused_naming_the_field(field, value):
    with pytest.raises(ValidationError) as exc:
        obs(**{field: value})
    assert error_fields(exc.value) == {field}


def test_observations_are_frozen_and_refuse_unknown_fields():
    with pytest.raises(ValidationError) as exc:
        obs(blood_sugar=5.5)
    assert error_fields(exc.value) == {"blood_sugar"}
    with pytest.raises(ValidationError):
        obs().pulse = 80  # type: ignore[misc]


def test_consciousness_labels():
    assert [c.letter for c in Consciousness] == ["A", "C", "V", "P", "U"]
    assert Consciousness.NEW_CONFUSION.label == "New confusion"


# --- plausible ranges: one table, the model's bounds and the check as typed ---


def test_the_typed_check_and_the_model_agree_on_every_boundary():
    usual = {"respiration_rate": 16, "spo2": 96, "systolic_bp": 120, "pulse": 80, "temperature": "37.0"}
    assert [f.name for f in OBSERVATION_FIELDS] == list(PLAUSIBLE_RANGES) == list(usual)
    for field in OBSERVATION_FIELDS:
        low, high = PLAUSIBLE_RANGES[field.name]
        for value, plausible in ((low, True), (high, True), (low - field.precision, False),
                                 (high + field.precision, False)):
            assert (reading_problem(field.name, str(value)) is None) is plausible, (field.name, value)
            try:
                Observations(**{**usual, field.name: value}, consciousness="alert")
            except ValidationError:
                accepted = False
            else:
                accepted = True
            assert accepted is plausible, (field.name, value)


@pytest.mark.parametrize(("name", "text", "problem"), [
    ("pulse", "80", None),
    ("pulse", " 80 ", None),
    ("pulse", "eighty", "a number, please"),
    ("pulse", "80.5", "20 to 250, whole number"),
    ("pulse", "400", "20 to 250, whole number"),
    ("pulse", "NaN", "20 to 250, whole number"),
    ("spo2", "101", "50 to 100, whole number"),
    ("temperature", "37.4", None),
    ("temperature", "29.9", "30.0 to 44.0"),
])
def test_a_typed_observation_says_what_would_be_accepted(name, text, problem):
    assert reading_problem(name, text) == problem
