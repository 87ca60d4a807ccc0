"""The area view on a device (commissioners, champions, discharge teams): search, stale list, overview, offline.

The device holds its account's area (care_home, home_settings, home_status,
bed_count and readiness records come with sync). ``AreaData`` turns them into
``domain.area.HomeSnapshot``s once and keeps them until the store changes, and
answers with the same domain rules and the same wire bodies (``protocol.area``)
as ``GET /area/...``, so a screen offline and the API online agree field by field.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta, timezone

from client.store import Document, LocalRecord, LocalStore
from client.sync import SyncState, SyncStatus
from domain.area import (
    STALE_AFTER,
    STALE_PAGE,
    AreaLevel,
    AreaRef,
    BedSearch,
    HomeSnapshot,
    Origin,
    Overview,
    district_origin,
    home_origin,
    overview,
    search_beds,
    stale_homes,
)
from domain.beds import BedCategory
from domain.collection import current_collection
from domain.uk_time import uk_local
from protocol import Account, area_csv, area_records
from protocol.area import OverviewAnswer, SearchAnswer, StaleAnswer
from protocol.area_csv import CsvFile, overview_csv, search_csv, stale_csv
from protocol.area_records import AREA_KINDS

__all__ = ["AREA_KINDS", "AreaBrowser", "AreaData", "CsvFile", "overview_csv", "put_csv", "search_csv", "stale_csv"]

DATA_AT_META = "area_data_at"  # when this device last pulled its area from the central API (ISO, device clock)
HISTORY_META = "area_history"  # the last vacancy history per area: {"<area>|<interval>|<days>": {saved_at, answer}}
EXPORT_GROUP = "area-exports"  # CSV files on the document shelf (the last few; all go at sign-out)
CSV_MEDIA_TYPE = area_csv.MEDIA_TYPE


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def confirmed_at(status: LocalRecord | None, clock_offset: timedelta) -> datetime | None:
    """When the home last confirmed its bed state: the server's stamp; an unsent save counts from its own time."""
    if status is None:
        return None
    if status.pending and status.local_updated_at:
        return _parse_time(status.local_updated_at) + clock_offset  # the device's save, on the server's clock
    return _parse_time(status.data.get("confirmed_at"))


def home_snapshot(rows: dict[str, list[LocalRecord]], today: date, clock_offset: timedelta) -> HomeSnapshot | None:
    """One home's snapshot from its records (grouped by kind), read as the central API reads them."""
    status_row = rows["home_status"][0] if rows.get("home_status") else None
    return area_records.home_snapshot(rows, today, confirmed_at(status_row, clock_offset))


BUILD_CHUNK = 2000  # homes read at once: a nation's records are never all in memory together, only their snapshots


def build_snapshots(store: LocalStore, today: date, home_ids: Iterable[str] | None = None) -> dict[str, HomeSnapshot]:
    """Snapshots of the care homes on the device (or of ``home_ids``), unsent edits included, read a chunk of
    homes at a time (the peak memory of a first build is the snapshots and one chunk's records)."""
    wanted = sorted(set(home_ids) if home_ids is not None else store.home_ids_of_kind("care_home"))
    offset = store.clock_offset()
    found = {}
    for start in range(0, len(wanted), BUILD_CHUNK):
        by_home: dict[str, dict[str, list[LocalRecord]]] = defaultdict(lambda: defaultdict(list))
        for row in store.records_of_kinds(AREA_KINDS, wanted[start:start + BUILD_CHUNK]):
            by_home[row.home_id][row.kind].append(row)
        for home_id, rows in by_home.items():
            made = home_snapshot(rows, today, offset)
            if made is not None:
                found[home_id] = made
    return found


