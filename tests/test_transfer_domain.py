from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from domain.news2 import ClinicalRisk, Consciousness, Observations
from domain.residents import Medicine, Resident, stamp
from domain.transfer import (
    BelongingItem,
    Belongings,
    Sbard,
    SoftSign,
    Transfer,
    TransferStatus,
    active_transfers,
    depart,
    is_active,
    record_return,
    sbard_from,
    start_transfer,
)

HOME = "1-1938268568"
T0 = datetime(2025, 5, 3, 9, 12, tzinfo=timezone.utc)


def error_fields(exc: ValidationError) -> set[str]:
    return {str(e["loc"][0]) for e in exc.errors()}


MARGARET = Resident(
    home_id=HOME, resident_id="r1", given_name="Margaret", family_name="Smith", date_of_birth=date(1936, 4, 2),
    nhs_number="943 476 5919", gp_practice={"name": "Manor Surgery", "ods_code": "A81001"},
    allergies=[{"substance": "Penicillin", "reaction": "Rash", "severity": "moderate"}],
    conditions=["Vascular dementia", "COPD"],
    medicines=[{"name": "Paracetamol 500 mg tablets", "dose": "1 g", "frequency": "Four times a day"}],
    resuscitation={"dnacpr": "in_place", "respect_form": True, "respect_summary": "Hospital care, no CPR"},
    about_me={"communication": "Hard of hearing on the left"},
)
# RR 22 (2), SpO2 93 scale 1 (2), air (0), BP 105 (1), pulse 95 (1), new confusion (3), 38.4 (1) = 10
UNWELL = Observations(respiration_rate=22, spo2=93, systolic_bp=105, pulse=95,
                      consciousness=Consciousness.NEW_CONFUSION, temperature=38.4, taken_at=T0)
WELL = Observations(respiration_rate=16, spo2=97, systolic_bp=130, pulse=70,
                    consciousness=Consciousness.ALERT, temperature=37.0, taken_at=T0)
BAG = Belongings(glasses=True, hearing_aids=True, clothes=True, medicines=True)


def prepared(**extra) -> Transfer:
    return start_transfer(MARGARET, "Short of breath and new confusion since this morning", UNWELL,
                          transfer_id="t1", soft_signs=[SoftSign.NEW_CONFUSION, SoftSign.NOT_EATING_OR_DRINKING],
                          belongings=BAG, destination_hospital={"name": "St Helier Hospital", "ods_code": "RVR50"},
                          **extra)


def test_start_transfer_prepares_it_at_home_with_news2_computed():
    transfer = prepared()
    assert transfer.record_id == f"{HOME}/transfer/t1"
    assert (transfer.home_id, transfer.resident_id) == (HOME, "r1")
    assert transfer.status is TransferStatus.AT_HOME
    assert not is_active(transfer)
    assert (transfer.news2_total, transfer.news2_risk) == (10, ClinicalRisk.HIGH)
    assert transfer.news2.single_parameter_3
    assert transfer.sbard.situation.startswith("Margaret Smith, aged 89, NHS number 943 476 5919.")


def test_start_transfer_makes_an_id_when_none_is_given():
    transfer = start_transfer(MARGARET, "Fall", WELL)
    assert len(transfer.transfer_id) == 32
    assert transfer.news2_risk is ClinicalRisk.LOW


def test_reason_is_required():
    with pytest.raises(ValidationError) as exc:
        start_transfer(MARGARET, "   ", WELL)
    assert error_fields(exc.value) == {"reason"}


def test_scale_2_comes_from_the_resident_unless_given():
    copd = MARGARET.model_copy(update={"spo2_scale": 2})
    on_oxygen = WELL.model_copy(update={"spo2": 90, "on_oxygen": True})
    assert start_transfer(copd, "Fall", on_oxygen).news2_total == 2  # oxygen 2, SpO2 90 scale 2: 0
    assert start_transfer(copd, "Fall", on_oxygen, spo2_scale=1).news2_total == 5  # oxygen 2, SpO2 90 scale 1: 3


# --- NEWS2 is recomputed, never trusted ---


