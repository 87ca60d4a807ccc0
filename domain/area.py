"""The area view's rules: finding a bed, who has not updated, the area at a glance.

One set of rules for the central API (GET /area/...) and for a commissioner's
device offline. Both hand in ``HomeSnapshot``s (plain, slotted dataclasses so
15,000 homes are cheap to scan) and the time; nothing here reads a clock or a
database. The server may narrow the candidates with an index first, but the
answer is always decided here.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from domain.beds import BedCategory, BedCount, HomeStatus
from domain.collection import Collection, confirmed_for
from domain.freshness import Freshness, freshness
from domain.geography import Centroid, centroid, distance_km
from domain.home_settings import Funding, HomeSettings, offered_categories
from domain.homes import CareHome, CqcRating, postcode_district
from domain.maturity import Band
from domain.nhsmail import NhsmailProgress, Step, derive_step
from domain.outbreak import OutbreakKind
from domain.readiness import DsptLevel
from domain.workforce import WORKFORCE_FIELDS, Workforce

STALE_AFTER = timedelta(days=7)  # the national rule: no more than a week out of date
SEARCH_LIMIT = 50
SUPPORT_NEXT_LIMIT = 10
STALE_PAGE = 100  # homes per page of the stale list


class AreaLevel(StrEnum):
    ENGLAND = "england"
    REGION = "region"
    ICB = "icb"
    LOCAL_AUTHORITY = "la"
    HOME = "home"

    @property
    def child(self) -> AreaLevel | None:
        order = list(AreaLevel)
        return order[order.index(self) + 1] if self is not AreaLevel.HOME else None


@dataclass(frozen=True, slots=True)
class AreaRef:
    """An area: "england", "region:North West", "icb:QOP", "la:Trafford" or "home:1-123" (as accounts name them)."""

    level: AreaLevel
    code: str = ""  # region name, ICB code, local authority name or home id; "" for England
    name: str = ""  # for people: "NHS Greater Manchester Integrated Care Board"

    @classmethod
    def parse(cls, text: str) -> AreaRef:
        """'la:Trafford' -> AreaRef(LOCAL_AUTHORITY, 'Trafford'); ValueError in plain words otherwise."""
        text = text.strip()
        if text == "england":
            return cls(AreaLevel.ENGLAND, "", "England")
        prefix, _, code = text.partition(":")
        try:
            level = AreaLevel(prefix)
        except ValueError:
            raise ValueError(f"{text!r} is not an area: use england, region:<name>, icb:<code>, la:<name> "
                             "or home:<CQC location ID>") from None
        if level is AreaLevel.ENGLAND or not code.strip():
            raise ValueError(f"{text!r} does not say which {level.value}")
        return cls(level, code.strip(), code.strip())

    @property
    def key(self) -> str:
        return self.level.value if self.level is AreaLevel.ENGLAND else f"{self.level.value}:{self.code}"


class NhsmailStage(StrEnum):
    NOT_STARTED = "not started"
    PREPARING = "preparing"
    SUBMITTED = "submitted"
    SETTING_UP = "setting up"
    LIVE = "live"


_STAGE_OF_STEP = {
    Step.ODS_CODE: NhsmailStage.PREPARING, Step.CQC_IDS: NhsmailStage.PREPARING, Step.DSPT: NhsmailStage.PREPARING,
    Step.ROUTE: NhsmailStage.PREPARING, Step.USERS: NhsmailStage.PREPARING, Step.SUBMIT: NhsmailStage.PREPARING,
    Step.AWAIT_REPLY: NhsmailStage.SUBMITTED, Step.MFA: NhsmailStage.SETTING_UP,
    Step.FIRST_LOGIN: NhsmailStage.SETTING_UP, Step.IN_USE: NhsmailStage.LIVE,
}


def nhsmail_stage(progress: NhsmailProgress | None) -> NhsmailStage:
    if progress is None:
        return NhsmailStage.NOT_STARTED
    return _STAGE_OF_STEP[derive_step(progress)]


@dataclass(frozen=True, slots=True)
class CategoryBeds:
    category: BedCategory
    max_capacity: int
    occupied: int
    vacant_reserved: int
    vacant_accepting: int


@dataclass(frozen=True, slots=True)
class HomeSnapshot:
    """What the area rules look at for one home (built from its records on a device, or from an index)."""

    home_id: str
    name: str
    local_authority: str
    icb_code: str | None
    icb: str | None
    region: str | None
    postcode: str
    latitude: float | None
    longitude: float | None
    phone: str | None
    manager_name: str | None
    cqc_rating: CqcRating | None
    cqc_rating_date: date | None
    registered: bool
    closed_to_admissions: bool
    confirmed_at: datetime | None  # when the home last confirmed its bed state; None: never
    funding: frozenset[Funding]
    beds: tuple[CategoryBeds, ...]
    dspt: DsptLevel | None = None  # None: not recorded
    nhsmail: NhsmailStage = NhsmailStage.NOT_STARTED
    band: Band = Band.MINIMUM
    workforce: tuple[int, ...] | None = None  # the last headcounts, in WORKFORCE_FIELDS order; None: not reported
    outbreak: OutbreakKind | None = None  # an infection outbreak today (domain.outbreak); None: none

    def in_area(self, area: AreaRef) -> bool:
        level = area.level
        if level is AreaLevel.ENGLAND:
            return True
        if level is AreaLevel.REGION:
            return self.region == area.code
        if level is AreaLevel.ICB:
            return self.icb_code == area.code
        if level is AreaLevel.LOCAL_AUTHORITY:
            return self.local_authority == area.code
        return self.home_id == area.code

    def vacancies(self, categories: Iterable[BedCategory]) -> dict[BedCategory, int]:
        wanted = set(categories)
        return {beds.category: beds.vacant_accepting for beds in self.beds if beds.category in wanted}


_CATEGORY_ORDER = {category: n for n, category in enumerate(BedCategory)}  # the order categories are listed in


def snapshot(
    home: CareHome, *, settings: HomeSettings | None, status: HomeStatus | None, beds: Iterable[BedCount],
    confirmed_at: datetime | None, dspt: DsptLevel | None = None, nhsmail: NhsmailStage = NhsmailStage.NOT_STARTED,
    band: Band = Band.MINIMUM, workforce: Workforce | None = None, outbreak: OutbreakKind | None = None,
) -> HomeSnapshot:
    """A home's snapshot from its records (a device builds these; only the categories the home offers count)."""
    offered = set(offered_categories(home, settings))
    return HomeSnapshot(
        home_id=home.cqc_location_id, name=home.name, local_authority=home.local_authority,
        icb_code=home.icb_code, icb=home.icb, region=home.region, postcode=home.postcode,
        latitude=home.latitude, longitude=home.longitude,
        phone=(settings.contact_phone if settings and settings.contact_phone else home.phone),
        manager_name=(settings.manager_name if settings and settings.manager_name else home.registered_manager),
        cqc_rating=home.cqc_rating, cqc_rating_date=home.cqc_rating_date, registered=home.registered,
        closed_to_admissions=bool(status and status.closed_to_admissions), confirmed_at=confirmed_at,
        funding=frozenset(settings.funding_accepted) if settings else frozenset(),
        beds=tuple(sorted((CategoryBeds(count.category, count.max_capacity, count.occupied, count.vacant_reserved,
                                        count.vacant_accepting) for count in beds if count.category in offered),
                          key=lambda b: _CATEGORY_ORDER[b.category])),
        dspt=dspt, nhsmail=nhsmail, band=band,
        workforce=tuple(getattr(workforce, name) for name in WORKFORCE_FIELDS) if workforce else None,
        outbreak=outbreak,
    )


