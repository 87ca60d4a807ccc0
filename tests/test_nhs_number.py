from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from domain.residents import (
    Allergy,
    Resident,
    Resuscitation,
    check_date_of_birth,
    format_nhs_number,
    is_valid_nhs_number,
    new_resident,
    normalise_nhs_number,
)

HOME = "1-1938268568"


@pytest.mark.parametrize(("text", "digits"), [
    ("9434765919", "9434765919"),
    ("943 476 5919", "9434765919"),
    ("  943 476 5919 ", "9434765919"),
    ("4010232137", "4010232137"),
    ("401 023 2137", "4010232137"),
    ("9000000009", "9000000009"),  # sum 90, 90 % 11 = 2, 11 - 2 = 9
    ("1000000001", "1000000001"),  # sum 10, 11 - 10 = 1
    ("0000000000", "0000000000"),  # sum 0, 11 - 0 = 11 -> 0
])
def test_valid_nhs_numbers(text, digits):
    assert is_valid_nhs_number(text)
    assert normalise_nhs_number(text) == digits


@pytest.mark.parametrize(("text", "rule"), [
    ("9434765918", "does not match the modulus 11 check digit"),  # wrong check digit
    ("4010232138", "does not match the modulus 11 check digit"),
    ("1000000010", "check digit of these first nine digits is 10"),  # sum 12, 11 - 1 = 10
    ("943476591", "must have 10 digits, got 9"),
    ("94347659190", "must have 10 digits, got 11"),
    ("", "must have 10 digits, got 0"),
    ("943476591A", "only digits"),
    ("943-476-5919", "only digits"),
    ("９４３４７６５９１９", "only digits"),  # full-width digits
])
def test_invalid_nhs_numbers_name_the_rule(text, rule):
    assert not is_valid_nhs_number(text)
    with pytest.raises(ValueError, match=rule):
        normalise_nhs_number(text)


def test_a_check_digit_of_10_means_no_valid_number_whatever_the_last_digit():
    # first nine 100000001: 1*10 + 1*2 = 12, 12 % 11 = 1, 11 - 1 = 10
    for last in range(10):
        assert not is_valid_nhs_number(f"100000001{last}")


def test_format_3_3_4():
    assert format_nhs_number("9434765919") == "943 476 5919"


def resident(**changes) -> Resident:
    fields = dict(home_id=HOME, resident_id="r1", given_name="Margaret", family_name="Smith",
                  date_of_birth=date(1936, 4, 2))
    return Resident(**{**fields, **changes})


def test_the_resident_stores_the_nhs_number_normalised():
    margaret = resident(nhs_number="943 476 5919")
    assert margaret.nhs_number == "9434765919"
    assert margaret.nhs_number_text == "943 476 5919"
    assert resident(nhs_number="  ").nhs_number is None
    assert resident().nhs_number_text == "Not known"


def test_a_bad_nhs_number_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as exc:
        resident(nhs_number="943 476 5918")
    assert [e["loc"] for e in exc.value.errors()] == [("nhs_number",)]
    assert "modulus 11" in str(exc.value)


def test_resident_basics():
    margaret = resident()
    assert margaret.record_id == f"{HOME}/resident/r1"
    assert margaret.display_name == "Margaret Smith"
    assert margaret.sort_name == "SMITH, Margaret"
    assert margaret.age_on(date(2025, 4, 1)) == 88
    assert margaret.age_on(date(2025, 4, 2)) == 89
    assert margaret.allergies_text == "Allergies not recorded"


TODAY = date(2026, 11, 25)  # the domain reads no clock: the day is given


def test_date_of_birth_must_be_plausible_on_the_day_it_is_entered():
    fields = dict(home_id=HOME, resident_id="r1", given_name="Margaret", family_name="Smith")
    with pytest.raises(ValidationError, match="can't be in the future"):
        new_resident(TODAY, **fields, date_of_birth=TODAY + timedelta(days=1))
    with pytest.raises(ValidationError, match="over 125 years"):
        new_resident(TODAY, **fields, date_of_birth=date(TODAY.year - 127, 1, 1))
    assert new_resident(TODAY, **fields, date_of_birth=TODAY).date_of_birth == TODAY
    assert check_date_of_birth(date(1901, 11, 25), TODAY) == date(1901, 11, 25)  # 125 exactly
    with pytest.raises(ValueError, match="over 125 years"):
        check_date_of_birth(date(1900, 11, 24), TODAY)


def test_a_saved_resident_stays_readable_whatever_the_reading_clock_says():
    # Saved on a device whose clock was ahead: reading it back (or on the server) never refuses it.
    saved = new_resident(TODAY + timedelta(days=3), home_id=HOME, resident_id="r1", given_name="Baby",
                         family_name="Smith", date_of_birth=TODAY + timedelta(days=2))
    assert Resident.model_validate(saved.model_dump()).date_of_birth == TODAY + timedelta(days=2)


def test_allergies_or_no_known_allergies_not_both():
    assert resident(no_known_allergies=True).allergies_text == "No known allergies"
    penicillin = Allergy(substance="Penicillin", reaction="Rash", severity="moderate")
    assert resident(allergies=[penicillin]).allergies_text == "Penicillin (Rash, moderate)"
    with pytest.raises(ValidationError) as exc:
        resident(no_known_allergies=True, allergies=[penicillin])
    assert [e["loc"] for e in exc.value.errors()] == [("allergies",)]


def test_respect_summary_goes_with_the_form():
    with pytest.raises(ValidationError, match="respect_summary is required"):
        Resuscitation(dnacpr="in_place", respect_form=True)
    with pytest.raises(ValidationError, match="respect_summary must be empty"):
        Resuscitation(respect_form=False, respect_summary="Ward-based care")
    form = Resuscitation(dnacpr="in_place", respect_form=True, respect_summary="Ward-based care, no ICU")
    assert form.text == "DNACPR in place. ReSPECT form: Ward-based care, no ICU."


def test_about_me_free_text_is_limited_to_2000_characters():
    with pytest.raises(ValidationError) as exc:
        resident(about_me={"communication": "x" * 2001})
    assert exc.value.errors()[0]["loc"] == ("about_me", "communication")


def test_next_of_kin_phone_and_gp_ods_code():
    margaret = resident(next_of_kin={"name": "Ann Smith", "relationship": "Daughter", "phone": "07700  900123"},
                        gp_practice={"name": "The Surgery", "ods_code": " a81001 "})
    assert margaret.next_of_kin.phone == "07700 900123"
    assert margaret.gp_practice.ods_code == "A81001"
    with pytest.raises(ValidationError, match="phone must have 10 to 15 digits"):
        resident(next_of_kin={"name": "Ann", "relationship": "Daughter", "phone": "12345"})
    with pytest.raises(ValidationError, match="ods_code must be"):
        resident(gp_practice={"name": "The Surgery", "ods_code": "A8-1001"})
