"""The area screens built over a real device store (no page, no browser): what each shows and its handles."""

from __future__ import annotations

from datetime import datetime, timezone

import flet as ft
import flet_charts as fch
import pytest

from client.state.area import AreaBrowser, AreaData
from client.state.area_history import HistoryShown
from client.store import open_device_store
from client.views.area_history_view import AreaHistoryView
from client.views.area_overview_view import AreaOverviewView
from client.views.area_search_view import AreaSearchView
from client.views.area_stale_view import AreaStaleView
from domain.area import AreaQueryError, AreaRef, BedSearch
from domain.beds import BedCategory
from protocol.area import HistoryAnswer
from tests.support.area_homes import device_records

NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)


@pytest.fixture
def data(tmp_path):
    opened = open_device_store(tmp_path, now=lambda: NOW)
    opened.sync.apply_pull_page(device_records(NOW), 2000)
    yield AreaData(opened.store, now=lambda: NOW)
    opened.store.close()


def identifiers(control: ft.Control) -> set[str]:
    """Every semantics identifier under ``control``."""
    found, stack = set(), [control]
    while stack:
        node = stack.pop()
        if isinstance(node, ft.Semantics) and node.identifier:
            found.add(node.identifier)
        for name in ("content", "controls", "title", "subtitle", "trailing", "actions"):
            child = getattr(node, name, None)
            if isinstance(child, list):
                stack.extend(c for c in child if isinstance(c, ft.Control))
            elif isinstance(child, ft.Control):
                stack.append(child)
    return found


def test_overview_shows_totals_charts_and_one_tappable_row_per_child_area(data):
    browser = AreaBrowser(data, AreaRef.parse("icb:QOP"))
    placeholder = AreaOverviewView(browser, data.store, None, on_search=lambda: None, on_stale=lambda a: None,
                                   on_history=lambda a: None)
    assert placeholder.body.controls[0].value == "Reading your area's homes on this device..."  # not read yet
    data.homes()
    view = AreaOverviewView(browser, data.store, None, on_search=lambda: None, on_stale=lambda a: None,
                            on_history=lambda a: None)
    assert view.title.value == "NHS Greater Manchester Integrated Care Board"
    assert not view.back.visible  # the top of a commissioner's screen: nowhere to go back to
    shown = identifiers(view)
    assert {"area-find-bed", "area-stale", "area-history", "area-totals", "overview-csv",
            "area-child-Trafford", "area-child-Manchester", "area-vacancy-table", "area-freshness-table"} <= shown
    totals = next(c for c in view.body.controls if isinstance(c, ft.Semantics) and c.identifier == "area-totals")
    assert totals.content.value.startswith("7 homes - 19 vacancies accepting admissions - 1 closed")
    assert any(isinstance(c, ft.Semantics) and isinstance(c.content, fch.BarChart) for c in view.body.controls)

    browser.open(AreaRef.parse("la:Manchester"))
    view.render()
    assert view.title.value == "Manchester" and view.back.visible
    assert "area-child-1-900000005" in identifiers(view)


def test_search_form_asks_the_device_and_shows_cards_with_a_call_button(data):
    view = AreaSearchView(data, None, on_back=lambda: None)
    view.district.value = "M20"
    query = view.query()
    view._categories = list(query.categories)
    view.show(data.search(query))
    assert view.summary.value.startswith("5 homes with a vacancy, nearest to postcode district M20")
    cards = identifiers(view.results)
    assert "search-result-1-900000005" in cards and "search-call-1-900000005" in cards
    assert view.csv.visible

    view.district.value = "SK9"
    with pytest.raises(AreaQueryError):
        view.query()


