from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from domain.beds import BedCategory, BedCount, HomeStatus, category_not_offered
from domain.freshness import Freshness, freshness


def counts(**overrides):
    base = dict(home_id="1-1938268568", category="nursing", max_capacity=10, occupied=6,
                vacant_reserved=1, vacant_accepting=3)
    return {**base, **overrides}


def error_fields(exc: ValidationError) -> set[str]:
    return {str(e["loc"][-1]) for e in exc.errors()}


def test_full_home_is_valid():
    bed = BedCount(**counts())
    assert bed.vacant == 4
    assert bed.record_id == "1-1938268568/nursing"


def test_counts_over_capacity_are_refused_naming_the_field_and_rule():
    with pytest.raises(ValidationError) as exc:
        BedCount(**counts(vacant_accepting=4))
    assert error_fields(exc.value) == {"vacant_accepting"}
    assert "can't be more than the maximum capacity (10)" in str(exc.value)
    assert "(11)" in str(exc.value)


@pytest.mark.parametrize("field", ["max_capacity", "occupied", "vacant_reserved", "vacant_accepting"])
def test_negative_counts_are_refused(field):
    with pytest.raises(ValidationError) as exc:
        BedCount(**counts(**{field: -1}))
    assert field in error_fields(exc.value)
    assert "greater than or equal to 0" in str(exc.value)


def test_unknown_category_is_refused():
    with pytest.raises(ValidationError) as exc:
        BedCount(**counts(category="penthouse"))
    assert error_fields(exc.value) == {"category"}


def test_every_published_category_is_known():
    assert {c.value for c in BedCategory} == {
        "residential", "residential_dementia", "nursing", "nursing_dementia", "learning_disability",
        "mental_health", "young_physically_disabled", "short_stay"}


def test_closed_home_needs_a_reason():
    with pytest.raises(ValidationError) as exc:
        HomeStatus(home_id="1-1", closed_to_admissions=True)
    assert error_fields(exc.value) == {"closed_reason"}
    assert HomeStatus(home_id="1-1", closed_to_admissions=True, closed_reason="staffing").closed_reason == "staffing"


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(hours=23, minutes=59), Freshness.FRESH),
        (timedelta(hours=24), Freshness.AGEING),
        (timedelta(days=7), Freshness.AGEING),
        (timedelta(days=7, seconds=1), Freshness.STALE),
    ],
)
def test_freshness_boundaries(age, expected):
    now = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
    assert freshness(now - age, now) is expected


def test_never_confirmed():
    assert freshness(None, datetime.now(timezone.utc)) is Freshness.NEVER


def test_a_home_reports_only_the_categories_it_offers():
    count = BedCount(home_id="h", category="residential", max_capacity=1, occupied=0, vacant_reserved=0,
                     vacant_accepting=1)
    assert category_not_offered(count, "Allingham House", [BedCategory.RESIDENTIAL, "nursing"]) is None
    assert category_not_offered(count, "Allingham House", ["nursing"]) == (
        "Allingham House does not offer Residential beds")