# --- finding a bed -------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Origin:
    """The point results are ordered from, and what it is for people ("postcode district WA15, 12 homes")."""

    latitude: float
    longitude: float
    label: str


class AreaQueryError(ValueError):
    """A search that cannot be answered, in plain words (an unknown postcode district, a home with no position)."""


def district_origin(homes: Iterable[HomeSnapshot], district: str) -> Origin:
    """The centroid of the directory's own homes in a postcode district ("WA15", or a full postcode's district)."""
    wanted = postcode_district(district) or district.strip().upper()
    found: Centroid | None = centroid(
        (home.latitude, home.longitude) for home in homes
        if home.latitude is not None and home.longitude is not None and postcode_district(home.postcode) == wanted
    )
    if found is None:
        raise AreaQueryError(f"No care home in the directory is in postcode district {wanted}, "
                             "so its position is not known. Try a neighbouring district or a home.")
    return Origin(found.latitude, found.longitude,
                  f"postcode district {wanted} (centre of {found.homes} home{'s' if found.homes != 1 else ''})")


def home_origin(homes: Iterable[HomeSnapshot], home_id: str) -> Origin:
    for home in homes:
        if home.home_id == home_id:
            if home.latitude is None or home.longitude is None:
                raise AreaQueryError(f"{home.name} has no position in the directory.")
            return Origin(home.latitude, home.longitude, home.name)
    raise AreaQueryError(f"No home with CQC location ID {home_id} in your area.")


