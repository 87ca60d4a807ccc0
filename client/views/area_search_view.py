"""Finding a bed (discharge teams, commissioners): categories, funding, how recent, near a postcode district or a
home; results as cards, nearest first, each with the number to call. Runs on the device's data, offline too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import flet as ft

from client.state.area import AreaData, search_csv
from client.sync import SyncStatus
from client.views.area_parts import DataAgeLine, OpenDocument, csv_button, full_width, phone_button, stretched
from client.views.widgets import announced, back_header, checkbox, dropdown, heading, identified, named, screen_title
from domain.area import AreaQueryError, BedSearch
from domain.beds import BedCategory
from domain.freshness import Freshness
from domain.home_settings import Funding
from domain.uk_time import uk_clock, uk_day_and_time, uk_local
from protocol.area import SearchAnswer, SearchResult

AGE_CHOICES = [("", "Any age"), ("1", "Updated in the last day"), ("3", "Updated in the last 3 days"),
               ("7", "Updated in the last 7 days"), ("14", "Updated in the last 14 days")]
MAX_HOME_CHOICES = 1000
FRESHNESS_WORDS = {Freshness.FRESH: "fresh", Freshness.AGEING: "ageing", Freshness.STALE: "stale",
                   Freshness.NEVER: "never confirmed"}


def confirmed_words(result: SearchResult, now: datetime) -> str:
    """'Last confirmed 09:12 today (fresh)'."""
    if result.confirmed_at is None:
        return "Bed state never confirmed"
    today = uk_local(now).date()
    when = f"{uk_clock(result.confirmed_at)} today" if uk_local(result.confirmed_at).date() == today \
        else uk_day_and_time(result.confirmed_at, year=False)
    return f"Last confirmed {when} ({FRESHNESS_WORDS[result.freshness]})"


class AreaSearchView(ft.Column):
    def __init__(self, data: AreaData, status: SyncStatus | None, *, on_back: Callable[[], None],
                 open_document: OpenDocument | None = None) -> None:
        super().__init__(spacing=10, expand=True)
        self.data, self._open_document = data, open_document
        self.age = DataAgeLine(data.store, status)
        self.categories = {c: checkbox(label=c.label, value=c is BedCategory.NURSING_DEMENTIA)
                           for c in BedCategory}
        self.funding = dropdown("Funding accepted", [("", "Any funding"), *((f.value, f.label) for f in Funding)],
                                "")
        self.age_limit = dropdown("How recent", AGE_CHOICES, "")
        # Full width, one under another (no fixed widths): labels and choices are never cut at 200% text.
        self.district = ft.TextField(label="Near postcode district", hint_text="e.g. WA15",
                                     capitalization=ft.TextCapitalization.CHARACTERS, on_submit=self._search)
        choices = data.home_choices()
        if len(choices) <= MAX_HOME_CHOICES:  # type to filter the list
            self.near_home = dropdown("Or near a home", [("", "-"), *choices], "", editable=True,
                                      enable_filter=True)
        else:  # a region or a nation: a list that long helps no one, the home's CQC location ID does
            self.near_home = ft.TextField(label="Or near a home (CQC location ID)", hint_text="e.g. 1-123456789",
                                          on_submit=self._search)
        self.problem = ft.Text("", color=ft.Colors.ERROR)
        # Announced when it appears; hidden as a whole (a Semantics around a hidden text is an error in Flutter).
        self.problem_line = announced("search-problem", self.problem)
        self.problem_line.visible = False
        self.summary = ft.Text("", weight=ft.FontWeight.BOLD)
        self.results = ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.answer: SearchAnswer | None = None
        self.csv = csv_button("search-csv", "CSV file", data.store, self._csv_file, open_document)
        self.csv.visible = False
        # On a phone the form fills the screen: after a search it folds away ("Change search" brings it back).
        self.form = ft.Column([
            heading("Bed categories"),
            stretched(*(identified(f"search-category-{c.value}", box) for c, box in self.categories.items())),
            full_width(named(self.funding)), full_width(named(self.age_limit)),
            identified("search-district", self.district),
            full_width(named(self.near_home)) if isinstance(self.near_home, ft.Dropdown) else self.near_home,
            identified("search-run", ft.FilledButton("Search", icon=ft.Icons.SEARCH, on_click=self._search)),
        ], spacing=10)
        self.change = identified("search-change", ft.TextButton("Change search", icon=ft.Icons.TUNE,
                                                                on_click=self._change))
        self.change.visible = False
        self.controls = [
            back_header("search-back", on_back, screen_title("Find a bed")),  # pinned
            ft.Column([
                self.age, self.form, self.problem_line,
                ft.Row([identified("search-summary", self.summary), self.csv], wrap=True,
                       alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
                self.change,
                self.results,
            ], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True),
        ]

    def query(self) -> BedSearch:
        """The search as the form says it (AreaQueryError in plain words if it cannot be asked)."""
        chosen = frozenset(c for c, box in self.categories.items() if box.value)
        origin = None
        if (self.district.value or "").strip():
            origin = self.data.district_origin(self.district.value)
        elif (self.near_home.value or "").strip():
            origin = self.data.home_origin(self.near_home.value.strip())
        return BedSearch(chosen, funding=Funding(self.funding.value) if self.funding.value else None,
                         max_age=timedelta(days=int(self.age_limit.value)) if self.age_limit.value else None,
                         origin=origin)

    def _search(self, e: ft.Event | None = None) -> None:
        try:
            query = self.query()
        except AreaQueryError as refused:
            self.problem.value, self.problem_line.visible = str(refused), True
            self.update()
            return
        self.problem_line.visible = False
        self.answer = self.data.search(query)
        self._categories = sorted(query.categories, key=list(BedCategory).index)
        self.show(self.answer)
        self.form.visible, self.change.visible = False, True
        self.update()

    def _change(self, e: ft.Event) -> None:
        self.form.visible, self.change.visible = True, False
        self.update()

    def show(self, answer: SearchAnswer) -> None:
        near = f", nearest to {answer.origin.label}" if answer.origin else ""
        shown = f" (the nearest {len(answer.results)} shown)" if answer.total > len(answer.results) else ""
        if answer.total:
            self.summary.value = f"{answer.total} home{'s' if answer.total != 1 else ''} with a vacancy{near}{shown}"
        elif not self.data.homes():
            self.summary.value = "This device holds no care homes yet: they arrive with sync."
        else:
            self.summary.value = "No home matches. Try more categories, any funding or any age."
        self.results.controls = [self._card(result, answer.as_of) for result in answer.results]
        self.csv.visible = bool(answer.results)

    def _card(self, result: SearchResult, now: datetime) -> ft.Control:
        vacancies = ", ".join(f"{BedCategory(c).label}: {n}" for c, n in result.vacancies.items())
        rating = (f"CQC {result.cqc_rating.value}" + (f" ({result.cqc_rating_date:%d %b %Y})".replace("(0", "(")
                                                      if result.cqc_rating_date else "")
                  if result.cqc_rating else "CQC: not yet rated")
        distance = f"{result.distance_km:.1f} km - " if result.distance_km is not None else ""
        return identified(f"search-result-{result.home_id}", ft.Card(ft.Container(ft.Column([
            ft.Text(result.name, weight=ft.FontWeight.BOLD, size=16),
            ft.Text(f"{distance}{result.local_authority}, {result.postcode}", size=13),
            ft.Text(f"Vacant accepting admissions - {vacancies}"),
            *([identified(f"search-outbreak-{result.home_id}", ft.Text(
                f"Infection outbreak: {result.outbreak.label}", color=ft.Colors.RED_800, weight=ft.FontWeight.BOLD))]
              if result.outbreak else []),
            ft.Text(rating, size=13),
            ft.Text(confirmed_words(result, now), size=13,
                    color=ft.Colors.RED_700 if result.freshness in (Freshness.STALE, Freshness.NEVER) else None),
            phone_button(result.phone, f"search-call-{result.home_id}", result.name),
        ], spacing=4), padding=12)))

    def _csv_file(self):
        return search_csv(self.answer, self._categories)

    def on_sync_status(self, status: SyncStatus) -> None:
        self.age.refresh(status)
        self.update()
