"""The area view's answers (GET /area/search, /area/stale, /area/overview, /area/history).

Built from the rules in ``domain.area`` by both sides: the central API answers
with these, and a commissioner's device shows the same fields offline.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.area import AreaRef, AreaTotals, HomeSnapshot, Overview, SearchOutcome, StaleReport
from domain.beds import BedCategory
from domain.freshness import Freshness
from domain.home_settings import Funding
from domain.homes import CqcRating
from domain.maturity import Band
from domain.outbreak import OutbreakKind
from domain.workforce import WORKFORCE_FIELDS


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AreaWire(_Wire):
    level: str = Field(description="england, region, icb, la or home")
    code: str = Field(description="region name, ICB code, local authority name or CQC location ID")
    name: str

    @classmethod
    def of(cls, area: AreaRef) -> AreaWire:
        return cls(level=area.level.value, code=area.code, name=area.name or area.code)


class OriginWire(_Wire):
    latitude: float
    longitude: float
    label: str = Field(description='What the distances are from, e.g. "postcode district WA15 (centre of 12 homes)"')


class SearchResult(_Wire):
    home_id: str
    name: str
    local_authority: str
    icb: str | None
    postcode: str
    phone: str | None
    manager_name: str | None
    cqc_rating: CqcRating | None
    cqc_rating_date: date | None
    distance_km: float | None = Field(description="From the origin, to 0.1 km; None without an origin or a position")
    vacancies: dict[BedCategory, int] = Field(description="Vacant beds accepting admissions, per category asked for")
    confirmed_at: datetime | None = Field(description="When the home last confirmed its bed state")
    freshness: Freshness
    funding_accepted: list[Funding]
    outbreak: OutbreakKind | None = Field(None, description="An infection outbreak at the home today; None: none")


class SearchAnswer(_Wire):
    origin: OriginWire | None
    total: int = Field(description="Matching homes; the nearest `limit` are listed")
    results: list[SearchResult]
    as_of: datetime

    @classmethod
    def of(cls, outcome: SearchOutcome, now: datetime) -> SearchAnswer:
        origin = outcome.origin
        return cls(
            origin=OriginWire(latitude=origin.latitude, longitude=origin.longitude, label=origin.label)
            if origin else None,
            total=outcome.total,
            results=[
                SearchResult(
                    home_id=hit.home.home_id, name=hit.home.name, local_authority=hit.home.local_authority,
                    icb=hit.home.icb, postcode=hit.home.postcode, phone=hit.home.phone,
                    manager_name=hit.home.manager_name, cqc_rating=hit.home.cqc_rating,
                    cqc_rating_date=hit.home.cqc_rating_date,
                    distance_km=None if hit.distance_km is None else round(hit.distance_km, 1),
                    vacancies=hit.vacancies, confirmed_at=hit.home.confirmed_at, freshness=hit.freshness,
                    funding_accepted=sorted(hit.home.funding, key=list(Funding).index),
                    outbreak=hit.home.outbreak,
                )
                for hit in outcome.hits
            ],
            as_of=now,
        )


class StaleHomeWire(_Wire):
    home_id: str
    name: str
    local_authority: str
    manager_name: str | None
    phone: str | None
    confirmed_at: datetime | None = Field(description="None: never confirmed")
    days_since: int | None = Field(description="Whole days since the last confirmation; None: never")


class StaleAnswer(_Wire):
    area: AreaWire
    older_than_days: int
    total_homes: int
    up_to_date: int = Field(description="Homes whose bed state is no older than older_than_days")
    up_to_date_share: float = Field(ge=0, le=1)
    behind: int = Field(description="Homes not up to date, all of them; homes lists a page of them from offset")
    offset: int = Field(0, description="Where this page of homes starts in the whole list (0: the oldest)")
    collection_opens: date | None = Field(None, description=(
        "With collection=current: the day this month's collection window opened (the 8th); the list is then the "
        "homes not confirmed since, whatever older_than_days says"))
    homes: list[StaleHomeWire] = Field(description="Oldest first; never confirmed first of all")
    as_of: datetime

    @classmethod
    def of(cls, area: AreaRef, report: StaleReport, now: datetime) -> StaleAnswer:
        return cls(
            area=AreaWire.of(area), older_than_days=report.older_than.days, total_homes=report.total_homes,
            up_to_date=report.up_to_date, up_to_date_share=round(report.up_to_date_share, 4),
            behind=report.behind, offset=report.offset,
            collection_opens=report.collection.opens if report.collection else None,
            homes=[
                StaleHomeWire(home_id=item.home.home_id, name=item.home.name,
                              local_authority=item.home.local_authority, manager_name=item.home.manager_name,
                              phone=item.home.phone, confirmed_at=item.home.confirmed_at,
                              days_since=None if item.age is None else item.age.days)
                for item in report.homes
            ],
            as_of=now,
        )


class BedTotalsWire(_Wire):
    homes: int
    max_capacity: int
    occupied: int
    vacant_reserved: int
    vacant_accepting: int


class WorkforceTotalsWire(_Wire):
    homes: int = Field(0, description="Homes that have reported their workforce (the counts are theirs)")
    nurses_employed: int = 0
    nurses_agency: int = 0
    care_workers_employed: int = 0
    care_workers_agency: int = 0
    non_care_employed: int = 0
    non_care_agency: int = 0
    absent_today: int = 0


class TotalsWire(_Wire):
    homes: int
    closed_to_admissions: int
    vacant_accepting: int
    beds: dict[BedCategory, BedTotalsWire]
    freshness: dict[Freshness, int]
    dspt: dict[str, int] = Field(description='DSPT status -> homes ("Not recorded": no status yet)')
    nhsmail: dict[str, int] = Field(description="NHSmail stage -> homes")
    bands: dict[Band, int] = Field(description="Digital Maturity band -> homes")
    outbreak_homes: int = Field(0, description="Homes with an infection outbreak today")
    workforce: WorkforceTotalsWire = Field(default_factory=WorkforceTotalsWire,
                                           description="Staff headcounts summed over the homes that reported them")

    @classmethod
    def of(cls, totals: AreaTotals) -> TotalsWire:
        return cls(
            homes=totals.homes, closed_to_admissions=totals.closed_homes, vacant_accepting=totals.vacant_accepting,
            beds={category: BedTotalsWire(**vars(beds)) for category, beds in totals.beds.items()},
            freshness=dict(totals.freshness), dspt=dict(totals.dspt),
            nhsmail={stage.value: count for stage, count in totals.nhsmail.items()}, bands=dict(totals.bands),
            outbreak_homes=totals.outbreak_homes,
            workforce=WorkforceTotalsWire(homes=totals.workforce.homes,
                                          **{name: totals.workforce.counts[name] for name in WORKFORCE_FIELDS}),
        )


class AreaRowWire(_Wire):
    area: AreaWire
    totals: TotalsWire


class SupportHome(_Wire):
    home_id: str
    name: str
    band: Band
    dspt: str | None
    nhsmail: str


class OverviewAnswer(_Wire):
    area: AreaWire
    totals: TotalsWire
    children: list[AreaRowWire] = Field(description="The next level down: ICBs, local authorities or homes")
    support_next: list[SupportHome] = Field(description="Homes the digital programme should help next")
    as_of: datetime

    @classmethod
    def of(cls, overview: Overview, now: datetime) -> OverviewAnswer:
        return cls(
            area=AreaWire.of(overview.area), totals=TotalsWire.of(overview.totals),
            children=[AreaRowWire(area=AreaWire.of(row.area), totals=TotalsWire.of(row.totals))
                      for row in overview.children],
            support_next=[_support(home) for home in overview.support_next],
            as_of=now,
        )


def _support(home: HomeSnapshot) -> SupportHome:
    return SupportHome(home_id=home.home_id, name=home.name, band=home.band,
                       dspt=home.dspt.value if home.dspt else None, nhsmail=home.nhsmail.value)


class HistoryPoint(_Wire):
    day: date = Field(description="The day (daily) or the Monday of the week (weekly); counts at its end")
    vacant_accepting: dict[BedCategory, int]
    max_capacity: dict[BedCategory, int]


class HistoryAnswer(_Wire):
    area: AreaWire
    interval: Literal["day", "week"]
    points: list[HistoryPoint] = Field(description="Oldest first")
    as_of: datetime