def point_origin(latitude: float, longitude: float) -> Origin:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise AreaQueryError("That position is not on the map.")
    return Origin(latitude, longitude, f"{latitude:.4f}, {longitude:.4f}")


@dataclass(frozen=True)
class BedSearch:
    categories: frozenset[BedCategory]
    funding: Funding | None = None  # only homes that accept this funding
    max_age: timedelta | None = None  # leave out homes whose bed state is older (or never confirmed)
    areas: tuple[AreaRef, ...] = ()  # empty: everywhere the searcher may see
    origin: Origin | None = None
    limit: int = SEARCH_LIMIT

    def __post_init__(self) -> None:
        if not self.categories:
            raise AreaQueryError("Choose at least one bed category.")


@dataclass(frozen=True, slots=True)
class SearchHit:
    home: HomeSnapshot
    vacancies: dict[BedCategory, int]  # vacant accepting admissions, per category asked for (those with any)
    distance_km: float | None
    freshness: Freshness


@dataclass(frozen=True)
class SearchOutcome:
    hits: list[SearchHit]
    total: int  # matching homes, of which the first ``limit`` are in hits
    origin: Origin | None


def matches(home: HomeSnapshot, query: BedSearch, now: datetime) -> bool:
    """A registered home, open to admissions, with a vacancy accepting admissions in a category asked for."""
    if not home.registered or home.closed_to_admissions:
        return False
    if not any(beds.vacant_accepting > 0 and beds.category in query.categories for beds in home.beds):
        return False
    if query.funding is not None and query.funding not in home.funding:
        return False
    if query.max_age is not None and (home.confirmed_at is None or now - home.confirmed_at > query.max_age):
        return False
    return not query.areas or any(home.in_area(area) for area in query.areas)


def search_beds(homes: Iterable[HomeSnapshot], query: BedSearch, now: datetime) -> SearchOutcome:
    """Matching homes, nearest first (homes with no position last), then most vacancies, then by name.

    Every match is counted; only the first ``limit`` become hits (a nation has thousands of matches)."""
    origin = query.origin
    wanted = query.categories

    def order(home: HomeSnapshot) -> tuple:
        distance = None
        if origin is not None and home.latitude is not None and home.longitude is not None:
            distance = distance_km(origin.latitude, origin.longitude, home.latitude, home.longitude)
        vacant = sum(beds.vacant_accepting for beds in home.beds if beds.category in wanted and beds.vacant_accepting > 0)
        return distance is None, distance or 0.0, -vacant, home.name, home.home_id, distance

    matching = [home for home in homes if matches(home, query, now)]
    keyed = heapq.nsmallest(query.limit, ((order(home), home) for home in matching), key=lambda pair: pair[0][:5])
    hits = [SearchHit(home, {category: count for category, count in home.vacancies(wanted).items() if count > 0},
                      key[5], freshness(home.confirmed_at, now)) for key, home in keyed]
    return SearchOutcome(hits, len(matching), origin)


# --- who has not updated -------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StaleHome:
    home: HomeSnapshot
    age: timedelta | None  # None: never confirmed


@dataclass(frozen=True)
class StaleReport:
    homes: list[StaleHome]  # oldest first, never confirmed before all; from ``offset`` (a page of them)
    total_homes: int  # registered homes in the area
    up_to_date: int  # of which confirmed within ``older_than``
    older_than: timedelta
    offset: int = 0
    # Set: the list is the homes not yet confirmed this monthly collection (domain.collection), not by age.
    collection: Collection | None = None

    @property
    def behind(self) -> int:
        """Homes not up to date: all of them, listed or not."""
        return self.total_homes - self.up_to_date

    @property
    def up_to_date_share(self) -> float:
        return self.up_to_date / self.total_homes if self.total_homes else 1.0

    def page(self, offset: int = 0, limit: int | None = STALE_PAGE) -> StaleReport:
        """The homes from ``offset``, at most ``limit`` (None: all): a region has thousands to chase."""
        end = None if limit is None else offset + limit
        return replace(self, homes=self.homes[offset:end], offset=offset)


