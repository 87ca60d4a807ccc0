"""A home's digital readiness: Checklist, WiFi survey, Digital maturity and the NHSmail guide.

Phone-first: one section at a time (picked at the top), the band always
visible under the home's name, and what the last save did plus where the
changes are at the bottom. Rules live in ``client.state.readiness``.

Semantics identifiers the tests use: ``readiness-back``, ``readiness-home``,
``band``, ``section-checklist`` / ``-wifi`` / ``-maturity`` / ``-nhsmail``,
``check-<item>-value`` / ``-changed``, ``broadband-save``, ``dspt-save``,
``gp-save``, ``dscr-save``, ``device-add``, ``wifi-location``, ``wifi-test``,
``wifi-summary``, ``next-band``, ``nhsmail-step``, ``nhsmail-what``,
``nhsmail-ods``, ``nhsmail-ods-save``, ``nhsmail-no-ods``,
``nhsmail-cqc-location``, ``nhsmail-cqc-contact``, ``nhsmail-cqc-save``,
``nhsmail-cqc-otp``, ``nhsmail-dspt-checklist``, ``nhsmail-dspt-save``,
``nhsmail-route-save``, ``nhsmail-users-save``, ``nhsmail-submit``,
``nhsmail-accepted``, ``nhsmail-refused``, ``nhsmail-mfa-<n>``,
``nhsmail-login-<n>``, ``nhsmail-current`` (the chart's highlighted node),
``readiness-message``, ``sync-status``, ``summary-pdf`` (then ``summary-pdf-open`` / ``-download`` / ``-share``,
``summary-pdf-preview``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import flet as ft

from client.state.bed_state import sync_line
from client.state.nhsmail_users import FIELD_LABELS
from client.state.readiness import ReadinessScreen
from client.store import Document
from client.sync import SyncEngine, SyncStatus
from client.sync.api import ApiError, AuthExpired
from client.views.document_actions import DocumentActions
from client.views.nhsmail_chart_view import NhsmailChartView
from client.views.widgets import (
    SteadyList,
    announced,
    back_header,
    checkbox,
    dropdown,
    heading,
    identified,
    message_colour,
    named,
    screen_title,
    side_by_side,
    switch,
    sync_status_row,
)
from domain.nhsmail import OdsProblem, Step, suggested_mailbox
from domain.readiness import ChecklistItem, DeviceKind, DsptLevel, GpAccess, GpSystem, dspt_year_on

ROUTE_SITES_LABEL = "Number of sites (homes) of the provider (required)"
SECTIONS = (("checklist", "Checklist"), ("wifi", "WiFi"), ("maturity", "Maturity"), ("nhsmail", "NHSmail"))
BAND_COLOURS = {"minimum": ft.Colors.RED_800, "core": ft.Colors.AMBER_900, "enhanced": ft.Colors.GREEN_800,
                "enhanced_plus": ft.Colors.GREEN_900}
# The button of the section on show: a filled tonal button's colours on the same (text) button.
SHOWN_SECTION_STYLE = ft.ButtonStyle(bgcolor=ft.Colors.SECONDARY_CONTAINER, color=ft.Colors.ON_SECONDARY_CONTAINER)
COVERAGE_COLOURS = {"Good": ft.Colors.GREEN_800, "Poor": ft.Colors.AMBER_900, "No connection": ft.Colors.RED_800}


class ReadinessView(ft.Column):
    def __init__(self, screen: ReadinessScreen, engine: SyncEngine, *,
                 measure: Callable[[], Awaitable[Any]],
                 on_back: Callable[[], None] | None = None,
                 make_pdf: Callable[[ReadinessScreen], Document] | None = None,
                 open_document: Any = None,
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__(spacing=8, expand=True)
        self.screen, self.engine, self.measure, self.on_back = screen, engine, measure, on_back
        self.make_pdf, self._now = make_pdf, now
        self._open_document, self.summary_document = open_document, None
        self.section = "checklist"
        self.title = screen_title()
        self.address = ft.Text("", size=13, color=ft.Colors.ON_SURFACE_VARIANT)
        self.band = ft.Text("", size=15, weight=ft.FontWeight.W_600)
        # Built once: a sync tick re-renders the screen, and a button replaced meanwhile loses the tap in flight
        # (Flet drops a click on a control that is gone). The section shown is marked by its button's look only.
        self.tab_buttons = {key: ft.TextButton(label, on_click=lambda e, k=key: self._show_section(k))
                            for key, label in SECTIONS}
        self.tabs = ft.Row([identified(f"section-{key}", button) for key, button in self.tab_buttons.items()],
                           spacing=4, wrap=True)
        self.body = ft.Column(spacing=12)
        self.message = ft.Text("", size=14)
        self.sync_status = ft.Text("", size=13, expand=True)
        self._build_checklist()
        self._build_wifi()
        self._build_maturity()
        self._build_nhsmail()
        self.controls = [
            back_header("readiness-back", on_back, identified("readiness-home", self.title)),
            # Only the way back stays pinned above: at 200% text on a phone the address, band and section
            # buttons would leave the section itself a sliver of the screen.
            ft.Column([self.address, identified("band", self.band), self.tabs, ft.Divider(height=1), self.body],
                      spacing=12, scroll=ft.ScrollMode.AUTO, expand=True),
            announced("readiness-message", self.message),
            sync_status_row(self.sync_status),
        ]
        self.refresh(update=False)

    # -- sections -------------------------------------------------------------------------------------

    def _show_section(self, key: str) -> None:
        if key != self.section:
            self.screen.moved_on()
        self.section = key
        self.refresh()

    def _render_tabs(self) -> None:
        for key, button in self.tab_buttons.items():
            button.style = SHOWN_SECTION_STYLE if key == self.section else None

    # Checklist ---------------------------------------------------------------------------------------

    def _build_checklist(self) -> None:
        self.check_values: dict[ChecklistItem, ft.Text] = {}
        self.check_changed: dict[ChecklistItem, ft.Text] = {}
        self.check_icons: dict[ChecklistItem, ft.Icon] = {}
        forms = {
            ChecklistItem.BROADBAND: self._broadband_form(),
            ChecklistItem.WIFI: [ft.TextButton("Open the WiFi survey", icon=ft.Icons.WIFI,
                                               on_click=lambda e: self._show_section("wifi"))],
            ChecklistItem.DEVICES: self._devices_form(),
            ChecklistItem.DSPT: self._dspt_form(),
            ChecklistItem.NHSMAIL: [ft.TextButton("Open the NHSmail guide", icon=ft.Icons.MAIL,
                                                  on_click=lambda e: self._show_section("nhsmail"))],
            ChecklistItem.GP_RECORD_ACCESS: self._gp_form(),
            ChecklistItem.DSCR: self._dscr_form(),
        }
        tiles = []
        for item in ChecklistItem:
            value = ft.Text("", size=14)
            changed = ft.Text("", size=12, color=ft.Colors.ON_SURFACE_VARIANT)
            icon = ft.Icon(ft.Icons.RADIO_BUTTON_UNCHECKED)
            self.check_values[item], self.check_changed[item], self.check_icons[item] = value, changed, icon
            tiles.append(ft.Card(content=ft.ExpansionTile(
                title=ft.Text(item.label, weight=ft.FontWeight.W_600),
                subtitle=ft.Column([identified(f"check-{item.value}-value", value),
                                    identified(f"check-{item.value}-changed", changed)], spacing=2),
                leading=icon, controls=forms[item], controls_padding=ft.Padding.only(left=12, right=12, bottom=12),
                expanded_cross_axis_alignment=ft.CrossAxisAlignment.START,
            ), margin=0))
        self.checklist_section = ft.Column(tiles, spacing=8)

    def _broadband_form(self) -> list[ft.Control]:
        self.bb_provider = ft.TextField(label="Provider")
        self.bb_down = ft.TextField(label="Contracted download (Mbps)", keyboard_type=ft.KeyboardType.NUMBER)
        self.bb_up = ft.TextField(label="Contracted upload (Mbps)", keyboard_type=ft.KeyboardType.NUMBER)
        self.bb_none = switch(label="The home has no broadband", value=False)
        return [self.bb_provider, side_by_side(self.bb_down, self.bb_up, first_share=6),
                self.bb_none,
                identified("broadband-save", ft.Button("Save broadband", on_click=self._save_broadband))]

    def _devices_form(self) -> list[ft.Control]:
        self.dev_kind = dropdown("Device", [(k.value, k.label) for k in DeviceKind], DeviceKind.TABLET.value)
        self.dev_count = ft.TextField(label="How many", value="1", keyboard_type=ft.KeyboardType.NUMBER)
        self.dev_description = ft.TextField(label="Description (e.g. from the ICB programme)")
        return [side_by_side(named(self.dev_kind), self.dev_count), self.dev_description,
                identified("device-add", ft.Button("Add delivery", on_click=self._add_device))]

    def _dspt_form(self) -> list[ft.Control]:
        self.dspt_level = dropdown("DSPT status", [(lvl.value, lvl.label) for lvl in DsptLevel])
        self.dspt_year = ft.TextField(label="Year", hint_text="e.g. 24/25", value=dspt_year_on(self._now().date()))
        return [side_by_side(named(self.dspt_level), self.dspt_year),
                identified("dspt-save", ft.Button("Save DSPT status", on_click=self._save_dspt))]

    def _gp_form(self) -> list[ft.Control]:
        self.gp_access = dropdown("Care staff see residents' GP records", [(a.value, a.label) for a in GpAccess])
        self.gp_system = dropdown("Through", [("", "-"), *((s.value, s.label) for s in GpSystem)])
        return [named(self.gp_access), named(self.gp_system),
                identified("gp-save", ft.Button("Save GP record access", on_click=self._save_gp))]

    def _dscr_form(self) -> list[ft.Control]:
        self.dscr_in_use = switch(label="Care records are kept digitally", value=False)
        self.dscr_supplier = ft.TextField(label="Supplier")
        return [self.dscr_in_use, self.dscr_supplier,
                identified("dscr-save", ft.Button("Save", on_click=self._save_dscr))]

    # WiFi ----------------------------------------------------------------------------------------------

    def _build_wifi(self) -> None:
        self.wifi_summary = ft.Text("", size=14)
        self.wifi_location = ft.TextField(label="Location in the home", hint_text="e.g. Office, Lounge, Room 12")
        self.wifi_test = ft.Button("Test WiFi here", icon=ft.Icons.NETWORK_CHECK, on_click=self._test_wifi)
        self.wifi_progress = ft.Text("", size=13, color=ft.Colors.ON_SURFACE_VARIANT)
        self.wifi_rows = SteadyList(spacing=6)
        self.wifi_section = ft.Column([
            heading("WiFi survey"),
            identified("wifi-instructions", ft.Text(self.screen.wifi_instructions, size=13,
                                                    color=ft.Colors.ON_SURFACE_VARIANT)),
            identified("wifi-location", self.wifi_location),
            identified("wifi-test", self.wifi_test),
            self.wifi_progress,
            identified("wifi-summary", self.wifi_summary),
            self.wifi_rows,
        ], spacing=10)

    # Maturity -------------------------------------------------------------------------------------------

    def _build_maturity(self) -> None:
        self.maturity_band = ft.Text("", size=22, weight=ft.FontWeight.BOLD)
        self.next_band = ft.Text("", size=15, weight=ft.FontWeight.W_600)
        self.missing = SteadyList(spacing=8)
        # Not selectable: a selectable text is a nameless field to a screen reader (what it says is not its name).
        self.pdf_result = ft.Text("", size=13, visible=False)
        self.summary_actions = DocumentActions("summary-pdf", "readiness summary", lambda: self.summary_document,
                                               self._open_document, preview=True)
        self.summary_actions.visible = False  # until the summary is made
        pdf = [identified("summary-pdf", ft.OutlinedButton("Summary PDF", icon=ft.Icons.PICTURE_AS_PDF,
                                                            on_click=self._summary_pdf)),
               self.pdf_result, self.summary_actions] if self.make_pdf is not None else []
        self.maturity_section = ft.Column([
            heading("Digital maturity"), self.maturity_band, identified("next-band", self.next_band), self.missing,
            *pdf,
        ], spacing=10)

    # NHSmail ----------------------------------------------------------------------------------------------

    def _build_nhsmail(self) -> None:
        self.nhsmail_step = ft.Text("", size=16, weight=ft.FontWeight.BOLD)
        self.nhsmail_changed = ft.Text("", size=12, color=ft.Colors.ON_SURFACE_VARIANT)
        self.nhsmail_what = ft.Text("", size=14)
        self.what_box = ft.Container(identified("nhsmail-what", self.nhsmail_what), padding=12, border_radius=8)
        self.step_form = ft.Column(spacing=8)
        self.deadlines = SteadyList(spacing=2)
        self.chart = NhsmailChartView(self.screen.flow_chart)
        self._form_key: tuple | None = None
        self.nhsmail_section = ft.Column([
            heading("NHSmail registration"),
            identified("nhsmail-step", self.nhsmail_step),
            self.nhsmail_changed,
            self.what_box,
            self.step_form,
            self.deadlines,
            ft.Text("The flow chart", size=15, weight=ft.FontWeight.W_600),
            self.chart,
        ], spacing=10)

    def _render_step_form(self) -> None:
        progress = self.screen.progress
        key = (progress.step, len(progress.users), tuple((u.mfa_set_up_at is None, u.first_login_at is None)
                                                         for u in progress.users),
               self.screen.checklist_dspt.text if self.screen.checklist_dspt else None)
        if key == self._form_key:
            return
        self._form_key = key
        step = progress.step
        controls: list[ft.Control]
        if step is Step.ODS_CODE:
            self.ods = ft.TextField(label="ODS site code", hint_text="starts with V, e.g. VM4R7",
                                    capitalization=ft.TextCapitalization.CHARACTERS)
            self.not_cqc = checkbox(label="The home is not registered with CQC", value=False)
            self.ods_problem = dropdown("No usable code?", [
                (OdsProblem.NO_CODE.value, "The home has no ODS code"),
                (OdsProblem.WRONG_CODE.value, "The code is wrong"),
                (OdsProblem.NOT_CQC_REGISTERED.value, "Not registered with CQC, no code"),
            ])
            controls = [identified("nhsmail-ods", self.ods), self.not_cqc,
                        identified("nhsmail-ods-save", ft.Button("Save ODS code", on_click=self._save_ods)),
                        named(self.ods_problem),
                        identified("nhsmail-no-ods", ft.OutlinedButton("Record: no usable code",
                                                                       on_click=self._no_ods))]
        elif step is Step.CQC_IDS:
            self.cqc_location = ft.TextField(label="CQC location ID", value=self.screen.home_id)
            self.cqc_contact = ft.TextField(label="CQC contact ID")
            controls = [identified("nhsmail-cqc-location", self.cqc_location),
                        identified("nhsmail-cqc-contact", self.cqc_contact),
                        identified("nhsmail-cqc-save", ft.Button("Save CQC IDs", on_click=self._save_cqc)),
                        identified("nhsmail-cqc-otp", ft.OutlinedButton("No contact ID: ask for a one-time passcode",
                                                                        on_click=self._cqc_otp))]
        elif step is Step.DSPT:
            dspt = self.screen.checklist_dspt
            self.nm_dspt_level = dropdown("DSPT status", [(lvl.value, lvl.label) for lvl in DsptLevel])
            self.nm_dspt_year = ft.TextField(label="Year", hint_text="e.g. 24/25",
                                             value=dspt_year_on(self._now().date()))
            controls = []
            if dspt is not None:
                controls.append(identified("nhsmail-dspt-checklist", ft.Button(
                    f"Use the checklist's DSPT: {dspt.text}", on_click=self._dspt_from_checklist)))
            controls += [side_by_side(named(self.nm_dspt_level), self.nm_dspt_year),
                         identified("nhsmail-dspt-save", ft.OutlinedButton("Save DSPT status",
                                                                           on_click=self._save_nm_dspt))]
        elif step is Step.ROUTE:
            # Required: the route depends on it, so no pre-filled guess (ROUTE_SITES_LABEL says so).
            self.sites = ft.TextField(label=ROUTE_SITES_LABEL, hint_text="1 for a single home",
                                      keyboard_type=ft.KeyboardType.NUMBER)
            self.self_manage = switch(label="Self-manage with our own local administrators", value=False)
            controls = [self.sites, self.self_manage,
                        identified("nhsmail-route-save", ft.Button("Save route", on_click=self._save_route))]
        elif step is Step.USERS:
            self.mailbox = ft.TextField(label="Shared mailbox",
                                        value=suggested_mailbox(progress.ods_code or ""))
            self.people = ft.Column(spacing=12)
            self._draw_people()
            self.add_person = identified("nhsmail-user-add", ft.OutlinedButton(
                "Add a person", icon=ft.Icons.PERSON_ADD, on_click=self._add_person))
            controls = [self.mailbox,
                        ft.Text("The people who will use NHSmail (2 to 10), each with their own email and mobile; "
                                "at least one owner.", size=13, color=ft.Colors.ON_SURFACE_VARIANT),
                        self.people, self.add_person,
                        identified("nhsmail-users-save", ft.Button("Save mailbox and users",
                                                                   on_click=self._save_users))]
        elif step is Step.SUBMIT:
            controls = [identified("nhsmail-submit", ft.Button("The form is submitted", icon=ft.Icons.SEND,
                                                               on_click=self._submit))]
        elif step is Step.AWAIT_REPLY:
            self.refusal = ft.TextField(label="Why it was refused (from the reply)")
            controls = [identified("nhsmail-accepted", ft.Button("Accepted: activation emails arrived",
                                                                 on_click=self._accepted)),
                        self.refusal,
                        identified("nhsmail-refused", ft.OutlinedButton("Refused", on_click=self._refused))]
        elif step in (Step.MFA, Step.FIRST_LOGIN):
            controls = []
            for number, user in enumerate(progress.users, start=1):
                if user.mfa_set_up_at is None:
                    # One name per person's button: a screen reader hears whose MFA, not "MFA set up" twice.
                    action = identified(f"nhsmail-mfa-{number}", ft.OutlinedButton(
                        content=ft.Text("MFA set up", semantics_label=f"MFA set up: {user.name}"),
                        on_click=lambda e, m=user.email: self._run(self.screen.record_mfa, m)))
                elif user.first_login_at is None:
                    action = identified(f"nhsmail-login-{number}", ft.OutlinedButton(
                        content=ft.Text("Logged in", semantics_label=f"Logged in: {user.name}"),
                        on_click=lambda e, m=user.email: self._run(self.screen.record_first_login, m)))
                else:
                    action = ft.Icon(ft.Icons.CHECK_CIRCLE, color=ft.Colors.GREEN_700)
                controls.append(ft.Row([ft.Text(f"{user.name} ({user.role.label})", expand=True), action]))
        else:
            controls = [ft.Text("NHSmail is in use.", color=ft.Colors.GREEN_800, weight=ft.FontWeight.BOLD)]
        self.step_form.controls = controls

    # -- events -----------------------------------------------------------------------------------------

    def _run(self, action: Callable[..., str | None], *args: Any, **kwargs: Any) -> None:
        action(*args, **kwargs)
        self.refresh()

    def _save_broadband(self, e: ft.Event) -> None:
        self._run(self.screen.save_broadband, self.bb_provider.value, self.bb_down.value, self.bb_up.value,
                  bool(self.bb_none.value))

    def _add_device(self, e: ft.Event) -> None:
        self._run(self.screen.add_device, self.dev_kind.value, self.dev_count.value or "",
                  self.dev_description.value or "")

    def _save_dspt(self, e: ft.Event) -> None:
        self._run(self.screen.save_dspt, level=self.dspt_level.value, year=self.dspt_year.value)

    def _save_gp(self, e: ft.Event) -> None:
        self._run(self.screen.save_gp, self.gp_access.value, self.gp_system.value or None)

    def _save_dscr(self, e: ft.Event) -> None:
        self._run(self.screen.save_dscr, bool(self.dscr_in_use.value), self.dscr_supplier.value)

    async def _test_wifi(self, e: ft.Event) -> None:
        location = self.wifi_location.value or ""
        problem = self.screen.wifi_location_error(location)
        if problem:
            self.screen.message, self.screen.message_is_error = problem, True
            self.refresh()
            return
        self.wifi_test.disabled = True
        self.wifi_progress.value = f"Testing the WiFi at {location.strip()}..."
        self.update()
        try:
            measurement = await self.measure()
        except AuthExpired:
            self.screen.message = "Sign in again to test the WiFi (nothing was saved)"
            self.screen.message_is_error = True
            return
        except ApiError as exc:
            self.screen.message, self.screen.message_is_error = f"WiFi test not possible: {exc}", True
            return
        else:
            self.screen.record_wifi(location, measurement)
            self.wifi_location.value = ""
        finally:
            self.wifi_test.disabled = False
            self.wifi_progress.value = ""
            self.refresh()

    def _save_ods(self, e: ft.Event) -> None:
        self._run(self.screen.record_ods_code, self.ods.value or "",
                  cqc_registered=False if self.not_cqc.value else None)

    def _no_ods(self, e: ft.Event) -> None:
        self._run(self.screen.record_no_ods_code, self.ods_problem.value)

    def _save_cqc(self, e: ft.Event) -> None:
        self._run(self.screen.record_cqc_ids, self.cqc_location.value, self.cqc_contact.value)

    def _cqc_otp(self, e: ft.Event) -> None:
        self._run(self.screen.record_cqc_ids, self.cqc_location.value, None, one_time_passcode=True)

    def _dspt_from_checklist(self, e: ft.Event) -> None:
        self._run(self.screen.record_dspt)

    def _save_nm_dspt(self, e: ft.Event) -> None:
        if not self.nm_dspt_level.value:
            self.screen.message, self.screen.message_is_error = "Choose the DSPT status first", True
            self.refresh()
            return
        year = None if self.nm_dspt_level.value == DsptLevel.NOT_PUBLISHED.value else self.nm_dspt_year.value
        self._run(self.screen.record_dspt, self.nm_dspt_level.value, year)

    def _save_route(self, e: ft.Event) -> None:
        self._run(self.screen.choose_route, self.sites.value or "", bool(self.self_manage.value))

    def _draw_people(self) -> None:
        """One card per person: name, email, mobile (each with its message under it), owner, remove."""
        form = self.screen.users_form
        cards: list[ft.Control] = []
        for index, person in enumerate(form.people):
            number = index + 1

            def field(name: str, value: str, keyboard: ft.KeyboardType, i: int = index) -> ft.Control:
                box = ft.TextField(label=f"{FIELD_LABELS[name]}, person {i + 1}", value=value,
                                   keyboard_type=keyboard, error=form.error(i, name),
                                   on_change=lambda e, i=i, n=name: form.update(i, n, e.control.value))
                return identified(f"nhsmail-user-{i + 1}-{name}", box)

            cards.append(ft.Container(ft.Column([
                ft.Text(f"Person {number}", weight=ft.FontWeight.W_600),
                field("name", person.name, ft.KeyboardType.NAME),
                field("email", person.email, ft.KeyboardType.EMAIL),
                field("mobile", person.mobile, ft.KeyboardType.PHONE),
                ft.Row([identified(f"nhsmail-user-{number}-owner", checkbox(
                            label="Owner (manages the shared mailbox)", value=person.owner,
                            on_change=lambda e, i=index: form.update(i, "owner", bool(e.control.value)))),
                        ft.TextButton(f"Remove person {number}", icon=ft.Icons.DELETE_OUTLINE,
                                      on_click=lambda e, i=index: self._remove_person(i))],
                       wrap=True),
            ], spacing=6), padding=10, border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT), border_radius=8))
        self.people.controls = cards

    def _add_person(self, e: ft.Event) -> None:
        self.screen.users_form.add()
        self._draw_people()
        self.add_person.content.disabled = not self.screen.users_form.can_add
        self.update()

    def _remove_person(self, index: int) -> None:
        self.screen.users_form.remove(index)
        self._draw_people()
        self.add_person.content.disabled = not self.screen.users_form.can_add
        self.update()

    def _save_users(self, e: ft.Event) -> None:
        self.screen.save_users_form(self.mailbox.value)
        if self.screen.progress.step is Step.USERS:
            self._draw_people()  # show each message under its field
        self.refresh()

    def _submit(self, e: ft.Event) -> None:
        self._run(self.screen.submit)

    def _accepted(self, e: ft.Event) -> None:
        self._run(self.screen.record_reply, True)

    def _refused(self, e: ft.Event) -> None:
        self._run(self.screen.record_reply, False, self.refusal.value)

    def _summary_pdf(self, e: ft.Event) -> None:
        assert self.make_pdf is not None
        try:
            self.summary_document = self.make_pdf(self.screen)
        except Exception:  # noqa: BLE001 - a failed PDF is shown, the screen carries on
            logging.getLogger(__name__).exception("readiness summary failed")
            self.pdf_result.value = "The summary could not be made. Try again in a moment."
        else:
            self.pdf_result.value = "Readiness summary ready"
        self.pdf_result.visible = True
        self.summary_actions.visible = self.summary_document is not None
        self.summary_actions.refresh()
        self.update()

    def on_sync_status(self, status: SyncStatus) -> None:
        """Called by the sync engine: another device's changes may have arrived."""
        self.screen.reload()
        self.refresh(status=status)

    # -- rendering ------------------------------------------------------------------------------------------

    def refresh(self, *, status: SyncStatus | None = None, update: bool = True) -> None:
        screen = self.screen
        self.title.value = screen.home_name
        self.address.value = screen.home_line
        self.band.value = screen.band_text
        self.band.color = BAND_COLOURS[screen.band.value]
        self._render_tabs()
        self.body.controls = [{"checklist": self.checklist_section, "wifi": self.wifi_section,
                               "maturity": self.maturity_section, "nhsmail": self.nhsmail_section}[self.section]]
        for row in screen.checklist_rows:
            self.check_values[row.item].value = row.value
            self.check_changed[row.item].value = row.changed
            icon = self.check_icons[row.item]
            icon.icon = ft.Icons.CHECK_CIRCLE if row.done else ft.Icons.RADIO_BUTTON_UNCHECKED
            icon.color = ft.Colors.GREEN_700 if row.done else ft.Colors.OUTLINE
        # WiFi
        self.wifi_summary.value = screen.wifi_text
        self.wifi_rows.show(screen.wifi_rows, lambda r: ft.Container(ft.Column([
                ft.Row([ft.Text(r.location, weight=ft.FontWeight.W_600, expand=True),
                        ft.Text(r.coverage, color=COVERAGE_COLOURS.get(r.coverage), weight=ft.FontWeight.W_600)]),
                ft.Text(f"{r.area} - {r.detail}", size=12, color=ft.Colors.ON_SURFACE_VARIANT),
            ], spacing=2), padding=10, border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT), border_radius=8))
        # Maturity
        self.maturity_band.value = screen.band.label
        self.maturity_band.color = BAND_COLOURS[screen.band.value]
        self.next_band.value = screen.next_band_text
        self.missing.show(screen.what_next, lambda m: ft.Row([ft.Icon(ft.Icons.ARROW_RIGHT, size=20),
                    ft.Column([ft.Text(m.label, weight=ft.FontWeight.W_600, size=14),
                               ft.Text(m.reason, size=13, color=ft.Colors.ON_SURFACE_VARIANT)],
                              spacing=2, expand=True)], vertical_alignment=ft.CrossAxisAlignment.START))
        # NHSmail
        self.nhsmail_step.value = screen.nhsmail_step_text
        self.nhsmail_changed.value = screen.nhsmail_changed
        blocked = screen.nhsmail_blocked
        self.nhsmail_what.value = screen.nhsmail_what_to_do
        self.what_box.bgcolor = ft.Colors.RED_50 if blocked else ft.Colors.BLUE_50
        self.what_box.border = ft.Border.all(1, ft.Colors.RED_300 if blocked else ft.Colors.BLUE_200)
        self._render_step_form()
        self.deadlines.show(screen.login_deadlines, lambda line: ft.Text(line, size=13))
        self.chart.show(screen.flow_chart)
        # Bottom lines
        self.message.value = screen.message or ""
        self.message.color = message_colour(screen.message_is_error)
        self.sync_status.value = sync_line(status or self.engine.status, self._now())
        if update:
            self.update()
