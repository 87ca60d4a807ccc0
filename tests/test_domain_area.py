"""The area view's rules (domain/area.py, domain/geography.py): search, stale list, overview, ICB resolution."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.area import (
    AreaLevel,
    AreaQueryError,
    AreaRef,
    BedSearch,
    CategoryBeds,
    HomeSnapshot,
    NhsmailStage,
    csv_rows,
    district_origin,
    home_origin,
    matches,
    needs_support,
    overview,
    point_origin,
    search_beds,
    snapshot,
    stale_homes,
    support_key,
)
from domain.beds import BedCategory, BedCount, HomeStatus
from domain.freshness import Freshness
from domain.geography import bounding_box, distance_km, resolve_icb
from domain.home_settings import Funding, HomeSettings, offered_categories
from domain.homes import CareHome, IcbChoice, postcode_district
from domain.maturity import Band
from domain.readiness import DsptLevel

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
ND = BedCategory.NURSING_DEMENTIA
RES = BedCategory.RESIDENTIAL


def home(home_id: str, *, la: str = "Trafford", icb: str | None = "QOP", region: str = "North West",
         lat: float | None = 53.4, lon: float | None = -2.3, postcode: str = "WA15 6SQ",
         beds: tuple[CategoryBeds, ...] = (), closed: bool = False, registered: bool = True,
         confirmed: timedelta | None = timedelta(hours=1), funding: frozenset[Funding] = frozenset(),
         band: Band = Band.MINIMUM, dspt: DsptLevel | None = None, nhsmail: NhsmailStage = NhsmailStage.NOT_STARTED,
         name: str | None = None) -> HomeSnapshot:
    return HomeSnapshot(
        home_id=home_id, name=name or f"Home {home_id}", local_authority=la, icb_code=icb,
        icb="NHS Greater Manchester Integrated Care Board" if icb == "QOP" else icb, region=region,
        postcode=postcode, latitude=lat, longitude=lon, phone="0161 000 0000", manager_name="A Manager",
        cqc_rating=None, cqc_rating_date=None, registered=registered, closed_to_admissions=closed,
        confirmed_at=None if confirmed is None else NOW - confirmed, funding=funding, beds=beds,
        dspt=dspt, nhsmail=nhsmail, band=band,
    )


def beds(category: BedCategory, accepting: int, capacity: int = 20, occupied: int = 10) -> CategoryBeds:
    return CategoryBeds(category, capacity, occupied, 0, accepting)


def test_search_finds_open_registered_homes_with_a_vacancy_nearest_first():
    origin = point_origin(53.40, -2.30)
    homes = [
        home("1-001", lat=53.50, lon=-2.30, beds=(beds(ND, 2),)),  # ~11 km
        home("1-002", la="Manchester", lat=53.41, lon=-2.30, beds=(beds(ND, 1), beds(RES, 3))),  # ~1 km
        home("1-003", beds=(beds(ND, 0), beds(RES, 4))),  # no nursing dementia vacancy
        home("1-004", beds=(beds(ND, 5),), closed=True),
        home("1-005", beds=(beds(ND, 5),), registered=False),
        home("1-006", lat=None, lon=None, beds=(beds(ND, 9),)),  # no position: last
    ]
    outcome = search_beds(homes, BedSearch(frozenset({ND}), origin=origin), NOW)
    assert [hit.home.home_id for hit in outcome.hits] == ["1-002", "1-001", "1-006"]
    assert outcome.total == 3
    assert outcome.hits[0].vacancies == {ND: 1}  # only the categories asked for
    assert outcome.hits[0].distance_km == pytest.approx(1.11, abs=0.01)
    assert outcome.hits[2].distance_km is None
    assert outcome.hits[0].freshness is Freshness.FRESH


def test_search_filters_by_area_funding_and_age():
    homes = [
        home("1-001", beds=(beds(ND, 1),), funding=frozenset({Funding.NHS_CHC})),
        home("1-002", la="Manchester", beds=(beds(ND, 1),), funding=frozenset({Funding.SELF_FUNDED})),
        home("1-003", la="Stockport", beds=(beds(ND, 1),), funding=frozenset({Funding.NHS_CHC}),
             confirmed=timedelta(days=9)),
        home("1-004", la="Stockport", beds=(beds(ND, 1),), funding=frozenset({Funding.NHS_CHC}), confirmed=None),
    ]

    def ids(**query) -> list[str]:
        return sorted(hit.home.home_id for hit in search_beds(homes, BedSearch(frozenset({ND}), **query), NOW).hits)

    assert ids() == ["1-001", "1-002", "1-003", "1-004"]
    assert ids(areas=(AreaRef.parse("la:Trafford"), AreaRef.parse("la:Manchester"))) == ["1-001", "1-002"]
    assert ids(funding=Funding.NHS_CHC) == ["1-001", "1-003", "1-004"]
    assert ids(max_age=timedelta(days=7)) == ["1-001", "1-002"]  # never confirmed counts as too old
    with pytest.raises(AreaQueryError):
        BedSearch(frozenset())


def test_district_origin_is_the_centroid_of_the_directorys_homes_and_says_so():
    homes = [home("1-001", postcode="WA15 6SQ", lat=53.0, lon=-2.0),
             home("1-002", postcode="wa15 7ab", lat=53.2, lon=-2.2),
             home("1-003", postcode="M41 5BU", lat=54.0, lon=-3.0)]
    origin = district_origin(homes, "WA15 9XX")
    assert (origin.latitude, origin.longitude) == pytest.approx((53.1, -2.1))
    assert origin.label == "postcode district WA15 (centre of 2 homes)"
    with pytest.raises(AreaQueryError, match="district SK9"):
        district_origin(homes, "SK9")
    assert home_origin(homes, "1-003").label == "Home 1-003"
    with pytest.raises(AreaQueryError):
        home_origin(homes, "1-999")


def test_stale_list_oldest_first_never_confirmed_first_and_the_share_up_to_date():
    homes = [home("1-001", confirmed=timedelta(days=8)), home("1-002", confirmed=timedelta(days=30)),
             home("1-003", confirmed=None), home("1-004", confirmed=timedelta(days=2)),
             home("1-005", confirmed=timedelta(days=40), registered=False)]
    report = stale_homes(homes, NOW)
    assert [item.home.home_id for item in report.homes] == ["1-003", "1-002", "1-001"]
    assert report.homes[1].age == timedelta(days=30)
    assert (report.total_homes, report.up_to_date) == (4, 1)
    assert report.up_to_date_share == 0.25
    assert [item.home.home_id for item in stale_homes(homes, NOW, timedelta(days=1)).homes][-1] == "1-004"


def test_overview_totals_children_and_support_next():
    homes = [
        home("1-001", beds=(beds(ND, 2, 20, 15), beds(RES, 1, 10, 9)), band=Band.CORE,
             dspt=DsptLevel.STANDARDS_MET, nhsmail=NhsmailStage.LIVE),
        home("1-002", la="Manchester", beds=(beds(ND, 3, 30, 20),), closed=True, confirmed=timedelta(days=3)),
        home("1-003", la="Manchester", beds=(beds(RES, 0, 5, 5),), confirmed=None, band=Band.ENHANCED_PLUS),
        home("1-004", beds=(beds(RES, 9),), registered=False),
        home("1-005", la="Leeds", icb="QWO", region="North East and Yorkshire", beds=(beds(RES, 4),)),
    ]
    result = overview(homes, AreaRef.parse("icb:QOP"), NOW)
    assert result.area.name == "NHS Greater Manchester Integrated Care Board"
    totals = result.totals
    assert totals.homes == 3 and totals.closed_homes == 1
    assert totals.beds[ND].max_capacity == 50 and totals.beds[ND].vacant_accepting == 5 and totals.beds[ND].homes == 2
    assert totals.vacant_accepting == 6
    assert totals.freshness == {Freshness.FRESH: 1, Freshness.AGEING: 1, Freshness.STALE: 0, Freshness.NEVER: 1}
    assert totals.dspt == {"Standards Met": 1, "Not recorded": 2}
    assert totals.bands[Band.CORE] == 1 and totals.bands[Band.MINIMUM] == 1
    assert [(row.area.level, row.area.code, row.totals.homes) for row in result.children] == [
        (AreaLevel.LOCAL_AUTHORITY, "Manchester", 2), (AreaLevel.LOCAL_AUTHORITY, "Trafford", 1)]
    assert [h.home_id for h in result.support_next] == ["1-002", "1-001"]  # lowest band first; enhanced plus never
    england = overview(homes, AreaRef.parse("england"), NOW)
    assert [row.area.code for row in england.children] == ["North East and Yorkshire", "North West"]
    la = overview(homes, AreaRef.parse("la:Trafford"), NOW)
    assert [(row.area.level, row.area.code) for row in la.children] == [(AreaLevel.HOME, "1-001")]
    rows = csv_rows(result)
    assert rows[-1]["name"] == result.area.name and rows[-1]["homes"] == 3
    assert rows[0]["nursing_dementia_vacant_accepting"] == 3


def test_area_refs_parse_and_refuse_in_plain_words():
    assert AreaRef.parse("la:Trafford") == AreaRef(AreaLevel.LOCAL_AUTHORITY, "Trafford", "Trafford")
    assert AreaRef.parse("england").key == "england"
    for bad in ("county:Kent", "la:", "region"):
        with pytest.raises(ValueError, match="area|which"):
            AreaRef.parse(bad)


def test_snapshot_counts_only_the_categories_the_home_offers_and_the_managers_settings():
    care_home = CareHome(cqc_location_id="1-10101", name="Oak", address="1 Road", postcode="M1 1AA",
                         local_authority="Manchester", with_nursing=True, bed_categories=(ND, RES), phone="0161 1",
                         registered_manager="CQC Name")
    settings_ = HomeSettings(home_id="1-10101", funding_accepted=(Funding.LOCAL_AUTHORITY,), bed_categories=(ND,),
                             manager_name="Mo", contact_phone="0161 2")
    counts = [BedCount(home_id="1-10101", category=c, max_capacity=5, occupied=1, vacant_reserved=0, vacant_accepting=2)
              for c in (ND, RES)]
    snap = snapshot(care_home, settings=settings_, status=HomeStatus(home_id="1-10101"), beds=counts, confirmed_at=None)
    assert [b.category for b in snap.beds] == [ND]
    assert (snap.manager_name, snap.phone, snap.funding) == ("Mo", "0161 2", frozenset({Funding.LOCAL_AUTHORITY}))
    assert offered_categories(care_home, None) == (ND, RES)
    plain = snapshot(care_home, settings=None, status=None, beds=counts, confirmed_at=None)
    assert (plain.manager_name, plain.phone, len(plain.beds)) == ("CQC Name", "0161 1", 2)


def test_postcode_district():
    assert postcode_district("WA15 6SQ") == "WA15"
    assert postcode_district("m416bu") == "M41"
    assert postcode_district("SW1A 1AA") == "SW1A"
    assert postcode_district("not a postcode") is None


SURREY = (IcbChoice(code="QXU", name="NHS Surrey Heartlands Integrated Care Board", region="South East"),
          IcbChoice(code="QNQ", name="NHS Frimley Integrated Care Board", region="South East"))
LOOKUP = {"Surrey": SURREY, "Trafford": (IcbChoice(code="QOP", name="NHS Greater Manchester Integrated Care Board",
                                                  region="North West"),)}


def test_icb_from_the_local_authority_or_its_sub_icb_never_a_guess():
    assert resolve_icb("Trafford", LOOKUP).icb.code == "QOP"
    assert resolve_icb("Surrey", LOOKUP, sub_icb_name="NHS Frimley ICB - 15A").icb.code == "QNQ"
    assert resolve_icb("Surrey", LOOKUP, sub_icb_name="NHS Surrey Heartlands ICB - 92A").icb.code == "QXU"
    assert resolve_icb("Surrey", LOOKUP, sub_icb_code="92A", sub_icb_codes={"92A": "QXU"}).icb.code == "QXU"
    undecided = resolve_icb("Surrey", LOOKUP)
    assert undecided.icb is None and undecided.needs_decision and undecided.candidates == SURREY
    assert resolve_icb("Nowhere", LOOKUP).icb is None and not resolve_icb("Nowhere", LOOKUP).needs_decision


def test_distance_km():
    assert distance_km(51.5007, -0.1246, 48.8584, 2.2945) == pytest.approx(340.5, abs=1)  # Big Ben -> Eiffel tower


_homes = st.lists(
    st.builds(
        lambda i, lat, lon, acc, closed, reg, age, la: home(
            f"1-{i:05d}", lat=lat, lon=lon, beds=(beds(ND, acc),), closed=closed, registered=reg,
            confirmed=None if age is None else timedelta(hours=age), la=la),
        st.integers(0, 99999), st.floats(50, 55), st.floats(-4, 1), st.integers(0, 3), st.booleans(), st.booleans(),
        st.one_of(st.none(), st.integers(0, 400)), st.sampled_from(["Trafford", "Manchester", "Leeds"])),
    max_size=40, unique_by=lambda h: h.home_id)


@settings(max_examples=100, deadline=None)
@given(_homes, st.one_of(st.none(), st.integers(1, 300)))
def test_search_returns_exactly_the_matching_homes_in_distance_order(homes, max_age_hours):
    query = BedSearch(frozenset({ND}), origin=point_origin(53.4, -2.3), limit=1000,
                      max_age=None if max_age_hours is None else timedelta(hours=max_age_hours))
    outcome = search_beds(homes, query, NOW)
    assert {hit.home.home_id for hit in outcome.hits} == {h.home_id for h in homes if matches(h, query, NOW)}
    distances = [hit.distance_km for hit in outcome.hits]
    assert distances == sorted(distances)
    for hit in outcome.hits:
        assert hit.home.registered and not hit.home.closed_to_admissions and hit.vacancies[ND] > 0


@settings(max_examples=300, deadline=None)
@given(st.floats(49.5, 61), st.floats(-8, 2), st.floats(0.5, 400), st.floats(0, 1), st.floats(0, 6.2832))
def test_a_bounding_box_holds_every_point_within_its_radius(latitude, longitude, radius, fraction, bearing):
    """The API reads the nearest homes from a box first: a home within the radius must never fall outside."""
    import math

    box = bounding_box(latitude, longitude, radius)
    # A point at `fraction` of the radius on `bearing` (the destination formula on a sphere).
    angular = radius * fraction / 6371.0088
    lat1, lon1 = math.radians(latitude), math.radians(longitude)
    lat2 = math.asin(math.sin(lat1) * math.cos(angular) + math.cos(lat1) * math.sin(angular) * math.cos(bearing))
    lon2 = lon1 + math.atan2(math.sin(bearing) * math.sin(angular) * math.cos(lat1),
                             math.cos(angular) - math.sin(lat1) * math.sin(lat2))
    point = math.degrees(lat2), math.degrees(lon2)
    assert distance_km(latitude, longitude, *point) <= radius * 1.000001
    assert box.min_latitude - 1e-9 <= point[0] <= box.max_latitude + 1e-9
    assert box.min_longitude - 1e-9 <= point[1] <= box.max_longitude + 1e-9


def test_the_support_order_reads_stored_values_as_the_enums():
    """The central API orders its index rows (plain strings) by the same key as a device's snapshots."""
    for band in Band:
        assert needs_support(band.value) == needs_support(band) == (band is not Band.ENHANCED_PLUS)
        for dspt in (*DsptLevel, None):
            for stage in NhsmailStage:
                assert support_key(band.value, dspt.value if dspt else None, stage.value, "A", "1") == \
                    support_key(band, dspt, stage, "A", "1")
    assert support_key(Band.MINIMUM, None, NhsmailStage.NOT_STARTED, "A", "1") < \
        support_key(Band.MINIMUM, DsptLevel.STANDARDS_MET, NhsmailStage.NOT_STARTED, "A", "1")