def stale_order(confirmed_at: datetime | None, name: str, home_id: str) -> tuple:
    """Never confirmed first, then oldest first; by name within the same moment."""
    return confirmed_at is not None, confirmed_at or datetime.min.replace(tzinfo=timezone.utc), name, home_id


def is_stale(confirmed_at: datetime | None, now: datetime, older_than: timedelta = STALE_AFTER) -> bool:
    return confirmed_at is None or now - confirmed_at > older_than


def is_behind(confirmed_at: datetime | None, now: datetime, older_than: timedelta = STALE_AFTER,
              collection: Collection | None = None) -> bool:
    """Whether a home is on the stale list: older than ``older_than``, or (a ``collection`` given) not yet
    confirmed in that monthly collection."""
    if collection is not None:
        return not confirmed_for(collection, confirmed_at)
    return is_stale(confirmed_at, now, older_than)


def stale_homes(homes: Iterable[HomeSnapshot], now: datetime, older_than: timedelta = STALE_AFTER,
                collection: Collection | None = None) -> StaleReport:
    """Registered homes whose bed state is older than ``older_than`` (or was never confirmed), oldest first;
    with a ``collection``, those not yet confirmed in it."""
    stale, total = [], 0
    for home in homes:
        if not home.registered:
            continue
        total += 1
        if is_behind(home.confirmed_at, now, older_than, collection):
            stale.append(StaleHome(home, None if home.confirmed_at is None else now - home.confirmed_at))
    stale.sort(key=lambda item: stale_order(item.home.confirmed_at, item.home.name, item.home.home_id))
    return StaleReport(stale, total, total - len(stale), older_than, collection=collection)


# --- the area at a glance ------------------------------------------------------------------------------------------

@dataclass
class BedTotals:
    homes: int = 0  # homes offering the category
    max_capacity: int = 0
    occupied: int = 0
    vacant_reserved: int = 0
    vacant_accepting: int = 0


@dataclass
class WorkforceTotals:
    homes: int = 0  # homes that have reported their workforce
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(WORKFORCE_FIELDS, 0))

    def add(self, homes: int, counts: Iterable[int]) -> None:
        """``homes`` homes' headcounts summed (in WORKFORCE_FIELDS order)."""
        self.homes += homes
        for name, count in zip(WORKFORCE_FIELDS, counts, strict=True):
            self.counts[name] += count


@dataclass
class AreaTotals:
    homes: int = 0
    beds: dict[BedCategory, BedTotals] = field(default_factory=dict)  # in BedCategory order
    closed_homes: int = 0
    freshness: dict[Freshness, int] = field(default_factory=lambda: {f: 0 for f in Freshness})
    dspt: dict[str, int] = field(default_factory=dict)  # DsptLevel value, or "Not recorded"
    nhsmail: dict[NhsmailStage, int] = field(default_factory=lambda: {s: 0 for s in NhsmailStage})
    bands: dict[Band, int] = field(default_factory=lambda: {b: 0 for b in Band})
    outbreak_homes: int = 0  # homes with an infection outbreak today
    workforce: WorkforceTotals = field(default_factory=WorkforceTotals)

    @property
    def vacant_accepting(self) -> int:
        return sum(beds.vacant_accepting for beds in self.beds.values())

    def add(self, home: HomeSnapshot, now: datetime) -> None:
        self.homes += 1
        for beds in home.beds:
            totals = self.beds.get(beds.category)
            if totals is None:
                totals = self.beds[beds.category] = BedTotals()
            totals.homes += 1
            totals.max_capacity += beds.max_capacity
            totals.occupied += beds.occupied
            totals.vacant_reserved += beds.vacant_reserved
            totals.vacant_accepting += beds.vacant_accepting
        self.closed_homes += home.closed_to_admissions
        self.freshness[freshness(home.confirmed_at, now)] += 1
        dspt = home.dspt.value if home.dspt is not None else NOT_RECORDED
        self.dspt[dspt] = self.dspt.get(dspt, 0) + 1
        self.nhsmail[home.nhsmail] += 1
        self.bands[home.band] += 1
        self.outbreak_homes += home.outbreak is not None
        if home.workforce is not None:
            self.workforce.add(1, home.workforce)

    def add_homes(self, count: int, *, closed: bool, fresh: Freshness, dspt: DsptLevel | None, nhsmail: NhsmailStage,
                  band: Band, outbreak: bool = False) -> None:
        """``count`` homes alike in all of these (a database's grouped count): as ``add`` would count them."""
        self.homes += count
        self.closed_homes += count if closed else 0
        self.freshness[fresh] += count
        key = dspt.value if dspt is not None else NOT_RECORDED
        self.dspt[key] = self.dspt.get(key, 0) + count
        self.nhsmail[nhsmail] += count
        self.bands[band] += count
        self.outbreak_homes += count if outbreak else 0

    def add_beds(self, category: BedCategory, beds: BedTotals) -> None:
        """A category's beds over many homes (a database's sums): as ``add`` would sum them."""
        into = self.beds.setdefault(category, BedTotals())
        into.homes += beds.homes
        into.max_capacity += beds.max_capacity
        into.occupied += beds.occupied
        into.vacant_reserved += beds.vacant_reserved
        into.vacant_accepting += beds.vacant_accepting

    @classmethod
    def merged(cls, parts: Iterable[AreaTotals]) -> AreaTotals:
        """The totals of several areas together (an area's from its smaller areas': each home added once)."""
        total = cls()
        for part in parts:
            total.homes += part.homes
            total.closed_homes += part.closed_homes
            total.outbreak_homes += part.outbreak_homes
            total.workforce.add(part.workforce.homes, part.workforce.counts.values())
            for category, beds in part.beds.items():
                total.add_beds(category, beds)
            for counts, into in ((part.freshness, total.freshness), (part.dspt, total.dspt),
                                 (part.nhsmail, total.nhsmail), (part.bands, total.bands)):
                for key, count in counts.items():
                    into[key] = into.get(key, 0) + count
        return total

    def ordered(self) -> AreaTotals:
        """Categories in BedCategory order, DSPT statuses in the published order (stable output, stable CSV)."""
        self.beds = {category: self.beds[category] for category in BedCategory if category in self.beds}
        order = [level.value for level in DsptLevel] + [NOT_RECORDED]
        self.dspt = {status: self.dspt[status] for status in order if status in self.dspt}
        return self