def test_news2_given_in_input_must_match_the_observations():
    data = prepared().model_dump()
    assert Transfer.model_validate(data).news2_total == 10
    with pytest.raises(ValidationError) as exc:
        Transfer.model_validate({**data, "news2_total": 2, "news2_risk": "low"})
    assert error_fields(exc.value) == {"news2_total", "news2_risk"}
    assert "news2_total must be 10, the NEWS2 of the observations" in str(exc.value)


def test_news2_absent_from_input_is_computed():
    data = {**prepared().model_dump(), "news2_total": None, "news2_risk": None}
    transfer = Transfer.model_validate(data)
    assert (transfer.news2_total, transfer.news2_risk) == (10, ClinicalRisk.HIGH)


def test_round_trip_through_json_keeps_the_record():
    transfer = stamp(depart(prepared(), T0), "alice", T0)
    again = Transfer.model_validate_json(transfer.model_dump_json())
    assert again == transfer
    assert again.changed_text == "Changed by alice, 3 May 2025 10:12"  # UK time (BST)


# --- status and commands ---


def test_depart_then_return():
    gone = depart(prepared(), T0)
    assert gone.status is TransferStatus.IN_HOSPITAL and gone.sent_at == T0
    assert is_active(gone) and gone.is_active
    back = record_return(gone, T0 + timedelta(days=4), discharge_summary="Treated for pneumonia.",
                         medicines=[Medicine(name="Amoxicillin 500 mg capsules", dose="500 mg",
                                             frequency="Three times a day for 3 more days")],
                         missing_items=[BelongingItem.HEARING_AIDS])
    assert back.status is TransferStatus.RETURNED
    assert not is_active(back)
    assert back.missing_items == (BelongingItem.HEARING_AIDS,)
    assert back.medicines_to_take_home[0].name == "Amoxicillin 500 mg capsules"


def test_depart_only_while_being_prepared():
    gone = depart(prepared(), T0)
    with pytest.raises(ValueError, match="only depart while being prepared"):
        depart(gone, T0)


@pytest.mark.parametrize("make", [prepared, lambda: record_return(depart(prepared(), T0), T0)])
def test_return_only_from_in_hospital(make):
    with pytest.raises(ValueError, match="only be recorded for a resident in hospital"):
        record_return(make(), T0)


def test_missing_items_must_have_been_sent():
    gone = depart(prepared(), T0)
    with pytest.raises(ValidationError) as exc:
        record_return(gone, T0, missing_items=[BelongingItem.DENTURES, BelongingItem.GLASSES])
    assert error_fields(exc.value) == {"missing_items"}
    assert "not sent: dentures" in str(exc.value)


def test_missing_items_not_twice():
    with pytest.raises(ValidationError, match="must not name the same item twice"):
        record_return(depart(prepared(), T0), T0, missing_items=["glasses", "glasses"])


def test_return_not_before_departure():
    with pytest.raises(ValidationError) as exc:
        record_return(depart(prepared(), T0), T0 - timedelta(hours=1))
    assert error_fields(exc.value) == {"returned_at"}


@pytest.mark.parametrize(("status", "changes", "field"), [
    ("at_home", {"sent_at": T0}, "sent_at"),
    ("in_hospital", {}, "sent_at"),
    ("in_hospital", {"sent_at": T0, "returned_at": T0}, "returned_at"),
    ("returned", {"sent_at": T0}, "returned_at"),
    ("in_hospital", {"sent_at": T0, "discharge_summary": "Home"}, "discharge_summary"),
    ("in_hospital", {"sent_at": T0, "missing_items": ["glasses"]}, "missing_items"),
    ("at_home", {"medicines_to_take_home": [{"name": "A", "dose": "1", "frequency": "daily"}]},
     "medicines_to_take_home"),
])
def test_fields_follow_the_status(status, changes, field):
    with pytest.raises(ValidationError) as exc:
        Transfer.model_validate({**prepared().model_dump(), "status": status, **changes})
    assert error_fields(exc.value) == {field}


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError) as exc:
        Transfer.model_validate({**prepared().model_dump(), "ward": "A3"})
    assert error_fields(exc.value) == {"ward"}


# --- belongings, soft signs, SBARD ---


