"""The area view for other systems: GET /area/search, /area/stale, /area/overview, /area/history (JSON or CSV).

The same answers a commissioner's device gives offline (protocol.area), bounded by the account's area.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from domain.area import SEARCH_LIMIT, STALE_AFTER, STALE_PAGE
from domain.beds import BedCategory
from domain.home_settings import Funding
from protocol import area_csv
from protocol.area import HistoryAnswer, OverviewAnswer, SearchAnswer, StaleAnswer
from protocol.errors import ErrorResponse
from server_stub.dependencies import ClockDep, ConnectionDep, CurrentAccount
from server_stub.services import area

router = APIRouter(prefix="/area", tags=["area"])
REFUSALS = {403: {"model": ErrorResponse, "description": "Not an area role, or no area set"},
            422: {"model": ErrorResponse, "description": "A parameter that cannot be used, named"}}
CSV = {200: {"content": {"text/csv": {}}, "description": "JSON, or with format=csv a CSV file of the table"}}
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv, a file for a spreadsheet")]
AreaParam = Annotated[str | None, Query(alias="area", max_length=120, description=(
    'england, "region:<NHS region>", "icb:<ICB code>", "la:<local authority>" or "home:<CQC location ID>"; '
    "default: your account's area"))]


def _csv(file: area_csv.CsvFile) -> Response:
    return Response(file.content(), media_type=f"{area_csv.MEDIA_TYPE}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{file.name}"'})


def _area(text: str | None):
    return area.parse_area(text) if text else None


@router.get("/search", response_model=SearchAnswer, responses=REFUSALS | CSV)
def search(
    account: CurrentAccount, connection: ConnectionDep, clock: ClockDep,
    category: Annotated[list[BedCategory], Query(min_length=1, max_length=len(BedCategory),
                                                 description="Bed categories wanted (repeat for several)")],
    area_: Annotated[list[str], Query(alias="area", max_length=20, description=(
        "Areas to search (repeat for several, across local authority and ICB boundaries); default: all yours"))] = [],  # noqa: B006 - FastAPI reads, never changes it
    funding: Annotated[Funding | None, Query(description="Only homes accepting this funding")] = None,
    max_age_days: Annotated[int | None, Query(ge=0, le=365, description=(
        "Leave out homes whose bed state is older than this many days"))] = None,
    near: Annotated[str | None, Query(max_length=40, description="Order by distance from latitude,longitude")] = None,
    near_home: Annotated[str | None, Query(max_length=20, description="... from a home (CQC location ID)")] = None,
    near_district: Annotated[str | None, Query(max_length=10, description=(
        "... from a postcode district's centre (of the directory's homes in it), e.g. WA15"))] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = SEARCH_LIMIT,
    format: Format = "json",
):
    """Homes with vacancies accepting admissions in the categories asked for, nearest first."""
    request = area.SearchRequest(categories=category, areas=area_, funding=funding, max_age_days=max_age_days,
                                 near=near, near_home=near_home, near_district=near_district, limit=limit)
    answer = area.search(connection, account, clock(), request)
    return _csv(area_csv.search_csv(answer, category)) if format == "csv" else answer


@router.get("/stale", response_model=StaleAnswer, responses=REFUSALS | CSV)
def stale(
    account: CurrentAccount, connection: ConnectionDep, clock: ClockDep, area_: AreaParam = None,
    older_than_days: Annotated[int, Query(alias="older_than_days", ge=1, le=365)] = STALE_AFTER.days,
    offset: Annotated[int, Query(ge=0, le=100_000, description="Skip this many of the homes behind")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="List at most this many (a CSV lists them all)")] = STALE_PAGE,
    collection: Annotated[Literal["current"] | None, Query(description=(
        "current: the homes not yet confirmed in this month's collection (its window opens on the 8th; before "
        "the 8th, last month's), instead of older_than_days"))] = None,
    format: Format = "json",
):
    """Homes whose bed state is older than older_than_days (or never confirmed), oldest first, with who to call.

    ``behind`` counts them all; ``homes`` lists a page of them (``offset``, ``limit``)."""
    if format == "csv":
        return _csv(area_csv.stale_csv(area.stale(connection, account, clock(), _area(area_), older_than_days,
                                                  limit=None, collection=collection)))
    return area.stale(connection, account, clock(), _area(area_), older_than_days, offset=offset, limit=limit,
                      collection=collection)


@router.get("/overview", response_model=OverviewAnswer, responses=REFUSALS | CSV)
def overview(account: CurrentAccount, connection: ConnectionDep, clock: ClockDep, area_: AreaParam = None,
             format: Format = "json"):
    """Beds, vacancies, freshness and the digital programme for an area, one row per smaller area inside it."""
    now = clock()
    found = area.area_overview(connection, account, now, _area(area_))
    return _csv(area_csv.overview_csv(found, now)) if format == "csv" else OverviewAnswer.of(found, now)


@router.get("/history", response_model=HistoryAnswer, responses=REFUSALS | CSV)
def history(
    account: CurrentAccount, connection: ConnectionDep, clock: ClockDep, area_: AreaParam = None,
    interval: Annotated[Literal["day", "week"], Query()] = "day",
    days: Annotated[int, Query(ge=1, le=area.HISTORY_DAYS_MAX)] = 30,
    format: Format = "json",
):
    """Vacancies accepting admissions and beds per category at the end of each day (or week)."""
    answer = area.history(connection, account, clock(), _area(area_), interval, days)
    return _csv(area_csv.history_csv(answer)) if format == "csv" else answer