NOT_RECORDED = "Not recorded"
ICB_NOT_CONFIRMED = "ICB not confirmed"


@dataclass(frozen=True)
class AreaRow:
    """One line of the drill-down: a smaller area (or a home) inside the area and its totals."""

    area: AreaRef
    totals: AreaTotals


@dataclass(frozen=True)
class Overview:
    area: AreaRef
    totals: AreaTotals
    children: list[AreaRow]  # region -> ICBs -> local authorities -> homes, by name
    support_next: list[HomeSnapshot]  # the homes the digital programme should help next


def support_order(home: HomeSnapshot) -> tuple:
    """Lowest maturity band first; then no DSPT at Approaching Standards or better, then NHSmail furthest behind."""
    return support_key(home.band, home.dspt, home.nhsmail, home.name, home.home_id)


def support_key(band: Band | str, dspt: DsptLevel | str | None, nhsmail: NhsmailStage | str, name: str,
                home_id: str) -> tuple:
    """The support order of one home, from the enums or their stored values (a database's rows)."""
    return _BAND_RANK[band], dspt in _DSPT_OK, _STAGE_RANK[nhsmail], name, home_id


def needs_support(band: Band | str) -> bool:
    return band != Band.ENHANCED_PLUS


@dataclass(frozen=True)
class SupportRanks:
    """``support_key``'s ranks by stored value, for a database to order by (the name and id come after)."""

    band: dict[str, int]
    dspt_ok: frozenset[str]
    nhsmail: dict[str, int]
    needing_support: list[str]


def support_ranks() -> SupportRanks:
    return SupportRanks({band.value: rank for band, rank in _BAND_RANK.items()},
                        frozenset(level.value for level in _DSPT_OK),
                        {stage.value: rank for stage, rank in _STAGE_RANK.items()},
                        [band.value for band in Band if needs_support(band)])


_BAND_RANK = {band: band.rank for band in Band}  # looked up, not recomputed: an England overview sorts 15,000 homes
_STAGE_RANK = {stage: index for index, stage in enumerate(NhsmailStage)}
_DSPT_OK = frozenset(level for level in DsptLevel if level.at_least(DsptLevel.APPROACHING_STANDARDS))