def test_belongings_sent():
    assert BAG.sent == (BelongingItem.GLASSES, BelongingItem.HEARING_AIDS, BelongingItem.CLOTHES,
                        BelongingItem.MEDICINES)
    assert BelongingItem.HEARING_AIDS.label == "Hearing aids"


def test_soft_signs_text():
    transfer = prepared(soft_signs_other="Coughing green sputum")
    assert transfer.soft_signs_text == ("New or worse confusion; Not eating or drinking as usual; "
                                        "Coughing green sputum")


def test_sbard_draft_from_the_resident_and_transfer():
    sbard = sbard_from(MARGARET, prepared())
    assert "Reason for transfer: Short of breath and new confusion since this morning." in sbard.situation
    assert "Soft signs: New or worse confusion" in sbard.situation
    assert "Conditions: Vascular dementia, COPD." in sbard.background
    assert "Allergies: Penicillin (Rash, moderate)." in sbard.background
    assert "DNACPR in place. ReSPECT form: Hospital care, no CPR." in sbard.background
    assert "Communication: Hard of hearing on the left." in sbard.background
    assert "NEWS2 10 (High): Urgent or emergency response." in sbard.assessment
    assert "temperature 38.4 °C" in sbard.assessment
    assert sbard.recommendation == "Transfer to St Helier Hospital for assessment."
    assert sbard.decision == ""
    assert sbard.text.splitlines()[0].startswith("Situation: Margaret Smith")


def test_a_given_sbard_is_kept():
    mine = Sbard(situation="Fall", decision="999 called")
    assert prepared(sbard=mine).sbard == mine


def test_sbard_needs_the_transfers_own_resident():
    other = MARGARET.model_copy(update={"resident_id": "r2"})
    with pytest.raises(ValueError, match="transfer's own resident"):
        sbard_from(other, prepared())


def test_the_sbard_age_is_on_the_day_of_the_observations_and_left_out_when_untimed():
    assert sbard_from(MARGARET, prepared()).situation.startswith("Margaret Smith, aged 89, NHS number")
    untimed = start_transfer(MARGARET, "Fall", WELL.model_copy(update={"taken_at": None}))
    assert untimed.sbard.situation.startswith("Margaret Smith, NHS number 943 476 5919.")
    assert depart(untimed, T0).sbard == untimed.sbard  # drafted once, when the transfer is started


def test_the_active_transfer_is_the_latest_sent_of_those_in_hospital():
    def numbered(transfer_id: str) -> Transfer:
        return prepared().model_copy(update={"transfer_id": transfer_id})

    older = depart(numbered("t1"), T0)
    newer = depart(numbered("t2"), T0 + timedelta(hours=1))
    back = record_return(depart(numbered("t3"), T0 + timedelta(hours=2)), T0 + timedelta(hours=3))
    other = depart(start_transfer(MARGARET.model_copy(update={"resident_id": "r2"}), "Fall", WELL), T0)
    active = active_transfers([newer, back, older, other, numbered("t5")])
    assert active == {"r1": newer, "r2": other}
    assert active_transfers([back, numbered("t5")]) == {}


def test_observations_not_taken_need_a_reason_and_leave_news2_not_calculated():
    with pytest.raises(ValidationError) as refused:
        start_transfer(MARGARET, "Fall, ambulance waiting", None)
    assert "Say why the observations were not taken" in str(refused.value)
    gone = depart(start_transfer(MARGARET, "Fall, ambulance waiting", None,
                                 observations_not_taken_reason="Ambulance crew at the door"), T0)
    assert gone.observations is None and gone.news2 is None and gone.news2_total is None and gone.news2_risk is None
    assert gone.news2_text == "NEWS2 not calculated: observations not taken (Ambulance crew at the door)"
    assert "NEWS2 not calculated" in gone.sbard.assessment
    # A synced copy reads back the same; a NEWS2 on it without observations is refused.
    assert Transfer.model_validate(gone.model_dump(mode="json")) == gone
    with pytest.raises(ValidationError):
        Transfer.model_validate({**gone.model_dump(mode="json"), "news2_total": 0})
    with pytest.raises(ValidationError):
        start_transfer(MARGARET, "Unwell", WELL, observations_not_taken_reason="no time")
