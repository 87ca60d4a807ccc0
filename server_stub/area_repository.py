"""The area view's index and queries (SQLAlchemy Core, server_stub/schema.py): homes, home_beds, bed_history.

Each home's row in ``homes`` (and its ``home_beds``) is the ``domain.area.HomeSnapshot`` of its records, built
by ``protocol.area_records`` exactly as a commissioner's device builds it, and written again whenever one of
its records changes (``repository.upsert_record`` / ``mark_deleted`` call ``record_changed``). Queries narrow
the homes with SQL and hand snapshots back; the rules in ``domain.area`` decide the answer.

Functions take an open connection; the caller owns the transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, case, delete, exists, false, func, insert, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain.area import AreaLevel, AreaRef, CategoryBeds, HomeSnapshot, NhsmailStage, support_ranks
from domain.beds import COUNT_FIELDS, BedCategory
from domain.freshness import Freshness
from domain.geography import Box
from domain.home_settings import Funding
from domain.homes import CqcRating, postcode_district
from domain.maturity import Band
from domain.outbreak import OutbreakKind
from domain.readiness import DsptLevel
from domain.sharing import Audience, SharedData, shares
from domain.workforce import WORKFORCE_FIELDS
from protocol.area_records import AREA_KINDS, home_snapshot, sharing_choices
from server_stub.schema import bed_history, home_beds, homes, records, server_state

if TYPE_CHECKING:
    from server_stub.access import Scope

INDEX_DAY = "area_index_day"  # server_state: the day the index's dates were last brought up to date
_CATEGORY_ORDER = {category: index for index, category in enumerate(BedCategory)}


class _Row:
    """A record as ``protocol.area_records`` reads it (only its data)."""

    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data


def _upsert(connection: Connection, table):
    return (postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert)(table)


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# --- keeping the index -----------------------------------------------------------------------------------------

def record_changed(connection: Connection, *, kind: str, home_id: str, record_id: str, data: dict[str, Any] | None,
                   at: str) -> None:
    """A record was written (``data``) or deleted (None): keep the history and the home's index row in step."""
    if kind not in AREA_KINDS:
        return
    if kind == "bed_count":
        category = (data or {}).get("category") or record_id.rpartition("/")[2]
        counts = {name: int((data or {}).get(name) or 0) for name in COUNT_FIELDS}
        connection.execute(insert(bed_history).values(home_id=home_id, category=category, at=at,
                                                      deleted=int(data is None), **counts))
    reindex_home(connection, home_id, date.fromisoformat(at[:10]))


def reindex_home(connection: Connection, home_id: str, today: date) -> None:
    """Write the home's index row and bed rows from its records (none left: the home leaves the index)."""
    by_kind: dict[str, list[_Row]] = defaultdict(list)
    for kind, data, deleted in connection.execute(
        # Only the home in SQL: with a kind or deletion filter too, SQLite (without statistics) walks the
        # tombstone index, every live record, instead of the home's own (records_home_version_kind).
        select(records.c.kind, records.c.data, records.c.deleted)
        .where(records.c.home_id == home_id).order_by(records.c.kind, records.c.id)
    ):
        if kind in AREA_KINDS and not deleted:
            by_kind[kind].append(_Row(json.loads(data)))
    _write_index(connection, home_id, by_kind, today)


def _write_index(connection: Connection, home_id: str, by_kind: dict[str, list[_Row]], today: date) -> None:
    connection.execute(delete(home_beds).where(home_beds.c.home_id == home_id))
    rows = index_rows(home_id, by_kind, today)
    if rows is None:  # its directory record went: out of searches and counts, still in its area for sync
        connection.execute(update(homes).where(homes.c.home_id == home_id).values(registered=0))
        return
    values, beds = rows
    statement = _upsert(connection, homes).values(**values)
    connection.execute(statement.on_conflict_do_update(
        index_elements=["home_id"], set_={k: v for k, v in values.items() if k != "home_id"}))
    if beds:
        connection.execute(insert(home_beds), beds)