class AreaData:
    """Every home this device holds, as snapshots: built once, then only the homes whose records changed.

    Asking costs nothing while the database is untouched (SQLite's change counter); after a write, one query
    says whether records changed and which homes they belong to, and only those are read again.
    """

    FULL_REBUILD_OVER = 3000  # changed homes: past this, one full read is quicker

    def __init__(self, store: LocalStore, *, now: Callable[[], datetime] | None = None) -> None:
        self.store = store
        self._now = now or store.server_now
        self._changes: int | None = None
        self._marker: tuple[int, int, str] | None = None
        self._pending: set[str] = set()
        self._built_on: date | None = None
        self._lock = threading.RLock()
        self._by_id: dict[str, HomeSnapshot] = {}
        self._homes: list[HomeSnapshot] = []
        self._vacant: dict[BedCategory, list[HomeSnapshot]] = {}
        # The homes of each region, ICB and local authority: a region's overview reads its 3,000 homes, not 15,000.
        self._by_area: dict[tuple[AreaLevel, str | None], list[HomeSnapshot]] = {}
        self.builds = 0  # full builds (tests: the cache works)
        self.updates = 0  # partial updates

    @property
    def generation(self) -> int:
        """Changes each time the snapshots change (a screen redraws only then)."""
        return self.builds + self.updates

    def now(self) -> datetime:
        return self._now()

    @property
    def ready(self) -> bool:
        """Whether ``homes()`` would answer from memory now (else it reads the store: seconds for a nation)."""
        return self._changes == self.store.change_count() and self._built_on == self.now().date()

    def homes(self) -> list[HomeSnapshot]:
        with self._lock:  # screens ask on the event loop, the overview also from a worker thread
            return self._current()

    def _current(self) -> list[HomeSnapshot]:
        changes, today = self.store.change_count(), self.now().date()
        if today != self._built_on:  # a DSPT publication may have expired overnight: read everything again
            self._marker = None
        elif changes == self._changes:
            return self._homes
        marker = self.store.records_marker()
        if marker != self._marker:
            self._refresh(marker, today)
        self._changes = changes
        return self._homes

    def _refresh(self, marker: tuple[int, int, str], today: date) -> None:
        pending = self.store.home_ids_pending()
        changed: set[str] | None = None
        if self._marker is not None and marker[0] >= self._marker[0]:  # no rows went (no sign-out, no resync)
            changed = self.store.home_ids_changed_since(self._marker[1], self._marker[2]) | pending | self._pending
        if changed is None or len(changed) > self.FULL_REBUILD_OVER:
            self._by_id = build_snapshots(self.store, today)
            self.builds += 1
        else:
            fresh = build_snapshots(self.store, today, changed)
            for home_id in changed:
                if home_id in fresh:
                    self._by_id[home_id] = fresh[home_id]
                else:
                    self._by_id.pop(home_id, None)
            self.updates += 1
        self._marker, self._pending, self._built_on = marker, pending, today
        self._homes = [self._by_id[home_id] for home_id in sorted(self._by_id)]
        self._vacant = {}
        self._by_area = {}
        for home in self._homes:
            for level, code in ((AreaLevel.REGION, home.region), (AreaLevel.ICB, home.icb_code),
                                (AreaLevel.LOCAL_AUTHORITY, home.local_authority)):
                self._by_area.setdefault((level, code), []).append(home)
            if home.registered and not home.closed_to_admissions:
                for beds in home.beds:
                    if beds.vacant_accepting > 0:
                        self._vacant.setdefault(beds.category, []).append(home)

    def homes_in(self, area: AreaRef) -> list[HomeSnapshot]:
        """The homes that may be in ``area`` (the rule, ``HomeSnapshot.in_area``, still decides)."""
        with self._lock:
            homes = self._current()
            if area.level in (AreaLevel.REGION, AreaLevel.ICB, AreaLevel.LOCAL_AUTHORITY):
                return self._by_area.get((area.level, area.code), [])
            if area.level is AreaLevel.HOME:
                return [self._by_id[area.code]] if area.code in self._by_id else []
        return homes

    def candidates(self, categories: Iterable[BedCategory]) -> list[HomeSnapshot]:
        """Homes that could match a search for ``categories`` (open, with a vacancy in one): the rule decides."""
        with self._lock:
            self._current()
            lists = [self._vacant.get(category, []) for category in set(categories)]
        if len(lists) == 1:
            return lists[0]
        seen: dict[str, HomeSnapshot] = {}
        for homes in lists:
            for home in homes:
                seen.setdefault(home.home_id, home)
        return list(seen.values())

    # -- what the screens ask --------------------------------------------------------------------------------

    def search(self, query: BedSearch) -> SearchAnswer:
        now = self.now()
        pool = self.candidates(query.categories)
        if query.areas and not any(area.level is AreaLevel.ENGLAND for area in query.areas):
            # Only the areas' homes can match (the rule still decides): an ICB's search orders its few hundred.
            inside = {home.home_id for area in query.areas for home in self.homes_in(area)}
            pool = [home for home in pool if home.home_id in inside]
        return SearchAnswer.of(search_beds(pool, query, now), now)

    def stale(self, area: AreaRef, older_than: timedelta = STALE_AFTER, *, offset: int = 0,
              limit: int | None = STALE_PAGE, this_collection: bool = False) -> StaleAnswer:
        """The homes behind from ``offset``, at most ``limit`` (None: all, for a CSV), as GET /area/stale;
        ``this_collection``: those not yet confirmed in the current monthly collection (``collection=current``)."""
        now = self.now()
        homes = [home for home in self.homes_in(area) if home.in_area(area)]
        window = current_collection(now.astimezone(timezone.utc).date()) if this_collection else None
        report = stale_homes(homes, now, older_than, window).page(offset, limit)
        return StaleAnswer.of(named(area, self.homes()), report, now)

    def overview(self, area: AreaRef) -> Overview:
        return overview(self.homes_in(area), area, self.now())

    def overview_answer(self, area: AreaRef) -> OverviewAnswer:
        return OverviewAnswer.of(self.overview(area), self.now())

    def district_origin(self, district: str) -> Origin:
        return district_origin(self.homes(), district)

    def home_origin(self, home_id: str) -> Origin:
        return home_origin(self.homes(), home_id)

    def home_choices(self) -> list[tuple[str, str]]:
        """(CQC location ID, "name, postcode") of the registered homes, by name: where a search can start from."""
        homes = sorted((h for h in self.homes() if h.registered), key=lambda h: (h.name.casefold(), h.home_id))
        return [(h.home_id, f"{h.name}, {h.postcode}") for h in homes]


