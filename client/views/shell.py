"""The app's frame: which screen a device shows, and keeping it live with sync."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

from client.context import AppContext
from client.session import Session, UnsentChanges
from client.state.admin import AdminScreen
from client.state.alert_sender import AlertSender
from client.state.alerts import AlertsScreen
from client.state.area import AreaBrowser, AreaData, account_area, forget_area_meta, note_synced
from client.state.area_history import AreaHistory
from client.state.bed_state import BedStateScreen
from client.state.conflicts import ConflictChoices
from client.state.home_history import HomeHistory
from client.state.home_list import HomeList
from client.state.home_settings import HomeSettingsScreen
from client.state.hospital import HospitalTransfers
from client.state.outbreak import OutbreakPanel
from client.state.readiness import ReadinessScreen
from client.state.red_bag import ResidentList, ResidentScreen
from client.store import Document
from client.sync.speedtest import Measurement, measure
from client.views.account_bar import AccountBar
from client.views.account_forms import RegisterView, ResetPasswordView
from client.views.admin_view import AdminView
from client.views.alert_sender_view import AlertSenderView
from client.views.alerts_view import AlertBanner, AlertsView
from client.views.area_history_view import AreaHistoryView
from client.views.area_overview_view import AreaOverviewView
from client.views.area_search_view import AreaSearchView
from client.views.area_stale_view import AreaStaleView
from client.views.area_view import AreaView
from client.views.bed_state_view import BedStateView
from client.views.conflicts_view import ConflictNotice, ConflictsView
from client.views.document_opener import DocumentOpener
from client.views.home_history_view import HomeHistoryView
from client.views.home_list_view import HomeListView
from client.views.home_settings_view import HomeSettingsView
from client.views.hospital_view import HospitalView
from client.views.readiness_view import ReadinessView
from client.views.red_bag_view import AddResidentView, ResidentListView, ResidentView
from client.views.sign_in_view import SignInView
from client.views.staff_panel_view import StaffPanelView
from client.views.theme import app_theme
from domain.area import AreaRef
from protocol.accounts import Role

# Phone-first; on a tablet or desktop the content stays a readable column.
MAX_CONTENT_WIDTH = 640


class AppShell:
    """One page (a window, a browser tab) showing a device's context.

    Web mode: every page of a browser shows the same context and follows its
    session: signed in or out in one tab, in all of them. `on_signed_in` runs
    after each sign-in on this page (web mode: the browser keeps its secret);
    `on_close` when the page is gone for good.
    """

    def __init__(self, page: ft.Page, ctx: AppContext, *,
                 on_signed_in: Callable[[], Awaitable[None]] | None = None,
                 on_close: Callable[[], None] | None = None) -> None:
        self.page, self.ctx = page, ctx
        self._on_signed_in, self._on_close = on_signed_in, on_close
        self.bed_view: BedStateView | None = None
        # The screen on show that follows sync (bed state, home list, readiness or red bag); told of every sync status.
        self.live = None
        # Whose screens this page shows (None: sign-in, registration or reset).
        self.shown_account: tuple[str, str] | None = None
        self.body = ft.Container(padding=16, width=MAX_CONTENT_WIDTH, expand=True)
        # The area view (commissioners, champions, bed search): the device's homes as snapshots, built once and
        # rebuilt only after the store changed; the overview's drill-down kept while the person goes to search.
        self._area: AreaData | None = None
        self._area_browser: AreaBrowser | None = None
        self._unsubscribe = [ctx.engine.subscribe(self._on_sync_status),
                             ctx.session.subscribe(self._on_session_changed)]

    def mount(self) -> None:
        page = self.page
        page.title = "Care Home Connect"
        page.theme_mode = ft.ThemeMode.LIGHT
        page.theme = app_theme()
        page.padding = 0
        # Not on disconnect: a reload reconnects to the same page, which must keep following.
        page.on_close = self._closed
        page.on_app_lifecycle_state_change = lambda e: self.ctx.engine.request_sync()  # e.g. resumed
        # A network coming back is a good moment to send; keep the reference or the service is disposed.
        self.connectivity = ft.Connectivity(on_change=lambda e: self.ctx.engine.request_sync())
        page.add(ft.SafeArea(ft.Container(self.body, alignment=ft.Alignment.TOP_CENTER, expand=True), expand=True))
        session = self.ctx.session.current()
        if session is None:
            self.show_sign_in()
        else:
            self.show_bed_state(session)

    def _closed(self, e: ft.Event) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self._on_close is not None:
            self._on_close()

    def _on_session_changed(self, session: Session | None) -> None:
        """Another page of this device signed in or out: follow it."""
        if session is None:
            self._forget_area()
        if session is None and self.shown_account is not None:
            self.show_sign_in(notice="Signed out. This device no longer holds your home's data.")
        elif session is not None and session.token is not None and self.shown_account != _whose(session):
            self.show_bed_state(session)

    def show_sign_in(self, username: str = "", notice: str | None = None) -> None:
        self.bed_view = self.live = None
        self.shown_account = None
        self.body.content = SignInView(self.ctx.session, self._signed_in, username=username, notice=notice,
                                       on_register=lambda: self._show_form(RegisterView),
                                       on_reset=lambda: self._show_form(ResetPasswordView))
        self.page.update()

    def _show_form(self, form_view) -> None:
        self.shown_account = None
        self.body.content = form_view(self.ctx.session, self.ctx.session.default_server_url,
                                      on_back=self.show_sign_in, on_signed_in=self._signed_in)
        self.page.update()

    async def _signed_in(self, session: Session) -> None:
        if self._on_signed_in is not None:
            await self._on_signed_in()
        self.ctx.engine.request_sync()
        if self.shown_account != _whose(session):  # the session's own news may have shown it already
            self.show_bed_state(session)

    def show_bed_state(self, session: Session) -> None:
        account = session.account
        self.shown_account = _whose(session)
        if account.role == Role.DIGITAL_CHAMPION:
            self.show_home_list(session)
            return
        if account.role == Role.HOSPITAL_USER:
            self.show_hospital(session)
            return
        if account.role == Role.ADMINISTRATOR:
            self.show_admin(session)
            return
        if account.role == Role.COMMISSIONER:
            self.show_area_overview(session)
            return
        if account.home_id is None:
            self.bed_view = None
            self.live = AreaView(self._account_bar(session))
            self.body.content = self.live
            self.page.update()
            return
        screen = BedStateScreen(self.ctx.store, account.home_id, on_saved=self.ctx.engine.local_change)
        open_alerts = lambda: self.show_alerts(session, account.home_id)  # noqa: E731
        self.bed_view = BedStateView(
            screen, self.ctx.engine, account_line=f"Signed in as {account.display_name}",
            on_sign_in_again=lambda: self.show_sign_in(
                account.username, notice="Your changes stay on this device and are sent once you sign in."),
            on_sign_out=self._sign_out,
            staff_panel=StaffPanelView(self.ctx.session, account.home_id) if account.role == Role.HOME_MANAGER else None,
            on_readiness=(lambda: self.show_readiness(session, account.home_id, on_back=self._back_to_beds))
            if account.role in (Role.HOME_MANAGER, Role.HOME_STAFF) else None,
            on_red_bag=(lambda: self.show_residents(session, account.home_id))
            if account.role in (Role.HOME_MANAGER, Role.HOME_STAFF) else None,
            on_settings=(lambda: self.show_home_settings(session, account.home_id))
            if account.role == Role.HOME_MANAGER else None,
            on_alerts=open_alerts,
            alert_banner=AlertBanner(self.ctx.store, account.home_id, on_open=open_alerts),
            history=HomeHistoryView(HomeHistory(self.ctx.store, account.home_id, self.ctx.session.api)),
        )
        self.live = self.bed_view
        self.body.content = self.bed_view
        self.page.update()

    def _back_to_beds(self) -> None:
        """Back from readiness to the same bed state view (a draft being edited is kept)."""
        if self.bed_view is None:
            return
        self.bed_view.screen.came_back()
        self.live = self.bed_view
        self.body.content = self.bed_view
        self.page.update()
        self.bed_view.on_sync_status(self.ctx.engine.status)

    def show_home_list(self, session: Session) -> None:
        """A digital champion's assigned homes, what needs attention first; a tap opens a home's readiness."""
        account = session.account
        self.shown_account = _whose(session)
        self.bed_view = None
        self.live = HomeListView(
            HomeList(self.ctx.store, account), self.ctx.engine, account_line=f"Signed in as {account.display_name}",
            on_open=lambda home_id: self.show_readiness(session, home_id,
                                                        on_back=lambda: self.show_home_list(session)),
            on_sign_out=self._sign_out,
            on_area_overview=lambda: self.show_area_overview(session, on_leave=lambda: self.show_home_list(session)),
        )
        self.body.content = self.live
        self.page.update()

    def show_home_settings(self, session: Session, home_id: str) -> None:
        """The manager's settings (funding, bed categories, who to ask for); back returns to the bed state."""
        screen = HomeSettingsScreen(self.ctx.store, home_id, session.account.username,
                                    on_saved=self.ctx.engine.local_change)
        outbreak = OutbreakPanel(self.ctx.store, home_id, session.account.username)
        self.live = HomeSettingsView(screen, on_back=self._back_to_beds_reloaded, outbreak=outbreak,
                                     on_outbreak_saved=self.ctx.engine.local_change)
        self.body.content = self.live
        self.page.update()

    def show_alerts(self, session: Session, home_id: str) -> None:
        """What commissioners sent to the home (unread first, urgent on top); back returns to the bed state."""
        screen = AlertsScreen(self.ctx.store, home_id, session.account.username, on_saved=self.ctx.engine.local_change)
        self.live = AlertsView(screen, on_back=self._back_to_beds_with_alerts)
        self.body.content = self.live
        self.page.update()

    def _back_to_beds_with_alerts(self) -> None:
        """Back from the alerts: the banner says no more about what was just read."""
        if self.bed_view is not None and self.bed_view.alert_banner is not None:
            self.bed_view.alert_banner.reload(update=False)
        self._back_to_beds()

    def _back_to_beds_reloaded(self) -> None:
        """Back from the settings: the bed state shows the categories as the manager left them."""
        if self.bed_view is not None and not self.bed_view.screen.dirty:
            self.bed_view.screen.reload()
        self._back_to_beds()

    # -- hospital users and administrators: their first screens (roles-ui) --------------------------------

    def _account_bar(self, session: Session) -> AccountBar:
        """Who is signed in, sync, Sign in again, Sign out: the top of every area role's first screen."""
        return AccountBar(self.ctx.engine, account_line=f"Signed in as {session.account.display_name}",
                          on_sign_in_again=lambda: self.show_sign_in(session.account.username),
                          on_sign_out=self._sign_out)

    def show_hospital(self, session: Session) -> None:
        """Transfers to her hospital, each opening its pack; bed search for discharge."""
        self.shown_account = _whose(session)
        self.bed_view = None
        self.live = HospitalView(
            HospitalTransfers(self.ctx.session.api, self.ctx.store.documents, now=self.ctx.store.server_now),
            account_bar=self._account_bar(session), open_document=self._document_opener(),
            on_find_bed=lambda: self.show_bed_search(session, on_back=lambda: self.show_hospital(session)),
        )
        self.body.content = self.live
        self.page.update()

    # -- the area view: overview (drill-down) -> find a bed / not updated / vacancy history ---------------------

    def _area_data(self) -> AreaData:
        if self._area is None or self._area.store is not self.ctx.store:
            self._area = AreaData(self.ctx.store)
        return self._area

    def _forget_area(self) -> None:
        self._area = self._area_browser = None
        forget_area_meta(self.ctx.store)

    def _document_opener(self) -> DocumentOpener:
        return DocumentOpener(self.page, self.ctx.store.documents, self.ctx.document_links)

    def show_area_overview(self, session: Session, *, on_leave: Callable[[], None] | None = None) -> None:
        """The area at a glance: a commissioner's first screen (with her account bar), or a champion's homes."""
        account = session.account
        self.shown_account = _whose(session)
        self.bed_view = None
        data = self._area_data()
        if self._area_browser is None or self._area_browser.data is not data:
            # A commissioner's own area; a champion's homes (a few) say theirs.
            self._area_browser = AreaBrowser(data, account_area(account, [] if account.area else data.homes()))
        bar = None if on_leave is not None else self._account_bar(session)  # a champion signs out from her list
        back_here = lambda: self.show_area_overview(session, on_leave=on_leave)  # noqa: E731
        self.live = AreaOverviewView(
            self._area_browser, self.ctx.store, self.ctx.engine.status, account_bar=bar, on_leave=on_leave,
            on_search=lambda: self.show_bed_search(session, on_back=back_here),
            on_stale=lambda area: self.show_area_stale(area, on_back=back_here),
            on_history=lambda area: self.show_area_history(session, area, on_back=back_here),
            open_document=self._document_opener(),
            # A commissioner sends alerts to her area's homes (a champion's overview has no such button).
            on_alerts=(lambda: self.show_alert_sender(on_back=back_here)) if account.role == Role.COMMISSIONER
            else None,
        )
        self.body.content = self.live
        self.page.update()

    def show_admin(self, session: Session) -> None:
        self.shown_account = _whose(session)
        self.bed_view = None
        self.live = AdminView(AdminScreen(self.ctx.session.api, now=self.ctx.store.server_now),
                              account_bar=self._account_bar(session))
        self.body.content = self.live
        self.page.update()

    def show_alert_sender(self, *, on_back: Callable[[], None]) -> None:
        """Write and send an alert; who has read and acknowledged each one sent (the central API's, online)."""
        self.live = AlertSenderView(AlertSender(self.ctx.session.api, now=self.ctx.store.server_now),
                                    on_back=on_back)
        self.body.content = self.live
        self.page.update()

    def show_bed_search(self, session: Session, *, on_back: Callable[[], None] | None = None) -> None:
        """Find a bed on this device's data (commissioners; the hospital screen calls it for discharge)."""
        self.shown_account = _whose(session)
        self.bed_view = None
        self.live = AreaSearchView(self._area_data(), self.ctx.engine.status,
                                   on_back=on_back or (lambda: self.show_bed_state(session)),
                                   open_document=self._document_opener())
        self.body.content = self.live
        self.page.update()

    def show_area_stale(self, area: AreaRef, *, on_back: Callable[[], None]) -> None:
        self.live = AreaStaleView(self._area_data(), area, self.ctx.engine.status, on_back=on_back,
                                  open_document=self._document_opener())
        self.body.content = self.live
        self.page.update()

    def show_area_history(self, session: Session, area: AreaRef, *, on_back: Callable[[], None]) -> None:
        self.live = AreaHistoryView(AreaHistory(self.ctx.store, self.ctx.session.api), area, self.ctx.store,
                                    self.ctx.engine.status, on_back=on_back)
        self.body.content = self.live
        self.page.update()

    def show_readiness(self, session: Session, home_id: str, *, on_back) -> None:
        screen = ReadinessScreen(self.ctx.store, home_id, session.account.username,
                                 on_saved=self.ctx.engine.local_change, web_mode=self.ctx.web_mode)
        self.live = ReadinessView(screen, self.ctx.engine, measure=self._measure_wifi, on_back=on_back,
                                  make_pdf=self._summary_pdf, open_document=self._document_opener())
        self.body.content = self.live
        self.page.update()

    # -- the red bag: residents -> a resident (transfer, return); back goes one step up -----------------

    def show_residents(self, session: Session, home_id: str) -> None:
        self.live = ResidentListView(
            ResidentList(self.ctx.store, home_id), self.ctx.engine,
            on_open=lambda resident_id: self.show_resident(session, home_id, resident_id),
            on_add=lambda: self.show_add_resident(session, home_id),
            on_back=self._back_to_beds,
            conflict_notice=ConflictNotice(ConflictChoices(self.ctx.store, home_id),
                                           on_open=lambda: self.show_conflicts(session, home_id)),
        )
        self.body.content = self.live
        self.page.update()

    def show_conflicts(self, session: Session, home_id: str) -> None:
        """Records changed on two devices: a person chooses which version to keep."""
        self.live = ConflictsView(ConflictChoices(self.ctx.store, home_id, on_saved=self.ctx.engine.local_change),
                                  on_back=lambda: self.show_residents(session, home_id))
        self.body.content = self.live
        self.page.update()

    def _resident_screen(self, session: Session, home_id: str, resident_id: str | None) -> ResidentScreen:
        return ResidentScreen(self.ctx.store, home_id, resident_id, session.account.username,
                              on_saved=self.ctx.engine.local_change)

    def show_add_resident(self, session: Session, home_id: str) -> None:
        self.live = AddResidentView(
            self._resident_screen(session, home_id, None), self.ctx.engine,
            on_saved=lambda resident_id: self.show_resident(session, home_id, resident_id),
            on_back=lambda: self.show_residents(session, home_id),
        )
        self.body.content = self.live
        self.page.update()

    def show_edit_resident(self, session: Session, home_id: str, resident_id: str) -> None:
        """The same form as adding one, filled in; back and save return to the resident."""
        self.live = AddResidentView(
            self._resident_screen(session, home_id, resident_id), self.ctx.engine,
            on_saved=lambda saved_id: self.show_resident(session, home_id, saved_id),
            on_back=lambda: self.show_resident(session, home_id, resident_id),
        )
        self.body.content = self.live
        self.page.update()

    def show_resident(self, session: Session, home_id: str, resident_id: str) -> None:
        self.live = ResidentView(self._resident_screen(session, home_id, resident_id), self.ctx.engine,
                                 on_back=lambda: self.show_residents(session, home_id),
                                 on_edit=lambda: self.show_edit_resident(session, home_id, resident_id),
                                 open_document=self._document_opener())
        self.body.content = self.live
        self.page.update()

    async def _measure_wifi(self) -> Measurement:
        api = self.ctx.session.api()
        if api is None:  # no token on this device: nothing can reach the central API
            return Measurement.offline("Not signed in to the central API")
        return await measure(api)

    def _summary_pdf(self, screen: ReadinessScreen) -> Document:
        """The "Summary PDF" button: the PDF is sealed on the device's document shelf, to open, download, share."""
        return screen.put_summary_pdf(self.ctx.store.documents)

    async def _sign_out(self, discard_unsent: bool) -> None:
        try:
            await self.ctx.engine.sign_out(discard_unsent=discard_unsent)
        except UnsentChanges as unsent:
            if hasattr(self.live, "ask_to_discard"):
                self.live.ask_to_discard(unsent.count)
            return
        self._forget_area()
        self.show_sign_in(notice="Signed out. This device no longer holds your home's data.")

    def _on_sync_status(self, status) -> None:
        if self.ctx.session.current() is not None:
            note_synced(self.ctx.store, status)  # the area screens say how old their data is
        if self.live is not None:
            self.live.on_sync_status(status)


def _whose(session: Session) -> tuple[str, str]:
    return session.server_url, session.account.username