def index_rows(home_id: str, by_kind: dict[str, list[_Row]], today: date) -> tuple[dict, list[dict]] | None:
    """The home's ``homes`` row and ``home_beds`` rows from its records (by kind, in id order); None if its
    directory record is gone. Pure: a bulk loader (benchmarks/national_load_data.py) inserts them directly."""
    status = by_kind["home_status"][0].data if by_kind.get("home_status") else {}
    found = home_snapshot(by_kind, today, _parse_time(status.get("confirmed_at")))
    if found is None:
        return None
    directory = by_kind["care_home"][0].data
    choices = sharing_choices(by_kind)
    values = {
        "home_id": home_id,
        "shares_with_neighbours": int(shares(choices, SharedData.BED_STATE, Audience.NEIGHBOURING_DISCHARGE_TEAMS)),
        "shares_publicly": int(shares(choices, SharedData.BED_STATE, Audience.PUBLIC)),
        "shares_for_research": int(shares(choices, SharedData.BED_STATE, Audience.RESEARCH)),
        "shares_readiness_for_research": int(shares(choices, SharedData.DIGITAL_READINESS, Audience.RESEARCH)),
        "local_authority": found.local_authority, "icb_code": found.icb_code, "region": found.region,
        "name": found.name, "icb_name": found.icb, "postcode": found.postcode,
        "postcode_district": postcode_district(found.postcode), "latitude": found.latitude,
        "longitude": found.longitude, "phone": found.phone, "manager_name": found.manager_name,
        "cqc_rating": found.cqc_rating.value if found.cqc_rating else None,
        "cqc_rating_date": found.cqc_rating_date.isoformat() if found.cqc_rating_date else None,
        "registered": int(found.registered), "deregistered_on": directory.get("deregistered_on"),
        "awaiting_icb": int(bool(directory.get("icb_candidates")) and not found.icb_code),
        "closed_to_admissions": int(found.closed_to_admissions),
        "confirmed_at": found.confirmed_at.astimezone(timezone.utc).isoformat() if found.confirmed_at else None,
        "funding": "".join(f",{funding.value}" for funding in sorted(found.funding)) + ("," if found.funding else ""),
        "dspt": found.dspt.value if found.dspt else None, "nhsmail": found.nhsmail.value, "band": found.band.value,
        "outbreak": found.outbreak.value if found.outbreak else None,
        "workforce_reported": int(found.workforce is not None),
        **dict(zip(WORKFORCE_FIELDS, found.workforce or (0,) * len(WORKFORCE_FIELDS), strict=True)),
    }
    beds = [{"home_id": home_id, "category": b.category.value, "max_capacity": b.max_capacity,
             "occupied": b.occupied, "vacant_reserved": b.vacant_reserved, "vacant_accepting": b.vacant_accepting}
            for b in found.beds]
    return values, beds


def rebuild_area_index(connection: Connection, today: date, home_ids: Iterable[str] | None = None) -> int:
    """Write the index rows of every home (or of ``home_ids``) from their records, in one read; returns how many."""
    query = (select(records.c.home_id, records.c.kind, records.c.data)
             .where(records.c.kind.in_(AREA_KINDS), records.c.deleted == 0)
             .order_by(records.c.home_id, records.c.kind, records.c.id))
    wanted = None if home_ids is None else sorted(set(home_ids))
    if wanted is not None:
        query = query.where(records.c.home_id.in_(wanted))
    by_home: dict[str, dict[str, list[_Row]]] = defaultdict(lambda: defaultdict(list))
    for home_id, kind, data in connection.execute(query):
        by_home[home_id][kind].append(_Row(json.loads(data)))
    if wanted is None:  # homes whose records all went: out of searches and counts
        indexed = set(connection.execute(select(homes.c.home_id)).scalars())
        for gone in indexed - set(by_home):
            _write_index(connection, gone, {}, today)
    for home_id in wanted if wanted is not None else sorted(by_home):
        _write_index(connection, home_id, by_home.get(home_id, {}), today)
    _set_index_day(connection, today)
    return len(by_home)


def _set_index_day(connection: Connection, today: date) -> None:
    statement = _upsert(connection, server_state).values(key=INDEX_DAY, value=today.isoformat())
    connection.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": today.isoformat()}))