def test_stale_list_says_the_share_and_who_to_call(data):
    view = AreaStaleView(data, AreaRef.parse("icb:QOP"), None, on_back=lambda: None)
    assert view.share.value == ("NHS Greater Manchester Integrated Care Board: 5 of 7 homes (71%) updated in the "
                                "last 7 days; 2 not")
    assert [c.identifier for c in view.homes.controls] == ["stale-home-1-900000007", "stale-home-1-900000002"]
    cards = list(view.homes.controls)
    view.show()  # a sync tick with nothing new: the same cards stay, so a tap or a screen reader's focus holds
    assert all(a is b for a, b in zip(view.homes.controls, cards, strict=True))
    assert not view.more.visible  # every home behind is listed
    view.listing = 1  # a page of one: the rest behind "Show more"
    view.show()
    assert [c.identifier for c in view.homes.controls] == ["stale-home-1-900000007"] and view.more.visible
    assert view.more_button.content == "Show more (1 not listed yet)" and "; 2 not" in view.share.value
    assert [h.home_id for h in view._everyone().homes] == ["1-900000007", "1-900000002"]  # the CSV: all of them


def test_stale_list_can_show_only_the_homes_not_yet_confirmed_this_collection(data):
    view = AreaStaleView(data, AreaRef.parse("icb:QOP"), None, on_back=lambda: None)
    view.update = lambda: None  # no page: render without sending
    view.this_collection.value = True  # Sale last confirmed on 15 November: after the window opened on the 8th
    view._refresh()
    assert [c.identifier for c in view.homes.controls] == ["stale-home-1-900000007"]
    assert view.share.value == ("NHS Greater Manchester Integrated Care Board: 6 of 7 homes (86%) updated since the "
                                "collection opened on 8 November; 1 not")
    assert view.days.disabled and [h.home_id for h in view._everyone().homes] == ["1-900000007"]


def test_history_chart_has_a_line_per_category_and_a_table(data):
    view = AreaHistoryView(None, AreaRef.parse("la:Trafford"), data.store, None, on_back=lambda: None)
    answer = HistoryAnswer.model_validate({
        "area": {"level": "la", "code": "Trafford", "name": "Trafford"}, "interval": "day", "as_of": NOW,
        "points": [{"day": f"2026-11-2{d}", "vacant_accepting": {"nursing": d, "nursing_dementia": 1},
                    "max_capacity": {"nursing": 20, "nursing_dementia": 10}} for d in range(1, 5)]})
    view.show(HistoryShown(answer, "Vacancy history as of 09:12"))
    chart = view.chart.content.content
    assert isinstance(chart, fch.LineChart) and len(chart.data_series) == 2
    assert "history-table" in identifiers(view)
    view.show(HistoryShown(None, "Vacancy history needs a connection once (no connection now)."))
    assert view.chart.content is None and view.line.value.startswith("Vacancy history needs a connection once")


def test_a_champions_home_list_has_the_area_overview_one_tap_away(data):
    from client.state.home_list import HomeList
    from client.views.home_list_view import HomeListView
    from protocol import Account

    class Engine:  # what the list reads of the sync engine
        from client.sync import SyncStatus
        status = SyncStatus()

    champion = Account(username="champion", display_name="C", role="digital_champion",
                       assigned_homes=["1-900000001", "1-900000005"])
    opened = []
    view = HomeListView(HomeList(data.store, champion), Engine(), account_line="C", on_open=lambda h: None,
                        on_area_overview=lambda: opened.append(True))
    button = next(c for c in view.controls if isinstance(c, ft.Semantics) and c.identifier == "area-overview")
    button.content.on_click(None)
    assert opened == [True]


def test_chart_axes_count_in_round_steps():
    from client.views.area_parts import nice_step

    assert [nice_step(top) for top in (1, 3, 4, 9, 27, 94, 241, 960)] == [1, 1, 1, 5, 10, 50, 100, 500]


def test_near_a_home_is_a_list_for_an_area_and_an_id_field_for_a_nation(data, monkeypatch):
    import client.views.area_search_view as search_view

    assert isinstance(AreaSearchView(data, None, on_back=lambda: None).near_home, ft.Dropdown)
    monkeypatch.setattr(search_view, "MAX_HOME_CHOICES", 3)
    view = AreaSearchView(data, None, on_back=lambda: None)
    assert isinstance(view.near_home, ft.TextField)
    view.near_home.value = " 1-900000006 "
    assert view.query().origin.label == "Chorlton Care Home"


