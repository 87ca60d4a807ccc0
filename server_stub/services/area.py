"""The area view on the central API: finding a bed, who has not updated, the area at a glance, vacancies over time.

The account's scope (access.scope_of) bounds every answer: an area asked for is read as "the homes of that
area this account may see". The index narrows the homes; the rules in ``domain.area`` decide, as on a device.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal

from domain.area import (
    STALE_AFTER,
    STALE_PAGE,
    SUPPORT_NEXT_LIMIT,
    AreaLevel,
    AreaQueryError,
    AreaRef,
    AreaTotals,
    BedSearch,
    BedTotals,
    NhsmailStage,
    Origin,
    Overview,
    SearchOutcome,
    StaleHome,
    StaleReport,
    assemble_overview,
    child_area,
    child_level_of,
    district_origin,
    home_origin,
    is_behind,
    point_origin,
    search_beds,
    stale_order,
)
from domain.beds import BedCategory
from domain.collection import current_collection
from domain.freshness import AGEING_FOR, FRESH_FOR, Freshness
from domain.geography import bounding_box
from domain.home_settings import Funding
from domain.maturity import Band
from domain.messages import label
from domain.readiness import DsptLevel
from protocol.area import AreaWire, HistoryAnswer, HistoryPoint, OverviewAnswer, SearchAnswer, StaleAnswer
from protocol.sync import Account
from server_stub import area_repository
from server_stub.access import (
    ADMINISTRATOR,
    COMMISSIONER,
    DIGITAL_CHAMPION,
    HOME_ROLES,
    HOSPITAL_USER,
    Scope,
    bed_search_scope,
    scope_of,
)
from server_stub.clock import iso
from server_stub.db import Connection, read_transaction, write_transaction
from server_stub.services.errors import Invalid, NotAllowed

AREA_ROLES = frozenset({COMMISSIONER, HOSPITAL_USER, DIGITAL_CHAMPION, ADMINISTRATOR})
NOT_FOR_YOUR_ROLE = ("The area view is for commissioners, discharge teams, digital champions and administrators; "
                     "a care home's staff see their own home's history on its bed state screen.")
HISTORY_DAYS_MAX = 731
_CATEGORIES = frozenset(category.value for category in BedCategory)
Interval = Literal["day", "week"]


def _area_scope(account: Account) -> Scope:
    if account.role not in AREA_ROLES:
        raise NotAllowed(NOT_FOR_YOUR_ROLE)
    scope = scope_of(account)
    if scope.empty:
        raise NotAllowed("Your account has no area yet: ask an administrator to set it.")
    return scope


def parse_area(text: str, field: str = "area") -> AreaRef:
    try:
        return AreaRef.parse(text)
    except ValueError as error:
        raise Invalid(f"{label(field)}: {error}") from None


def default_area(account: Account) -> AreaRef:
    """The area an account looks at when it names none: its own, else England (bounded by its scope)."""
    if account.area:
        try:
            return AreaRef.parse(account.area)
        except ValueError:
            pass
    return AreaRef(AreaLevel.ENGLAND, "", "England")


# --- finding a bed ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchRequest:
    categories: list[BedCategory]
    areas: list[str]
    funding: Funding | None = None
    max_age_days: int | None = None
    near: str | None = None  # "lat,lon"
    near_home: str | None = None
    near_district: str | None = None
    limit: int = 50


def _point(text: str) -> Origin:
    try:
        latitude, longitude = (float(part) for part in text.split(","))
    except ValueError:
        raise Invalid("near: give a position as latitude,longitude, e.g. 53.41,-2.23") from None
    try:
        return point_origin(latitude, longitude)
    except AreaQueryError as error:
        raise Invalid(f"near: {error}") from None


def search(connection: Connection, account: Account, now: datetime, request: SearchRequest) -> SearchAnswer:
    scope = _area_scope(account)
    origins = [name for name in ("near", "near_home", "near_district") if getattr(request, name)]
    if len(origins) > 1:
        raise Invalid(f"{origins[1]}: give one place to measure distance from (near, near_home or near_district)")
    areas = tuple(parse_area(text) for text in request.areas)
    max_age = timedelta(days=request.max_age_days) if request.max_age_days is not None else None
    with read_transaction(connection):
        origin = None
        try:
            if request.near:
                origin = _point(request.near)
            elif request.near_home:
                home = AreaRef(AreaLevel.HOME, request.near_home.strip())
                origin = home_origin(area_repository.homes_in(connection, scope, home), home.code)
            elif request.near_district:
                origin = district_origin(area_repository.homes_in_district(connection, scope, request.near_district),
                                         request.near_district)
            query = BedSearch(frozenset(request.categories), funding=request.funding, max_age=max_age, areas=areas,
                              origin=origin, limit=request.limit)
        except AreaQueryError as error:
            raise Invalid(f"{origins[0] if origins else 'category'}: {error}") from None
        # A discharge team also finds homes beyond her area that share with neighbouring areas' teams.
        where = area_repository.SearchFilter(bed_search_scope(account), areas, request.categories, request.funding,
                                             now - max_age if max_age is not None else None)
        outcome = _nearest(connection, where, query, now) if origin is not None else None
        if outcome is None:
            outcome = search_beds(area_repository.search_candidates(connection, where), query, now)
    return SearchAnswer.of(outcome, now)


SEARCH_RADII_KM = (10, 25, 60, 150)


def _nearest(connection: Connection, where, query: BedSearch, now: datetime) -> SearchOutcome | None:
    """The nearest ``limit`` matches from the homes within a growing radius (reading thousands of homes to list
    fifty costs more than counting them); None when the whole set must be read (few matches, or far apart).

    Exact: once ``limit`` matches lie within the radius, no home outside its box can be nearer.
    """
    total = area_repository.count_search(connection, where)
    if total <= query.limit:
        return None
    origin = query.origin
    for radius in SEARCH_RADII_KM:
        box = bounding_box(origin.latitude, origin.longitude, radius)
        found = search_beds(area_repository.search_candidates(connection, where, box), query, now)
        if len(found.hits) == query.limit and found.hits[-1].distance_km <= radius:
            return SearchOutcome(found.hits, total, origin)
    return None


# --- who has not updated ---------------------------------------------------------------------------------------

def stale(connection: Connection, account: Account, now: datetime, area: AreaRef | None,
          older_than_days: int = STALE_AFTER.days, *, offset: int = 0, limit: int | None = STALE_PAGE,
          collection: Literal["current"] | None = None) -> StaleAnswer:
    """The homes behind, oldest first, from ``offset`` (at most ``limit``; None: all of them, for a CSV).

    ``collection="current"``: the homes not yet confirmed in the current monthly collection instead."""
    scope = _area_scope(account)
    area = area or default_area(account)
    older_than = timedelta(days=older_than_days)
    window = current_collection(now.astimezone(timezone.utc).date()) if collection == "current" else None
    cutoff = window.opens_at if window is not None else now - older_than
    with read_transaction(connection):
        named = area_repository.area_name(connection, scope, area)
        total = area_repository.count_homes(connection, scope, area)
        # SQL narrows by the stored time; the rule decides which are behind and their order; only the page
        # asked for is read in full (a region has thousands behind).
        behind = sorted(
            (stale_order(_parse_time(confirmed), name or home_id, home_id)
             for home_id, name, confirmed in area_repository.stale_keys(connection, scope, area, cutoff)
             if is_behind(_parse_time(confirmed), now, older_than, window)))
        page = behind[offset:None if limit is None else offset + limit]
        found = area_repository.homes_by_id(connection, [key[-1] for key in page])
    listed = [StaleHome(home, None if home.confirmed_at is None else now - home.confirmed_at)
              for home in (found[key[-1]] for key in page)]
    return StaleAnswer.of(named, StaleReport(listed, total, total - len(behind), older_than, offset, window), now)


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# --- the area at a glance --------------------------------------------------------------------------------------

def area_overview(connection: Connection, account: Account, now: datetime, area: AreaRef | None) -> Overview:
    """The rule's overview from the index's counts: the database adds up the homes, the rule assembles them."""
    scope = _area_scope(account)
    area = area or default_area(account)
    level = child_level_of(area)
    children: dict[str, tuple[str, AreaTotals]] = {}

    def totals_of(code: str | None, name: str | None) -> AreaTotals:
        code, name = child_area(level, code, name)
        if code not in children:
            children[code] = (name, AreaTotals())
        return children[code][1]

    with read_transaction(connection):
        if area.level is not AreaLevel.ENGLAND:
            area = area_repository.area_name(connection, scope, area)
        home_rows, bed_rows = area_repository.overview_counts(
            connection, scope, area, level, now - FRESH_FOR, now - AGEING_FOR)
        first = area_repository.support_first(connection, scope, area, SUPPORT_NEXT_LIMIT)
        found = area_repository.homes_by_id(connection, first)
    for code, name, fresh, closed, dspt, nhsmail, band, outbreak, count, reported, *workforce in home_rows:
        totals = totals_of(code, name)
        totals.add_homes(
            count, closed=bool(closed), fresh=Freshness(fresh), dspt=DsptLevel(dspt) if dspt else None,
            nhsmail=NhsmailStage(nhsmail) if nhsmail else NhsmailStage.NOT_STARTED,
            band=Band(band) if band else Band.MINIMUM, outbreak=bool(outbreak))
        if reported:
            totals.workforce.add(int(reported), (int(headcount) for headcount in workforce))
    for code, category, homes, *counts in bed_rows:
        if category in _CATEGORIES:
            totals_of(code, None).add_beds(BedCategory(category), BedTotals(homes, *(int(c) for c in counts)))
    return assemble_overview(area, children, [found[home_id] for home_id in first])


def overview_answer(connection: Connection, account: Account, now: datetime, area: AreaRef | None) -> OverviewAnswer:
    return OverviewAnswer.of(area_overview(connection, account, now, area), now)


# --- vacancies over time ---------------------------------------------------------------------------------------

def _history_scope(account: Account, area: AreaRef) -> Scope:
    if account.role in HOME_ROLES:  # a home's staff: their own home's history only
        if area.level is not AreaLevel.HOME or area.code != account.home_id:
            raise NotAllowed(NOT_FOR_YOUR_ROLE)
        return scope_of(account)
    return _area_scope(account)


def _periods(first: date, last: date, interval: Interval) -> list[date]:
    step = timedelta(days=7 if interval == "week" else 1)
    found, day = [], first
    while day <= last:
        found.append(day)
        day += step
    return found


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def history(connection: Connection, account: Account, now: datetime, area: AreaRef | None,
            interval: Interval = "day", days: int = 30) -> HistoryAnswer:
    """Vacancies accepting admissions and beds per category, at the end of each day (or week) of the window."""
    area = area or default_area(account)
    scope = _history_scope(account, area)
    if not 1 <= days <= HISTORY_DAYS_MAX:
        raise Invalid(f"days: give between 1 and {HISTORY_DAYS_MAX} days")
    today = now.astimezone(timezone.utc).date()
    first = today - timedelta(days=days - 1)
    if interval == "week":
        first -= timedelta(days=first.weekday())  # weeks start on Monday
    opens = _midnight(first)
    with read_transaction(connection):
        named = area_repository.area_name(connection, scope, area)
        changes = area_repository.bed_changes(connection, scope, area, iso(opens), iso(now),
                                              registered_only=area.level is not AreaLevel.HOME)
    counts: dict[tuple[str, str], tuple[int, int] | None] = {}
    step = timedelta(days=7 if interval == "week" else 1)
    points, pending = [], iter(changes)
    change = next(pending, None)
    periods = _periods(first, today, interval)
    for day in periods:
        ends = _midnight(day) + step  # counts at the end of the day (week); the current one: as they are now
        while change is not None and (day == periods[-1] or datetime.fromisoformat(change.at) < ends):
            counts[(change.home_id, change.category)] = (
                None if change.deleted else (change.max_capacity, change.vacant_accepting))
            change = next(pending, None)
        vacant: dict[BedCategory, int] = defaultdict(int)
        beds: dict[BedCategory, int] = defaultdict(int)
        for (_, category), value in counts.items():
            if value is None or category not in _CATEGORIES:
                continue
            beds[BedCategory(category)] += value[0]
            vacant[BedCategory(category)] += value[1]
        points.append(HistoryPoint(day=day, vacant_accepting={c: vacant[c] for c in BedCategory if c in beds},
                                   max_capacity={c: beds[c] for c in BedCategory if c in beds}))
    return HistoryAnswer(area=AreaWire.of(named), interval=interval, points=points, as_of=now)


# --- keeping the index ----------------------------------------------------------------------------------------

def keep_index_up_to_date(connection: Connection, now: datetime) -> int:
    """At start and then hourly: fill the index of an older database, and once a day re-read expiring facts."""
    with write_transaction(connection):
        return area_repository.bring_index_up_to_date(connection, now.astimezone(timezone.utc).date())