def bring_index_up_to_date(connection: Connection, today: date) -> int:
    """Once a day: DSPT publications expire and outbreaks end with the date, so homes with a DSPT status or an
    outbreak record are indexed again.

    Also fills the index the first time (a database from before the area view). Returns homes indexed."""
    day = connection.execute(select(server_state.c.value).where(server_state.c.key == INDEX_DAY)).scalar()
    if day is None:
        return rebuild_area_index(connection, today)
    if day >= today.isoformat():
        return 0
    with_dspt = connection.execute(
        select(records.c.home_id).where(records.c.kind.in_(("dspt_status", "outbreak")), records.c.deleted == 0)
        .distinct()
    ).scalars().all()
    if not with_dspt:
        _set_index_day(connection, today)
        return 0
    return rebuild_area_index(connection, today, with_dspt)


# --- reading it ------------------------------------------------------------------------------------------------

_AREA_COLUMN = {AreaLevel.REGION: homes.c.region, AreaLevel.ICB: homes.c.icb_code,
                AreaLevel.LOCAL_AUTHORITY: homes.c.local_authority, AreaLevel.HOME: homes.c.home_id}


def _in_area(area: AreaRef):
    return true() if area.level is AreaLevel.ENGLAND else _AREA_COLUMN[area.level] == area.code


def _in_scope(scope: Scope):
    own = _in_own_scope(scope)
    if scope.with_neighbours_sharing:  # a discharge team's bed search: beyond her area, homes that said yes
        return or_(own, homes.c.shares_with_neighbours == 1)
    return own


def _in_own_scope(scope: Scope):
    if scope.everything:
        return true()
    if scope.area_column is not None:
        return homes.c[scope.area_column] == scope.area_value  # a column name from access.AREA_COLUMNS only
    return homes.c.home_id.in_(sorted(scope.home_ids)) if scope.home_ids else false()


def _where(scope: Scope, areas: Sequence[AreaRef]):
    return and_(_in_scope(scope), or_(*(_in_area(area) for area in areas)) if areas else true())


def _snapshot(row, beds: tuple[CategoryBeds, ...] = ()) -> HomeSnapshot:
    funding = frozenset(Funding(value) for value in (row.funding or "").split(",") if value)
    return HomeSnapshot(
        home_id=row.home_id, name=row.name or row.home_id, local_authority=row.local_authority or "",
        icb_code=row.icb_code, icb=row.icb_name, region=row.region, postcode=row.postcode or "",
        latitude=row.latitude, longitude=row.longitude, phone=row.phone, manager_name=row.manager_name,
        cqc_rating=CqcRating(row.cqc_rating) if row.cqc_rating else None,
        cqc_rating_date=date.fromisoformat(row.cqc_rating_date) if row.cqc_rating_date else None,
        registered=bool(row.registered), closed_to_admissions=bool(row.closed_to_admissions),
        confirmed_at=_parse_time(row.confirmed_at), funding=funding, beds=beds,
        dspt=DsptLevel(row.dspt) if row.dspt else None,
        nhsmail=NhsmailStage(row.nhsmail) if row.nhsmail else NhsmailStage.NOT_STARTED,
        band=Band(row.band) if row.band else Band.MINIMUM,
        workforce=tuple(getattr(row, name) for name in WORKFORCE_FIELDS) if row.workforce_reported else None,
        outbreak=OutbreakKind(row.outbreak) if row.outbreak else None,
    )


def _with_beds(connection: Connection, condition) -> list[HomeSnapshot]:
    """The homes meeting ``condition``, each with its beds, in one query (by home_id)."""
    rows = connection.execute(  # unordered: an ORDER BY would have SQLite walk every home in id order
        select(homes, home_beds.c.category, *(home_beds.c[name] for name in COUNT_FIELDS))
        .select_from(homes.outerjoin(home_beds, home_beds.c.home_id == homes.c.home_id)).where(condition)
    )
    found: dict[str, tuple[Any, list[CategoryBeds]]] = {}
    for row in rows:
        if row.home_id not in found:
            found[row.home_id] = (row, [])
        if row.category is not None:
            found[row.home_id][1].append(CategoryBeds(BedCategory(row.category), row.max_capacity, row.occupied,
                                                      row.vacant_reserved, row.vacant_accepting))
    return [_snapshot(row, _ordered(beds)) for _, (row, beds) in sorted(found.items())]


def _ordered(beds: list[CategoryBeds]) -> tuple[CategoryBeds, ...]:
    return tuple(sorted(beds, key=lambda b: _CATEGORY_ORDER[b.category]))