def test_every_area_roles_first_screen_starts_with_the_same_account_bar(data):
    """One bar (who, sync, Sync now, Sign in again, Sign out) on the overview, hospital, admin and fallback screens,
    each control named for screen readers and tests; Sign in again only while the token is refused."""
    from client.state.admin import AdminScreen
    from client.state.hospital import HospitalTransfers
    from client.sync import SyncState, SyncStatus
    from client.views.account_bar import AccountBar
    from client.views.admin_view import AdminView
    from client.views.area_view import AreaView
    from client.views.hospital_view import HospitalView
    from tests.support import aio

    class Engine:  # what the bar reads of the sync engine
        status = SyncStatus(state=SyncState.SIGNED_OUT)

        def request_sync(self) -> None:
            self.asked = True

    engine, signed_out, back_in = Engine(), [], []

    async def sign_out(discard_unsent: bool) -> None:
        signed_out.append(discard_unsent)

    def bar() -> AccountBar:
        return AccountBar(engine, account_line="Signed in as Demo commissioner", now=lambda: NOW,
                          on_sign_in_again=lambda: back_in.append(True), on_sign_out=sign_out)

    account_bar = bar()
    shown = identifiers(account_bar)
    assert {"signed-in-as", "sync-status", "sync-now", "sign-in-again", "sign-out"} <= shown
    assert "discard-and-sign-out" in identifiers(account_bar.unsent_box)  # the question Sign out may raise
    assert account_bar.sign_in_again.visible
    account_bar.sign_in_again.content.on_click(None)
    assert back_in == [True]
    account_bar.refresh(SyncStatus(state=SyncState.IDLE, last_success_at=NOW))
    assert not account_bar.sign_in_again.visible and account_bar.status.value.startswith("Sent")
    sign_out_button = next(c for c in account_bar.controls[0].controls if isinstance(c, ft.Semantics))
    aio.run(sign_out_button.content.on_click(None))
    assert signed_out == [False]

    data.homes()
    screens = [
        AreaOverviewView(AreaBrowser(data, AreaRef.parse("icb:QOP")), data.store, None, on_search=lambda: None,
                         on_stale=lambda a: None, on_history=lambda a: None, account_bar=bar()),
        HospitalView(HospitalTransfers(lambda: None, data.store.documents, now=lambda: NOW), account_bar=bar(),
                     open_document=lambda document: None),
        AdminView(AdminScreen(lambda: None, now=lambda: NOW), account_bar=bar()),
        AreaView(bar()),
    ]
    for screen in screens:
        assert isinstance(screen.controls[0], AccountBar) and screen.account_bar is screen.controls[0]
        assert {"signed-in-as", "sync-status", "sign-out"} <= identifiers(screen)


def test_the_overview_shows_homes_in_an_outbreak_and_the_workforce_and_search_cards_say_outbreak(data):
    data.homes()
    browser = AreaBrowser(data, AreaRef.parse("la:Manchester"))
    view = AreaOverviewView(browser, data.store, None, on_search=lambda: None, on_stale=lambda a: None,
                            on_history=lambda a: None)
    shown = {c.identifier: c.content for c in view.body.controls if isinstance(c, ft.Semantics)}
    assert shown["area-outbreaks"].value == "1 home in an infection outbreak"
    assert "area-workforce-table" in identifiers(view)
    assert any(isinstance(c, ft.Text) and c.value == "Reported by 2 of 3 homes" for c in view.body.controls)

    search = AreaSearchView(data, None, on_back=lambda: None)
    search.district.value = "M21"
    query = search.query()
    search._categories = list(query.categories)
    search.show(data.search(BedSearch(frozenset({BedCategory.NURSING}), origin=query.origin)))
    cards = identifiers(search.results)
    assert "search-outbreak-1-900000006" in cards and "search-outbreak-1-900000001" not in cards
