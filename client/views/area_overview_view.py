"""The area at a glance (a commissioner's first screen; a champion's homes): totals, charts with a table beneath
each, the drill-down (region -> ICB -> local authority -> home; Back goes up), who needs support next, and
"Find a bed" / "Not updated" / "Vacancy history" one tap away. Everything from the device's own data."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import flet as ft

from client.state.area import AreaBrowser, overview_csv
from client.store import LocalStore
from client.sync import SyncStatus
from client.views.account_bar import AccountBar
from client.views.area_parts import MIN_TAP, DataAgeLine, OpenDocument, bar_chart, csv_button, stacked_bar, table
from client.views.widgets import SteadyList, heading, identified, named_icon, nav_bar, nav_button, screen_title
from domain.area import AreaLevel, AreaRef, AreaRow, Overview
from domain.freshness import Freshness
from domain.workforce import WORKFORCE_LABELS

FRESHNESS_COLOURS = {Freshness.FRESH: ft.Colors.GREEN_600, Freshness.AGEING: ft.Colors.AMBER_600,
                     Freshness.STALE: ft.Colors.RED_600, Freshness.NEVER: ft.Colors.GREY_500}
FRESHNESS_WORDS = {Freshness.FRESH: "Fresh (under 24 hours)", Freshness.AGEING: "Ageing (up to 7 days)",
                   Freshness.STALE: "Stale (over 7 days)", Freshness.NEVER: "Never confirmed"}
REDRAW_AFTER = timedelta(minutes=10)  # freshness counts move with time even when no record changes
LEVEL_WORDS = {AreaLevel.REGION: "Regions", AreaLevel.ICB: "Integrated care boards",
               AreaLevel.LOCAL_AUTHORITY: "Local authorities", AreaLevel.HOME: "Homes"}


def _action(identifier: str, label: str, icon: ft.IconData, on_click: Callable[[], object]) -> ft.Control:
    # A button of the pinned navigation row (as on a manager's bed state): an icon of touch size, named for screen
    # readers, its name a tooltip; four of them fit one row of a phone at any text size.
    return identified(identifier, nav_button(icon, label, on_click))


class AreaOverviewView(ft.Column):
    def __init__(self, browser: AreaBrowser, store: LocalStore, status: SyncStatus | None, *,
                 on_search: Callable[[], None], on_stale: Callable[[AreaRef], None],
                 on_history: Callable[[AreaRef], None], on_leave: Callable[[], None] | None = None,
                 account_bar: AccountBar | None = None, open_document: OpenDocument | None = None,
                 on_alerts: Callable[[], None] | None = None) -> None:
        super().__init__(spacing=10, expand=True)
        self.browser, self.store = browser, store
        self._on_search, self._on_stale, self._on_history, self._on_leave = on_search, on_stale, on_history, on_leave
        self.account_bar, self._open_document = account_bar, open_document
        self.age = DataAgeLine(store, status)
        self.title = screen_title()
        self.back = identified("area-back", ft.IconButton(named_icon(ft.Icons.ARROW_BACK, "Back to the wider area"),
                                                          tooltip="Back to the wider area", on_click=self._go_back))
        self.body = ft.Column(spacing=10)
        # Kept across redraws (new records from any home redraw the totals): a tap on an area or the CSV button in
        # flight, or the focus on it, is not lost to a new copy of the same row.
        self.children = SteadyList(spacing=0)
        self.csv = csv_button("overview-csv", "CSV file", store,
                              lambda: overview_csv(self.browser.current(), self.browser.data.now()), open_document)
        self.scroller = ft.Column([self.age, self.body], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True)
        self._shown_generation, self._shown_at = -1, datetime.min.replace(tzinfo=timezone.utc)
        # The account bar, where she is (Back, the area's name) and the way on stay pinned; the area scrolls below.
        self.controls = [*([account_bar] if account_bar else []),
                         ft.Row([self.back, ft.Container(identified("area-title", self.title), expand=True)],
                                spacing=4),
                         nav_bar([_action("area-find-bed", "Find a bed", ft.Icons.SEARCH, on_search),
                                  _action("area-stale", "Not updated", ft.Icons.UPDATE_DISABLED,
                                          lambda: self._on_stale(self.browser.current().area)),
                                  _action("area-history", "Vacancy history", ft.Icons.SHOW_CHART,
                                          lambda: self._on_history(self.browser.current().area)),
                                  *([_action("area-alerts", "Alerts to homes", ft.Icons.CAMPAIGN, on_alerts)]
                                    if on_alerts is not None else [])]),
                         self.scroller]
        if browser.data.ready:
            self.render()
        else:  # read off the event loop once shown (a nation's homes take seconds to read)
            self.title.value = "Your area"
            self.body.controls = [ft.Text("Reading your area's homes on this device...")]

    def did_mount(self) -> None:
        if not self.browser.data.ready:
            self.page.run_task(self._reload)

    # -- what it shows -----------------------------------------------------------------------------------------

    def render(self) -> None:
        found = self.browser.current()
        self._shown_generation, self._shown_at = self.browser.data.generation, self.browser.data.now()
        self.title.value = found.area.name or found.area.code or "Your area"
        self.back.visible = self.browser.can_go_back or self._on_leave is not None
        self.body.controls = self._sections(found)

    def _sections(self, found: Overview) -> list[ft.Control]:
        totals = found.totals
        if totals.homes == 0:
            return [ft.Text("No homes in this area on this device yet. They arrive with sync.")]
        vacancies = [(category.label, beds.vacant_accepting) for category, beds in totals.beds.items()]
        sections: list[ft.Control] = [
            identified("area-totals", ft.Text(
                f"{totals.homes} home{'s' if totals.homes != 1 else ''} - {totals.vacant_accepting} "
                f"vacanc{'ies' if totals.vacant_accepting != 1 else 'y'} accepting admissions - "
                f"{totals.closed_homes} closed to admissions", size=16)),
            identified("area-outbreaks", ft.Text(
                f"{totals.outbreak_homes} home{'s' if totals.outbreak_homes != 1 else ''} in an infection outbreak",
                size=15, color=ft.Colors.RED_800 if totals.outbreak_homes else None)),
            heading("Vacancies accepting admissions, by category"),
            bar_chart(vacancies),
            table([(category.label, f"{beds.vacant_accepting} of {beds.max_capacity} beds ({beds.homes} homes)")
                   for category, beds in totals.beds.items()], "area-vacancy-table"),
            heading("Workforce"),
            ft.Text(f"Reported by {totals.workforce.homes} of {totals.homes} homes", size=13),
            table([(WORKFORCE_LABELS[name], str(count)) for name, count in totals.workforce.counts.items()],
                  "area-workforce-table"),
            heading("How recent the bed states are"),
            stacked_bar([(FRESHNESS_WORDS[f], n, FRESHNESS_COLOURS[f]) for f, n in totals.freshness.items()]),
            table([(FRESHNESS_WORDS[f], _share(n, totals.homes)) for f, n in totals.freshness.items()],
                  "area-freshness-table"),
            heading("Digital Maturity bands"),
            bar_chart([(band.label, n) for band, n in totals.bands.items()], ft.Colors.TEAL_600),
            table([(band.label, _share(n, totals.homes)) for band, n in totals.bands.items()], "area-band-table"),
            heading("DSPT status"),
            table([(status, _share(n, totals.homes)) for status, n in totals.dspt.items()]),
            heading("NHSmail"),
            table([(stage.value.capitalize(), _share(n, totals.homes)) for stage, n in totals.nhsmail.items()]),
        ]
        if found.area.level is not AreaLevel.HOME:
            child_level = found.children[0].area.level if found.children else AreaLevel.HOME
            self.children.show(found.children, self._child)
            sections += [ft.Row([heading(LEVEL_WORDS.get(child_level, "Areas")), self.csv],
                                alignment=ft.MainAxisAlignment.SPACE_BETWEEN, wrap=True),
                         self.children]
        if found.support_next:
            sections += [heading("Help next (digital programme)"),
                         ft.Column([ft.Text(f"{home.name}: {home.band.label}, DSPT "
                                            f"{home.dspt.value if home.dspt else 'not recorded'}, NHSmail "
                                            f"{home.nhsmail.value}", size=13) for home in found.support_next],
                                   spacing=4)]
        return sections

    def _child(self, row: AreaRow) -> ft.Control:
        area, totals = row.area, row.totals
        stale = totals.freshness[Freshness.STALE] + totals.freshness[Freshness.NEVER]
        tile = ft.ListTile(
            title=ft.Text(area.name or area.code),
            subtitle=ft.Text(f"{totals.homes} home{'s' if totals.homes != 1 else ''}, {totals.vacant_accepting} "
                             f"vacant accepting, {stale} not updated this week"),
            trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT), on_click=lambda e: self.open(area), min_height=MIN_TAP)
        return identified(f"area-child-{area.code}", tile)

    # -- taps ---------------------------------------------------------------------------------------------------

    def open(self, area: AreaRef) -> None:
        self.browser.open(area)
        self._show_from_the_top()

    def _go_back(self, e: ft.Event | None = None) -> None:
        if self.browser.back():
            self._show_from_the_top()
        elif self._on_leave is not None:
            self._on_leave()

    def _show_from_the_top(self) -> None:
        """Another area, shown from its totals (not where the last one was scrolled to, its list of areas)."""
        self.render()
        self.update()
        self.page.run_task(self.scroller.scroll_to, offset=0)

    def ask_to_discard(self, count: int) -> None:
        if self.account_bar is not None:
            self.account_bar.ask_to_discard(count)

    def on_sync_status(self, status: SyncStatus) -> None:
        self.age.refresh(status)
        if self.account_bar is not None:
            self.account_bar.refresh(status)
        self.update()
        if self.page is not None:
            self.page.run_task(self._reload)

    async def _reload(self) -> None:
        """New records may have arrived: the changed homes are read again off the event loop, then shown (only if
        something changed, or the ages moved on: redrawing resets what a screen reader was on)."""
        data = self.browser.data
        await asyncio.to_thread(data.homes)
        now = data.now()
        if data.generation != self._shown_generation or now - self._shown_at > REDRAW_AFTER:
            self.render()
            self.update()


def _share(count: int, total: int) -> str:
    return f"{count} ({round(100 * count / total) if total else 0}%)"