@dataclass(frozen=True)
class SearchFilter:
    """What ``domain.area.matches`` asks of a home, as SQL (the rule still decides)."""

    scope: Scope
    areas: Sequence[AreaRef]
    categories: Iterable[BedCategory]
    funding: Funding | None
    confirmed_since: datetime | None

    def condition(self, box: Box | None = None):
        wanted = [c.value for c in self.categories]
        beds = home_beds.alias("vacant_beds")  # not the outer query's home_beds: its own rows
        if box is None:
            # Over a whole area, the homes with a vacancy come from the vacancy index in one list (England:
            # a third faster than asking each home).
            vacant = homes.c.home_id.in_(select(beds.c.home_id).where(
                beds.c.category.in_(wanted), beds.c.vacant_accepting > 0))
        else:  # in a box, the position index leads and each home in it is asked
            vacant = exists().where(beds.c.home_id == homes.c.home_id, beds.c.category.in_(wanted),
                                    beds.c.vacant_accepting > 0)
        condition = and_(_where(self.scope, self.areas), homes.c.registered == 1, homes.c.closed_to_admissions == 0,
                         vacant)
        if self.funding is not None:
            condition = and_(condition, homes.c.funding.like(f"%,{self.funding.value},%"))
        if self.confirmed_since is not None:
            condition = and_(condition,
                             homes.c.confirmed_at >= self.confirmed_since.astimezone(timezone.utc).isoformat())
        if box is not None:
            condition = and_(condition, homes.c.latitude.between(box.min_latitude, box.max_latitude),
                             homes.c.longitude.between(box.min_longitude, box.max_longitude))
        return condition


def search_candidates(connection: Connection, where: SearchFilter, box: Box | None = None) -> list[HomeSnapshot]:
    """Registered homes open to admissions with a vacancy asked for (and the other filters); only those in
    ``box`` when given."""
    return _with_beds(connection, where.condition(box))


def count_search(connection: Connection, where: SearchFilter) -> int:
    return connection.execute(select(func.count()).select_from(homes).where(where.condition())).scalar_one()


def homes_in(connection: Connection, scope: Scope, area: AreaRef) -> list[HomeSnapshot]:
    """The registered homes of ``area`` the scope may see (without their beds: where a search starts from)."""
    condition = and_(_where(scope, [area]), homes.c.registered == 1)
    return [_snapshot(row) for row in connection.execute(select(homes).where(condition).order_by(homes.c.home_id))]


def stale_keys(connection: Connection, scope: Scope, area: AreaRef, not_confirmed_since: datetime) -> list:
    """(home_id, name, confirmed_at) of the registered homes of ``area`` whose bed state is older (or never
    confirmed): what the stale list is ordered by, without reading the rest of each home."""
    return connection.execute(
        select(homes.c.home_id, homes.c.name, homes.c.confirmed_at).where(
            _where(scope, [area]), homes.c.registered == 1,
            or_(homes.c.confirmed_at.is_(None),
                homes.c.confirmed_at < not_confirmed_since.astimezone(timezone.utc).isoformat()))
    ).all()


def homes_by_id(connection: Connection, home_ids: Sequence[str]) -> dict[str, HomeSnapshot]:
    """Snapshots (with beds) of a few homes already chosen (a page of a list)."""
    if not home_ids:
        return {}
    return {home.home_id: home for home in _with_beds(connection, homes.c.home_id.in_(sorted(set(home_ids))))}


_CHILD_COLUMNS = {AreaLevel.REGION: (homes.c.region, homes.c.region),
                  AreaLevel.ICB: (homes.c.icb_code, homes.c.icb_name),
                  AreaLevel.LOCAL_AUTHORITY: (homes.c.local_authority, homes.c.local_authority),
                  AreaLevel.HOME: (homes.c.home_id, homes.c.name)}


