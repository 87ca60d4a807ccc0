"""The sharing choices' rules (domain/sharing.py): the national defaults, the options offered, one order."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.sharing import OPTIONS, Audience, SharedData, SharingChoices, shares, with_choice

HOME = "1-900000001"


def test_a_home_that_has_not_chosen_shares_nothing_beyond_its_commissioners():
    for data in SharedData:
        for audience in Audience:
            assert not shares(None, data, audience)
            assert not shares(SharingChoices(home_id=HOME), data, audience)


def test_public_and_cross_boundary_sharing_are_offered_for_vacancies_only():
    with pytest.raises(ValidationError, match="Digital readiness cannot be shared with public"):
        SharingChoices(home_id=HOME, digital_readiness=["public"])
    with pytest.raises(ValidationError):
        SharingChoices(home_id=HOME, digital_readiness=["neighbouring_discharge_teams"])
    assert {(o.data, o.audience) for o in OPTIONS} == {
        (SharedData.BED_STATE, Audience.NEIGHBOURING_DISCHARGE_TEAMS), (SharedData.BED_STATE, Audience.PUBLIC),
        (SharedData.BED_STATE, Audience.RESEARCH), (SharedData.DIGITAL_READINESS, Audience.RESEARCH)}


def test_choices_are_kept_in_one_order_without_repeats_and_ticked_one_by_one():
    choices = SharingChoices(home_id=HOME, bed_state=["research", "public", "research"])
    assert choices.bed_state == (Audience.PUBLIC, Audience.RESEARCH)
    public = next(o for o in OPTIONS if o.key == "bed_state-public")
    assert with_choice(choices, public, False).bed_state == (Audience.RESEARCH,)
    assert with_choice(choices, public, True) == choices
    assert choices.record_id == f"{HOME}/sharing"
    assert choices.describe() == "Vacancies and bed numbers: public, research; Digital readiness: commissioners only"
