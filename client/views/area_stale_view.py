"""Who has not updated: the area's homes whose bed state is older than N days (default 7), oldest first, with
the manager to ask and the number to call, and the share of homes up to date. From the device's own data.

``stale-collection``: only the homes not yet confirmed in this month's collection (the 8th-14th window), as
GET /area/stale?collection=current answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import flet as ft

from client.state.area import AreaData, stale_csv
from client.sync import SyncStatus
from client.views.area_parts import DataAgeLine, OpenDocument, csv_button, full_width, phone_button, stretched
from client.views.widgets import SteadyList, back_header, checkbox, dropdown, identified, named, screen_title
from domain.area import STALE_PAGE, AreaRef
from protocol.area import StaleAnswer, StaleHomeWire

DAY_CHOICES = [("1", "1 day"), ("3", "3 days"), ("7", "7 days (national rule)"), ("14", "14 days"),
               ("30", "30 days")]


def age_words(home: StaleHomeWire) -> str:
    if home.days_since is None:
        return "Never confirmed its bed state"
    return f"Last confirmed {home.days_since} day{'s' if home.days_since != 1 else ''} ago"


class AreaStaleView(ft.Column):
    def __init__(self, data: AreaData, area: AreaRef, status: SyncStatus | None, *, on_back: Callable[[], None],
                 open_document: OpenDocument | None = None) -> None:
        super().__init__(spacing=10, expand=True)
        self.data, self.area = data, area
        self._shared_names: set[str] = set()
        self.age = DataAgeLine(data.store, status)
        self.days = dropdown("Not updated for more than", DAY_CHOICES, "7",
                             on_select=lambda e: self._refresh())
        self.this_collection = checkbox(label="Only homes not yet confirmed in this month's collection (8th-14th)",
                                           value=False, on_change=lambda e: self._refresh())
        self.share = ft.Text("", size=16)
        self.homes = SteadyList(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.listing = STALE_PAGE  # homes listed; "Show more" lists another page
        self.more_button = ft.OutlinedButton("Show more", icon=ft.Icons.EXPAND_MORE,
                                             on_click=lambda e: self._show_more())
        self.more = identified("stale-more", self.more_button)
        self.answer: StaleAnswer | None = None
        self.controls = [
            back_header("stale-back", on_back, screen_title("Not updated"), "area overview"),  # pinned
            ft.Column([
                self.age, full_width(named(self.days)),
                stretched(identified("stale-collection", self.this_collection)),
                ft.Row([identified("stale-share", self.share),
                        csv_button("stale-csv", "CSV file", data.store, lambda: stale_csv(self._everyone()),
                                   open_document)], wrap=True, alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
                self.homes,
                self.more,
            ], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True),
        ]
        self.show()

    @property
    def older_than(self) -> timedelta:
        return timedelta(days=int(self.days.value or 7))

    @property
    def only_this_collection(self) -> bool:
        return bool(self.this_collection.value)

    def show(self) -> None:
        answer = self.answer = self.data.stale(self.area, self.older_than, limit=self.listing,
                                               this_collection=self.only_this_collection)
        self.days.disabled = answer.collection_opens is not None  # the collection decides, not the age
        if answer.collection_opens is not None:
            since = f"since the collection opened on {answer.collection_opens.day} {answer.collection_opens:%B}"
        else:
            since = f"in the last {answer.older_than_days} day{'s' if answer.older_than_days != 1 else ''}"
        self.share.value = (f"{answer.area.name}: {answer.up_to_date} of {answer.total_homes} homes "
                            f"({round(100 * answer.up_to_date_share)}%) updated {since}; {answer.behind} not")
        # Homes of one name (a provider's, in the directory twice) are told apart by their CQC IDs on the call buttons.
        names = [home.name for home in answer.homes]
        self._shared_names = {name for name in names if names.count(name) > 1}
        self.homes.show(answer.homes, self._card, "Every home has updated. Nothing to chase.")
        hidden = answer.behind - len(answer.homes)
        self.more.visible = hidden > 0
        self.more_button.content = f"Show more ({hidden} not listed yet)"

    def _show_more(self) -> None:
        self.listing += STALE_PAGE
        self._refresh()

    def _everyone(self) -> StaleAnswer:
        """Every home behind, for the CSV (the screen lists a page at a time)."""
        return self.data.stale(self.area, self.older_than, limit=None, this_collection=self.only_this_collection)

    def _card(self, home: StaleHomeWire) -> ft.Control:
        return identified(f"stale-home-{home.home_id}", ft.Card(ft.Container(ft.Column([
            ft.Text(home.name, weight=ft.FontWeight.BOLD),
            ft.Text(f"{home.local_authority} - {age_words(home)}", size=13,
                    color=ft.Colors.RED_700 if home.days_since is None else None),
            ft.Text(f"Manager: {home.manager_name or 'not known'}", size=13),
            phone_button(home.phone, home=f"{home.name} ({home.home_id})" if home.name in self._shared_names
                         else home.name),
        ], spacing=4), padding=12)))

    def _refresh(self) -> None:
        self.show()
        self.update()

    def on_sync_status(self, status: SyncStatus) -> None:
        self.age.refresh(status)
        self.show()
        self.update()
