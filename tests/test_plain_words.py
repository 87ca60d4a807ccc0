"""Why a record was refused, in plain words: never the framework's own text."""

from datetime import datetime

import pytest
from pydantic import ValidationError

from domain.beds import BedCount
from domain.messages import as_sentence, describe, field_of, plain_words, rule
from domain.news2 import Observations
from domain.readiness import Broadband, WifiSurveyResult
from domain.residents import Resident
from protocol.accounts import RegisterRequest

HOME = "1-1938268568"
FRAMEWORK_WORDS = ("Input should", "String should", "Value error", "Field required", "Extra inputs",
                   "valid integer", "Decimal input")


def refused(build) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        build()
    return exc.value


@pytest.mark.parametrize(("build", "expected"), [
    (lambda: BedCount(home_id=HOME, category="nursing", max_capacity=5, occupied=1, vacant_reserved=-2,
                      vacant_accepting=0), "Vacant reserved can't be less than 0"),
    (lambda: Broadband(home_id=HOME, provider="BT", contracted_down_mbps=-1),
     "Contracted download speed (Mbps) must be more than 0"),
    (lambda: Observations(respiration_rate=16, spo2=101, systolic_bp=120, pulse=80, consciousness="alert",
                          temperature=37), "Oxygen saturation (SpO2) can't be more than 100"),
    (lambda: Observations(respiration_rate="fast", spo2=96, systolic_bp=120.5, pulse=80, consciousness="alert",
                          temperature="37.25"),
     "Respiration rate must be a whole number; Systolic blood pressure must be a whole number; "
     "Temperature can have at most 1 decimal place"),
    (lambda: Resident(home_id=HOME, resident_id="r1", given_name="", family_name="Smith",
                      date_of_birth="1938-04-12"), "Given name can't be empty"),
    (lambda: RegisterRequest(invite_code="ABCDEFGH", username="ann", display_name="Ann", password="short"),
     "Password needs at least 10 characters"),
    (lambda: RegisterRequest(invite_code="ABCD-EFGH", username="ann smith", display_name="Ann",
                             password="a good password"),
     "User name can have only letters, numbers and . _ @ - (no spaces)"),  # what she may choose, not "not valid"
    (lambda: Resident(home_id=HOME, resident_id="r1", given_name="M", family_name="S", date_of_birth="1938-04-12",
                      shoe_size=9), "Shoe size is not expected here"),
    (lambda: Observations(respiration_rate=16, spo2=96, systolic_bp=120, pulse=80, consciousness="asleep",
                          temperature=37),
     "Consciousness must be one of: alert, new confusion, voice, pain or unresponsive"),
    (lambda: WifiSurveyResult(home_id=HOME, result_id="r1", location="Lounge",
                              measured_at=datetime(2025, 5, 3, 9, 12), no_connection=True),
     "Time measured must include a time zone"),
])
def test_framework_errors_become_the_rule_that_was_broken(build, expected):
    message = plain_words(refused(build))
    assert message == expected
    assert not any(words in message for words in FRAMEWORK_WORDS)


def test_our_own_rules_are_kept_as_written_and_the_field_is_not_named_twice():
    exc = refused(lambda: Broadband(home_id=HOME, contracted_down_mbps=80))
    assert plain_words(exc) == "Provider is required unless the home has no broadband"


def test_a_missing_field_and_labels_for_the_field_names():
    [error] = refused(lambda: BedCount(home_id=HOME, category="nursing", max_capacity=5, occupied=1,
                                       vacant_reserved=0)).errors()
    assert rule(error) == "is required" and field_of(error) == "vacant_accepting"
    assert describe(error, {"vacant_accepting": "Accepting"}) == "Accepting is required"


def test_the_field_is_the_innermost_name_not_a_list_position():
    exc = refused(lambda: Resident(home_id=HOME, resident_id="r1", given_name="M", family_name="S",
                                   date_of_birth="1938-04-12", conditions=["COPD", ""],
                                   allergies=[{"substance": ""}]))
    assert plain_words(exc) == "Allergy can't be empty; Conditions can't be empty"


def test_an_api_answer_detail_reads_the_same_as_a_local_refusal():
    detail = [{"type": "less_than_equal", "loc": ["body", "mutations", 0, "data", "pulse"],
               "msg": "Input should be less than or equal to 250", "ctx": {"le": 250}},
              {"type": "value_error", "loc": ["body"], "msg": "Value error, a batch holds 500 changes at most"}]
    assert plain_words(detail) == "Pulse can't be more than 250; A batch holds 500 changes at most"


def test_an_error_kind_without_its_own_words_still_drops_the_framework_voice():
    error = {"type": "some_new_check", "loc": ("count",), "msg": "Input should be a multiple of 5"}
    assert describe(error) == "Count must be a multiple of 5"


def test_as_sentence_capitalises_only_the_first_letter():
    assert as_sentence("password needs at least 10 characters") == "Password needs at least 10 characters"
    assert as_sentence("") == ""



def test_field_names_inside_our_own_words_are_put_into_words():
    def own(field, words):
        return describe({"type": "value_error", "loc": (field,), "msg": f"Value error, {words}"})
    assert own("respect_summary", "respect_summary is required when there is a ReSPECT form (respect_form)") == \
        "ReSPECT summary is required when there is a ReSPECT form"
    assert own("sent_at", "sent_at is required when the status is in_hospital") == \
        "Time sent is required when the status is in hospital"
    assert own("nhs_number", "an NHS number must have 10 digits, got 9") == "An NHS number must have 10 digits, got 9"


def test_one_table_names_the_fields_and_the_rest_are_spelled_right():
    from domain.messages import FIELD_LABELS, label
    assert label("date_of_birth") == FIELD_LABELS["date_of_birth"] == "Date of birth"
    assert label("gp_practice_ods_code") == "GP practice ODS code"  # not in the table: its words, spelled right
    assert label("vacant_accepting", {"vacant_accepting": "Accepting"}) == "Accepting"  # a screen's own words first