def named(area: AreaRef, homes: Sequence[HomeSnapshot]) -> AreaRef:
    """The area with a name for people (an ICB's name, a home's name), as the overview names it."""
    if area.level is AreaLevel.ICB and (not area.name or area.name == area.code):
        icb = next((h.icb for h in homes if h.icb_code == area.code and h.icb), None)
        return AreaRef(area.level, area.code, icb or area.code)
    if area.level is AreaLevel.HOME and (not area.name or area.name == area.code):
        home = next((h.name for h in homes if h.home_id == area.code), None)
        return AreaRef(area.level, area.code, home or area.code)
    return area


def account_area(account: Account, homes: Sequence[HomeSnapshot]) -> AreaRef:
    """The area an account looks at first: its own (a commissioner's, a hospital user's); else the narrowest
    area holding all of its homes (a champion's), England when they span regions."""
    if account.area:
        try:
            return AreaRef.parse(account.area)
        except ValueError:
            pass
    registered = [h for h in homes if h.registered]
    for level, key in ((AreaLevel.LOCAL_AUTHORITY, "local_authority"), (AreaLevel.ICB, "icb_code"),
                       (AreaLevel.REGION, "region")):
        values = {getattr(h, key) for h in registered}
        if len(values) == 1 and None not in values:
            return AreaRef(level, values.pop())
    return AreaRef(AreaLevel.ENGLAND, "", "England")


class AreaBrowser:
    """The overview's drill-down: a stack of areas (region -> ICB -> local authority -> home); back goes up."""

    def __init__(self, data: AreaData, top: AreaRef) -> None:
        self.data = data
        self.stack: list[AreaRef] = [top]

    @property
    def area(self) -> AreaRef:
        return self.stack[-1]

    @property
    def can_go_back(self) -> bool:
        return len(self.stack) > 1

    def current(self) -> Overview:
        return self.data.overview(self.area)

    def open(self, area: AreaRef) -> None:
        self.stack.append(area)

    def back(self) -> bool:
        """Up one level; False at the top (the screen then goes back itself)."""
        if len(self.stack) == 1:
            return False
        self.stack.pop()
        return True


# --- how old the area data is ------------------------------------------------------------------------------------


def note_synced(store: LocalStore, status: SyncStatus) -> None:
    """Keep the last successful pull's time on the device, so its age is known after a restart offline."""
    if status.last_success_at is not None and status.state is SyncState.IDLE:
        # The engine reports on the server's clock; this meta is kept on the device's (see DATA_AT_META).
        store.set_meta(DATA_AT_META, (status.last_success_at - store.clock_offset()).isoformat())


def forget_area_meta(store: LocalStore) -> None:
    """At sign-out: the next account on this device does not see this one's data age or saved history."""
    for key in (DATA_AT_META, HISTORY_META):
        store.set_meta(key, None)


def data_at(store: LocalStore) -> datetime | None:
    return _parse_time(store.get_meta(DATA_AT_META))


def _ago(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    return f"{hours // 24} days ago"


def _day(moment: datetime, now: datetime) -> str:
    local, today = uk_local(moment), uk_local(now).date()
    if local.date() == today:
        return f"{local:%H:%M} today"
    if local.date() == today - timedelta(days=1):
        return f"{local:%H:%M} yesterday"
    return f"{local:%H:%M} on {local:%d %b}".replace(" 0", " ")


def data_age_line(pulled_at: datetime | None, now: datetime, offline: bool) -> str:
    """'Area data from 09:12 today (2 hours ago)', and plainly when there is no connection."""
    if pulled_at is None:
        if offline:
            return "No connection: this device has no area data yet. It arrives once there is a connection."
        return "Area data arrives with the first sync..."
    line = f"Area data from {_day(pulled_at, now)} ({_ago(now - pulled_at)})"
    return f"{line} - no connection now, showing what this device holds" if offline else line


def is_offline(status: SyncStatus | None) -> bool:
    return status is not None and status.state in (SyncState.OFFLINE, SyncState.ERROR)


# --- CSV export of every table (protocol.area_csv: the central API's format=csv writes the same files) -----------


def put_csv(store: LocalStore, file: CsvFile) -> Document:
    """The CSV sealed onto the device's document shelf (earlier exports go: only the latest is kept)."""
    store.documents.remove_group(EXPORT_GROUP)
    return store.documents.put(file.name, file.content(), group=EXPORT_GROUP, media_type=CSV_MEDIA_TYPE)