def overview_counts(connection: Connection, scope: Scope, area: AreaRef, child_level: AreaLevel,
                    fresh_after: datetime, ageing_from: datetime) -> tuple[list, list]:
    """The area's registered homes counted by the database, per smaller area (``child_level``):

    - homes: (code, name, freshness, closed, dspt, nhsmail, band, in outbreak, homes) for each mix of those
      that occurs, freshness by the bounds ``domain.freshness`` sets (fresh: confirmed after ``fresh_after``;
      ageing: at or after ``ageing_from``; else stale; never confirmed);
      then the homes among them that reported their workforce and each of WORKFORCE_FIELDS summed over them;
    - beds: (code, category, homes, max_capacity, occupied, vacant_reserved, vacant_accepting).
    """
    code, name = _CHILD_COLUMNS[child_level]
    condition = and_(_where(scope, [area]), homes.c.registered == 1)
    fresh = case(
        (homes.c.confirmed_at.is_(None), Freshness.NEVER.value),
        (homes.c.confirmed_at > fresh_after.astimezone(timezone.utc).isoformat(), Freshness.FRESH.value),
        (homes.c.confirmed_at >= ageing_from.astimezone(timezone.utc).isoformat(), Freshness.AGEING.value),
        else_=Freshness.STALE.value)
    # Grouped outside a subquery: PostgreSQL cannot match a CASE with bound values in GROUP BY to the SELECT's.
    each = select(code.label("code"), name.label("name"), fresh.label("fresh"),
                  homes.c.closed_to_admissions.label("closed"), homes.c.dspt, homes.c.nhsmail,
                  homes.c.band, case((homes.c.outbreak.is_(None), 0), else_=1).label("outbreak"),
                  homes.c.workforce_reported, *(homes.c[field] for field in WORKFORCE_FIELDS),
                  ).where(condition).subquery()
    keys = (each.c.code, each.c.fresh, each.c.closed, each.c.dspt, each.c.nhsmail, each.c.band, each.c.outbreak)
    reported = each.c.workforce_reported == 1
    home_rows = connection.execute(  # workforce sums ride along: one pass over the area's homes
        select(each.c.code, func.min(each.c.name), *keys[1:], func.count(),
               func.coalesce(func.sum(case((reported, 1), else_=0)), 0),
               *(func.coalesce(func.sum(case((reported, each.c[field]), else_=0)), 0) for field in WORKFORCE_FIELDS))
        .group_by(*keys)).all()
    bed_rows = connection.execute(
        select(code, home_beds.c.category, func.count(), *(func.sum(home_beds.c[field]) for field in COUNT_FIELDS))
        .select_from(homes.join(home_beds, home_beds.c.home_id == homes.c.home_id))
        .where(condition).group_by(code, home_beds.c.category)).all()
    return home_rows, bed_rows


def support_first(connection: Connection, scope: Scope, area: AreaRef, limit: int) -> list[str]:
    """The ids of the area's ``limit`` registered homes first in ``domain.area.support_key`` order, by the
    database: the key's ranks come from the domain, names compare by code point as Python's do."""
    ranks = support_ranks()
    by_code_point = "C" if connection.dialect.name == "postgresql" else "BINARY"
    order = (case(ranks.band, value=homes.c.band, else_=ranks.band[Band.MINIMUM.value]),
             case((homes.c.dspt.in_(sorted(ranks.dspt_ok)), 1), else_=0),
             case(ranks.nhsmail, value=homes.c.nhsmail, else_=ranks.nhsmail[NhsmailStage.NOT_STARTED.value]),
             func.coalesce(homes.c.name, homes.c.home_id).collate(by_code_point),
             homes.c.home_id.collate(by_code_point))
    return list(connection.execute(
        select(homes.c.home_id).where(_where(scope, [area]), homes.c.registered == 1,
                                      homes.c.band.in_(ranks.needing_support) | homes.c.band.is_(None))
        .order_by(*order).limit(limit)).scalars())


def count_homes(connection: Connection, scope: Scope, area: AreaRef) -> int:
    return connection.execute(select(func.count()).select_from(homes)
                              .where(_where(scope, [area]), homes.c.registered == 1)).scalar_one()


def homes_in_district(connection: Connection, scope: Scope, district: str) -> list[HomeSnapshot]:
    """The homes the scope may see in a postcode district (where a search is ordered from)."""
    wanted = postcode_district(district) or district.strip().upper()
    return [_snapshot(row) for row in connection.execute(
        select(homes).where(_in_scope(scope), homes.c.postcode_district == wanted))]