def overview(homes: Iterable[HomeSnapshot], area: AreaRef, now: datetime) -> Overview:
    """Totals for the registered homes of ``area``, one row per smaller area (or home) inside it."""
    children: dict[str, AreaTotals] = {}
    names: dict[str, str] = {}
    inside: list[HomeSnapshot] = []
    child_level = child_level_of(area)
    for home in homes:
        if not home.registered or not home.in_area(area):
            continue
        inside.append(home)
        code = _child_code(home, child_level)
        totals = children.get(code)
        if totals is None:
            totals = children[code] = AreaTotals()
            code_field, name_field = CHILD_FIELDS[child_level]
            names[code] = child_area(child_level, getattr(home, code_field), getattr(home, name_field))[1]
        totals.add(home, now)
    if area.level is not AreaLevel.ENGLAND and (not area.name or area.name == area.code):
        area = AreaRef(area.level, area.code, _area_name(area, inside))
    support = heapq.nsmallest(SUPPORT_NEXT_LIMIT, (home for home in inside if needs_support(home.band)),
                              key=support_order)
    return assemble_overview(area, {code: (names[code], totals) for code, totals in children.items()}, support)


CHILD_FIELDS = {AreaLevel.REGION: ("region", "region"), AreaLevel.ICB: ("icb_code", "icb"),
                AreaLevel.LOCAL_AUTHORITY: ("local_authority", "local_authority"), AreaLevel.HOME: ("home_id", "name")}


def child_level_of(area: AreaRef) -> AreaLevel:
    """The level of the overview's rows: region -> ICBs -> local authorities -> homes."""
    return area.level.child or AreaLevel.HOME


def child_area(level: AreaLevel, code: str | None, name: str | None) -> tuple[str, str]:
    """A row's code and name from a home's fields at that level (None: not recorded, or no ICB confirmed)."""
    if level is AreaLevel.REGION:
        return code or NOT_RECORDED, code or NOT_RECORDED
    if level is AreaLevel.ICB:
        return code or ICB_NOT_CONFIRMED, name or ICB_NOT_CONFIRMED
    return code or "", name or code or ""


def assemble_overview(area: AreaRef, children: dict[str, tuple[str, AreaTotals]],
                      support: list[HomeSnapshot]) -> Overview:
    """The overview from each smaller area's totals (added up here from homes, or counted by a database)."""
    child_level = child_level_of(area)
    rows = [AreaRow(AreaRef(child_level, code, name), totals.ordered()) for code, (name, totals) in children.items()]
    rows.sort(key=lambda row: (row.area.name.lower(), row.area.code))
    return Overview(area, AreaTotals.merged(totals for _, totals in children.values()).ordered(), rows, support)


def _child_code(home: HomeSnapshot, level: AreaLevel) -> str:
    if level is AreaLevel.REGION:
        return home.region or NOT_RECORDED
    if level is AreaLevel.ICB:
        return home.icb_code or ICB_NOT_CONFIRMED
    if level is AreaLevel.LOCAL_AUTHORITY:
        return home.local_authority
    return home.home_id


def _area_name(area: AreaRef, homes: Sequence[HomeSnapshot]) -> str:
    if area.level is AreaLevel.ICB and homes and homes[0].icb:
        return homes[0].icb
    if area.level is AreaLevel.HOME and homes:
        return homes[0].name
    return area.code


def csv_rows(overview_: Overview) -> list[dict[str, str | int]]:
    """The drill-down table as rows for a CSV file (one per child area, then the area's own total)."""
    rows = []
    for row in [*overview_.children, AreaRow(overview_.area, overview_.totals)]:
        totals = row.totals
        line: dict[str, str | int] = {"level": row.area.level.value, "code": row.area.code, "name": row.area.name,
                                      "homes": totals.homes, "closed_to_admissions": totals.closed_homes,
                                      "vacant_accepting": totals.vacant_accepting}
        for category in BedCategory:
            beds = totals.beds.get(category, BedTotals())
            line[f"{category.value}_beds"] = beds.max_capacity
            line[f"{category.value}_vacant_accepting"] = beds.vacant_accepting
        for state, count in totals.freshness.items():
            line[f"bed_state_{state.value.replace(' ', '_')}"] = count
        for band, count in totals.bands.items():
            line[f"band_{band.value}"] = count
        for stage, count in totals.nhsmail.items():
            line[f"nhsmail_{stage.value.replace(' ', '_')}"] = count
        line["outbreak_homes"] = totals.outbreak_homes
        line["workforce_homes"] = totals.workforce.homes
        for name, count in totals.workforce.counts.items():
            line[f"workforce_{name}"] = count
        rows.append(line)
    return rows