def area_name(connection: Connection, scope: Scope, area: AreaRef) -> AreaRef:
    """The area with a name for people (an ICB's or a home's name), as a device names it."""
    if area.level is AreaLevel.ICB:
        name = connection.execute(select(homes.c.icb_name).where(
            _in_scope(scope), homes.c.icb_code == area.code, homes.c.icb_name.is_not(None)).limit(1)).scalar()
    elif area.level is AreaLevel.HOME:
        name = connection.execute(select(homes.c.name).where(_in_scope(scope), homes.c.home_id == area.code)).scalar()
    else:
        return area
    return AreaRef(area.level, area.code, name or area.code)


# --- the public counts ---------------------------------------------------------------------------------------------

def public_vacancy_counts(connection: Connection) -> list:
    """(local_authority, category, homes, vacant_accepting) over the registered homes that chose to be counted
    publicly (``shares_publicly``); a closed home's vacancies are not open to admissions, so they count 0."""
    vacant = case((homes.c.closed_to_admissions == 1, 0), else_=home_beds.c.vacant_accepting)
    return connection.execute(
        select(homes.c.local_authority, home_beds.c.category, func.count(), func.sum(vacant))
        .select_from(homes.join(home_beds, home_beds.c.home_id == homes.c.home_id))
        .where(homes.c.registered == 1, homes.c.shares_publicly == 1, homes.c.local_authority.is_not(None))
        .group_by(homes.c.local_authority, home_beds.c.category)
        .order_by(homes.c.local_authority, home_beds.c.category)).all()


def research_bed_totals(connection: Connection) -> list:
    """(local_authority, category, homes, max_capacity, occupied, vacant_reserved, vacant_accepting) over the
    registered homes that chose research for their bed state (``shares_for_research``), as recorded."""
    return connection.execute(
        select(homes.c.local_authority, home_beds.c.category, func.count(),
               *(func.sum(home_beds.c[name]) for name in COUNT_FIELDS))
        .select_from(homes.join(home_beds, home_beds.c.home_id == homes.c.home_id))
        .where(homes.c.registered == 1, homes.c.shares_for_research == 1, homes.c.local_authority.is_not(None),
               homes.c.local_authority != "")
        .group_by(homes.c.local_authority, home_beds.c.category)
        .order_by(homes.c.local_authority, home_beds.c.category)).all()


def research_readiness_counts(connection: Connection) -> list:
    """(local_authority, dspt, nhsmail, band, homes) for each mix of those, over the registered homes that chose
    research for their digital readiness (``shares_readiness_for_research``)."""
    return connection.execute(
        select(homes.c.local_authority, homes.c.dspt, homes.c.nhsmail, homes.c.band, func.count())
        .where(homes.c.registered == 1, homes.c.shares_readiness_for_research == 1,
               homes.c.local_authority.is_not(None), homes.c.local_authority != "")
        .group_by(homes.c.local_authority, homes.c.dspt, homes.c.nhsmail, homes.c.band)
        .order_by(homes.c.local_authority)).all()


# --- vacancies over time ---------------------------------------------------------------------------------------

def bed_changes(connection: Connection, scope: Scope, area: AreaRef, since: str, until: str, *,
                registered_only: bool = True) -> list:
    """The area's bed changes after ``since`` up to ``until`` (oldest first), after each (home, category)'s
    last change at or before ``since`` (where the counts stood when the window opens). A deregistered home
    leaves an area's counts (``registered_only``), its past included."""
    condition = _where(scope, [area])
    in_area = select(homes.c.home_id).where(and_(condition, homes.c.registered == 1) if registered_only else condition)
    latest_before = (select(func.max(bed_history.c.id))
                     .where(bed_history.c.home_id.in_(in_area), bed_history.c.at <= since)
                     .group_by(bed_history.c.home_id, bed_history.c.category))
    columns = (bed_history.c.home_id, bed_history.c.category, bed_history.c.at, bed_history.c.max_capacity,
               bed_history.c.vacant_accepting, bed_history.c.deleted)
    before = connection.execute(select(*columns).where(bed_history.c.id.in_(latest_before))).all()
    during = connection.execute(
        select(*columns).where(bed_history.c.home_id.in_(in_area), bed_history.c.at > since,
                               bed_history.c.at <= until).order_by(bed_history.c.at, bed_history.c.id)
    ).all()
    return [*before, *during]
