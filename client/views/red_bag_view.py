"""The digital red bag screens: the residents, adding one, and one resident's red bag (transfer and return).

Thin: ``client.state.red_bag`` holds the rules; these views render it and
forward taps. Designed for a phone and for speed when a resident is unwell:
"Start transfer" opens the transfer with the reason field focused and the
observations pre-filled from the resident's usual values; "Send to hospital"
stays at the bottom, in reach of a thumb.

Semantics identifiers the tests use: ``red-bag-back``, ``resident-list``,
``resident-<id>``, ``add-resident``; ``new-given``, ``new-family``,
``new-dob``, ``new-nhs``, ``new-allergies``, ``new-nka``, ``new-dnacpr``,
``baseline-<obs>``, ``new-save``, ``new-back``, ``new-message``, ``new-add-medicine``,
``medicine-<n>-name`` / ``-dose`` / ``-route`` / ``-frequency`` / ``-remove``, ``new-about-<part>``,
``new-kin-*``, ``new-gp-*``, ``new-respect``, ``new-conditions``; ``resident-about`` (with ``edit-resident``);
``resident-back``, ``resident-name``, ``resident-dnacpr``,
``resident-allergies``, ``start-transfer``, ``transfer-reason``,
``obs-<obs>`` (with ``-minus`` / ``-plus``), ``obs-consciousness``,
``obs-not-taken``, ``obs-not-taken-reason``, ``transfer-hospital``, ``belongings`` (``belonging-<item>``),
``news2``, ``send-to-hospital``, ``transfer-pack`` (with ``transfer-pack-open`` / ``-download`` / ``-share``,
``transfer-pack-preview``, ``transfer-fhir-open`` / ``-download`` / ``-share``), ``in-hospital``,
``discharge-summary``, ``missing-<item>``, ``record-return``,
``red-bag-message``, ``sync-status``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import flet as ft

from client.state.bed_state import sync_line
from client.state.red_bag import OBSERVATION_FIELDS, ResidentList, ResidentRow, ResidentScreen
from client.state.resident_form import ROUTE_OPTIONS
from client.store import Document
from client.sync import SyncEngine, SyncStatus
from client.views.conflicts_view import ConflictNotice
from client.views.document_actions import DocumentActions
from client.views.theme import urgent_button_style
from client.views.widgets import (
    SteadyList,
    announced,
    back_header,
    checkbox,
    heading,
    hide_semantics_of_hidden,
    identified,
    message_colour,
    named_icon,
    own_name,
    screen_title,
    switch,
    sync_status_row,
)
from domain.residents import Dnacpr
from domain.transfer import SOFT_SIGN_LABELS, BelongingItem

log = logging.getLogger(__name__)
Now = Callable[[], datetime]
OpenDocument = Callable[[Document], Awaitable[None]]


# --- the residents ------------------------------------------------------------------------------------------


class ResidentListView(ft.Column):
    def __init__(self, residents: ResidentList, engine: SyncEngine, *, on_open: Callable[[str], None],
                 on_add: Callable[[], None], on_back: Callable[[], None] | None = None,
                 conflict_notice: ConflictNotice | None = None,
                 now: Now = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__(spacing=8, expand=True)
        self.residents, self.engine, self.on_open, self._now = residents, engine, on_open, now
        self.conflict_notice = conflict_notice
        self.summary = ft.Text("", size=14, color=ft.Colors.ON_SURFACE_VARIANT)
        self.list = SteadyList(spacing=8)
        self.sync_status = ft.Text("", size=13)
        self.controls = [
            back_header("red-bag-back", on_back, screen_title("Red bag: residents"), "bed state"),
            # The notice and the list scroll together between the pinned header and Add resident: at 200% text on a
            # phone a pinned notice left the list no room and pushed Add resident off the screen.
            ft.Column([*([conflict_notice] if conflict_notice is not None else []),
                       identified("resident-summary", self.summary), identified("resident-list", self.list)],
                      spacing=8, scroll=ft.ScrollMode.AUTO, expand=True),
            identified("add-resident", ft.FilledButton("Add resident", icon=ft.Icons.PERSON_ADD,
                                                       on_click=lambda e: on_add())),
            sync_status_row(self.sync_status),
        ]
        self.refresh(update=False)

    def refresh(self, *, status: SyncStatus | None = None, update: bool = True) -> None:
        self.summary.value = self.residents.summary
        if self.conflict_notice is not None:
            self.conflict_notice.refresh()
        self.list.show(self.residents.rows, self._tile, "No residents yet: add one, or wait for the first sync.")
        self.sync_status.value = sync_line(status or self.engine.status, self._now())
        if update:
            self.update()

    def _tile(self, row: ResidentRow) -> ft.Control:
        colour = ft.Colors.RED_800 if row.in_hospital else ft.Colors.ON_SURFACE_VARIANT
        return identified(f"resident-{row.resident_id}", ft.Container(
            ft.ListTile(
                leading=ft.Icon(ft.Icons.LOCAL_HOSPITAL if row.in_hospital else ft.Icons.PERSON, color=colour),
                title=ft.Text(row.name, weight=ft.FontWeight.W_600),
                subtitle=ft.Column([ft.Text(row.line, size=12),
                                    ft.Text(row.status, size=13, color=colour,
                                            weight=ft.FontWeight.W_600 if row.in_hospital else None)],
                                   spacing=2),
                trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                on_click=lambda e, rid=row.resident_id: self.on_open(rid),
            ),
            border=ft.Border.all(1, ft.Colors.RED_300 if row.in_hospital else ft.Colors.OUTLINE_VARIANT),
            border_radius=8,
        ))

    def on_sync_status(self, status: SyncStatus) -> None:
        self.residents.reload()
        self.refresh(status=status)


# --- a new resident -----------------------------------------------------------------------------------------


class AddResidentView(ft.Column):
    """The resident form, new (``screen.resident`` None) or edited: everything the red bag carries."""

    def __init__(self, screen: ResidentScreen, engine: SyncEngine, *, on_saved: Callable[[str], None],
                 on_back: Callable[[], None] | None = None, now: Now = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__(spacing=8, expand=True)
        self.screen, self.engine, self.on_saved, self._now = screen, engine, on_saved, now
        self.form = form = screen.form()
        editing = screen.resident is not None

        def text(identifier: str, label: str, attr: str, **options: Any) -> ft.Control:
            return identified(identifier, ft.TextField(
                label=label, value=getattr(form, attr),
                on_change=lambda e: setattr(form, attr, e.control.value or ""), **options))

        def tick(identifier: str, label: str, attr: str) -> ft.Control:
            return identified(identifier, checkbox(
                label=label, value=getattr(form, attr),
                on_change=lambda e: setattr(form, attr, bool(e.control.value))))

        def about(name: str, label: str) -> ft.Control:
            return identified(f"new-about-{name}", ft.TextField(
                label=label, value=form.about[name], multiline=True, min_lines=1, max_lines=4,
                on_change=lambda e: form.about.__setitem__(name, e.control.value or "")))

        def baseline(name: str, label: str, unit: str) -> ft.Control:
            return identified(f"baseline-{name}", ft.TextField(
                label=f"{label} ({unit})", value=form.baseline[name], width=170,
                keyboard_type=ft.KeyboardType.NUMBER,
                on_change=lambda e: form.baseline.__setitem__(name, e.control.value or "")))

        self.medicines = ft.Column(spacing=8)
        self.message = ft.Text("", size=14, color=ft.Colors.ERROR)
        self.sync_status = ft.Text("", size=13)
        self.controls = [
            back_header("new-back", on_back, screen_title("Edit resident" if editing else "Add resident"),
                        "resident" if editing else "residents"),
            ft.Column([
                text("new-given", "Given name", "given_name", autofocus=not editing),
                text("new-family", "Family name", "family_name"),
                text("new-dob", "Date of birth (DD/MM/YYYY)", "date_of_birth",
                     keyboard_type=ft.KeyboardType.DATETIME),
                text("new-nhs", "NHS number", "nhs_number", keyboard_type=ft.KeyboardType.NUMBER),
                heading("Allergies (required)"),
                text("new-allergies", "Allergies (comma-separated)", "allergies"),
                tick("new-nka", "No known allergies", "no_known_allergies"),
                heading("Resuscitation"),
                identified("new-dnacpr", ft.Dropdown(
                    label="DNACPR", value=form.dnacpr,
                    options=[ft.DropdownOption(key=d.value, text=d.label) for d in Dnacpr],
                    on_select=lambda e: setattr(form, "dnacpr", e.control.value or Dnacpr.UNKNOWN.value))),
                tick("new-respect", "Has a ReSPECT form", "respect_form"),
                text("new-respect-summary", "What the ReSPECT form recommends", "respect_summary"),
                heading("Medicines (as on the MAR chart)"),
                self.medicines,
                identified("new-add-medicine", ft.OutlinedButton("Add a medicine", icon=ft.Icons.ADD,
                                                                 on_click=self._add_medicine)),
                heading("Conditions"),
                text("new-conditions", "Conditions (comma-separated)", "conditions"),
                heading("About me"),
                *[about(name, label) for name, label in form.about_labels.items()],
                heading("Next of kin"),
                text("new-kin-name", "Name", "kin_name"),
                text("new-kin-relationship", "Relationship (e.g. Daughter)", "kin_relationship"),
                text("new-kin-phone", "Phone", "kin_phone", keyboard_type=ft.KeyboardType.PHONE),
                heading("GP practice"),
                text("new-gp-name", "GP practice", "gp_name"),
                text("new-gp-ods", "Practice code (if known)", "gp_ods"),
                heading("Usual observations when well"),
                ft.Row([baseline(name, label, unit) for name, label, unit, _ in OBSERVATION_FIELDS], wrap=True),
            ], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True),
            announced("new-message", self.message),
            identified("new-save", ft.FilledButton("Save resident", icon=ft.Icons.SAVE,
                                                   on_click=self._save)),
            sync_status_row(self.sync_status),
        ]
        self._show_medicines()
        self.sync_status.value = sync_line(engine.status, now())

    def _show_medicines(self) -> None:
        rows = []
        for index, line in enumerate(self.form.medicines):
            def typed(part: str, index: int = index) -> Callable[[ft.Event], None]:
                return lambda e: self.form.set_medicine(index, part, e.control.value or "")

            rows.append(ft.Column([
                ft.Row([
                    ft.Container(identified(f"medicine-{index}-name", ft.TextField(
                        label="Medicine", value=line.name, on_change=typed("name"))), expand=True),
                    identified(f"medicine-{index}-remove", ft.IconButton(
                        ft.Icons.DELETE_OUTLINE, on_click=lambda e, index=index: self._remove_medicine(index)),
                        f"Remove medicine {index + 1}"),
                ]),
                ft.Row([
                    identified(f"medicine-{index}-dose", ft.TextField(
                        label="Dose", value=line.dose, width=120, on_change=typed("dose"))),
                    identified(f"medicine-{index}-route", ft.Dropdown(
                        label="Route", value=line.route, width=170,
                        options=[ft.DropdownOption(key=k, text=t) for k, t in ROUTE_OPTIONS],
                        on_select=typed("route"))),
                    identified(f"medicine-{index}-frequency", ft.TextField(
                        label="How often", value=line.frequency, width=200,
                        on_change=typed("frequency"))),
                ], wrap=True),
            ], spacing=4))
        self.medicines.controls = rows

    def _add_medicine(self, e: ft.Event) -> None:
        self.form.add_medicine()
        self._show_medicines()
        self.update()

    def _remove_medicine(self, index: int) -> None:
        self.form.remove_medicine(index)
        self._show_medicines()
        self.update()

    def _save(self, e: ft.Event) -> None:
        problem = self.screen.save_resident(self.form)
        if problem:
            self.message.value = problem
            self.update()
            return
        assert self.screen.resident_id is not None
        self.on_saved(self.screen.resident_id)

    def on_sync_status(self, status: SyncStatus) -> None:
        self.sync_status.value = sync_line(status, self._now())
        self.update()


# --- one resident's red bag ---------------------------------------------------------------------------------


class ObservationRow(ft.ResponsiveRow):
    """One observation: label, -, the value (typed or stepped), +; the label above them on a phone (at 200% text
    a label squeezed beside them would split mid-word)."""

    def __init__(self, view: "ResidentView", name: str, label: str, unit: str) -> None:
        super().__init__(vertical_alignment=ft.CrossAxisAlignment.CENTER, spacing=4, run_spacing=2)
        self.view, self.name = view, name
        self.field = ft.TextField(value=view.screen.obs_text[name], width=88,
                                  text_align=ft.TextAlign.CENTER, keyboard_type=ft.KeyboardType.NUMBER,
                                  on_change=self._typed)
        self.controls = [
            ft.Container(ft.Text(f"{label} ({unit})", size=14), col={"xs": 12, "sm": 5},
                         alignment=ft.Alignment.CENTER_LEFT),
            ft.Row([
                identified(f"obs-{name}-minus", ft.IconButton(named_icon(ft.Icons.REMOVE, f"Lower {label}"),
                                                              on_click=lambda e: self._step(-1))),
                identified(f"obs-{name}", own_name(label, self.field), label),
                identified(f"obs-{name}-plus", ft.IconButton(named_icon(ft.Icons.ADD, f"Raise {label}"),
                                                             on_click=lambda e: self._step(1))),
            ], col={"xs": 12, "sm": 7}, spacing=4, alignment=ft.MainAxisAlignment.END,
                vertical_alignment=ft.CrossAxisAlignment.CENTER),
        ]

    def _typed(self, e: ft.Event) -> None:
        self.view.screen.set_obs(self.name, self.field.value or "")
        self.view.refresh_news2()

    def _step(self, direction: int) -> None:
        self.view.screen.step_obs(self.name, direction)
        self.field.value = self.view.screen.obs_text[self.name]
        self.view.refresh_news2()

    def show_error(self, message: str | None) -> None:
        self.field.error = message


class ResidentView(ft.Column):
    def __init__(self, screen: ResidentScreen, engine: SyncEngine, *, on_back: Callable[[], None] | None = None,
                 open_document: OpenDocument | None = None, on_edit: Callable[[], None] | None = None,
                 now: Now = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__(spacing=8, expand=True)
        self.screen, self.engine, self._now = screen, engine, now
        self._open_document = open_document
        self.transfer_open = False
        self.title = screen_title()
        self.dnacpr = ft.Text("", size=16, weight=ft.FontWeight.BOLD)
        self.dnacpr_box = ft.Container(identified("resident-dnacpr", self.dnacpr), padding=10, border_radius=8)
        self.allergies = ft.Text("", size=15, weight=ft.FontWeight.W_600)
        self.summary = SteadyList(spacing=2)
        self.body = ft.Column(spacing=10)
        self.pack = ft.Text("", size=14, weight=ft.FontWeight.W_600, color=ft.Colors.GREEN_900)
        # The pack is handed over, never shown as a path: Open / Download / Share as the mode offers.
        documents = lambda: self.screen.documents  # noqa: E731
        self.pack_actions = DocumentActions("transfer-pack", "transfer pack",
                                            lambda: documents() and documents().pack, open_document, preview=True)
        self.fhir_actions = DocumentActions("transfer-fhir", "FHIR file", lambda: documents() and documents().fhir,
                                            open_document)
        self.pack_box = ft.Container(ft.Column([
            identified("transfer-pack", self.pack), self.pack_actions, self.fhir_actions,
        ], spacing=6), padding=10, border_radius=8, bgcolor=ft.Colors.GREEN_50, visible=False)
        self.message = ft.Text("", size=14)
        self.action = ft.Container()
        self.sync_status = ft.Text("", size=13)
        self.obs_rows: dict[str, ObservationRow] = {}
        self.news2 = ft.Text("", size=15, weight=ft.FontWeight.BOLD)
        self._mode: str | None = None
        self.controls = [
            back_header("resident-back", on_back, identified("resident-name", self.title), "residents"),
            ft.Column([
                self.dnacpr_box,
                ft.Row([ft.Icon(ft.Icons.WARNING_AMBER, color=ft.Colors.RED_800, size=20),
                        ft.Container(identified("resident-allergies", self.allergies), expand=True)]),
                self.pack_box,
                self.body,
                identified("resident-about", ft.ExpansionTile(title="About the resident", controls=[
                    self.summary,
                    *([identified("edit-resident", ft.OutlinedButton("Edit resident", icon=ft.Icons.EDIT,
                                                                     on_click=lambda e: on_edit()))]
                      if on_edit is not None else []),
                ], controls_padding=12, expanded=False)),
            ], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True),
            announced("red-bag-message", self.message),
            self.action,
            sync_status_row(self.sync_status),
        ]
        self.refresh(update=False)

    # -- building the parts ----------------------------------------------------------------------------------

    def _build_start(self) -> None:
        self.body.controls = [ft.Text("If the resident is unwell: start the transfer, write why, check the "
                                      "observations, send.", size=13, color=ft.Colors.ON_SURFACE_VARIANT)]
        self.action.content = identified("start-transfer", ft.FilledButton(
            "Start transfer", icon=ft.Icons.LOCAL_HOSPITAL, width=10_000, on_click=self._open_transfer,
            style=urgent_button_style()))

    def _build_transfer(self) -> None:
        s = self.screen
        self.reason = ft.TextField(label="Reason for transfer", autofocus=True, multiline=True, min_lines=1,
                                   max_lines=4, value=s.reason, on_change=self._reason_typed)
        self.news2 = ft.Text("", size=15, weight=ft.FontWeight.BOLD)
        self.obs_rows = {name: ObservationRow(self, name, label, unit) for name, label, unit, _ in OBSERVATION_FIELDS}
        self.consciousness = ft.Dropdown(label="Consciousness (ACVPU)", value=s.consciousness.value,
                                         options=[ft.DropdownOption(key=k, text=t) for k, t in
                                                  s.consciousness_options],
                                         on_select=self._consciousness)
        self.oxygen = switch(label="On oxygen", value=s.on_oxygen, on_change=self._oxygen)
        self.not_taken = checkbox(label="Observations not taken", value=s.obs_not_taken,
                                     on_change=self._not_taken)
        self.not_taken_reason = ft.TextField(label="Why not taken (e.g. ambulance waiting)",
                                             value=s.obs_not_taken_reason,
                                             on_change=self._not_taken_typed)
        # Hidden as a whole: a Semantics around a hidden field draws Flutter's red error box instead.
        self.not_taken_reason_box = identified("obs-not-taken-reason", self.not_taken_reason)
        self.not_taken_reason_box.visible = s.obs_not_taken
        self.consciousness_box = identified("obs-consciousness", self.consciousness)
        signs = [checkbox(label=label, value=sign in s.soft_signs,
                             on_change=lambda e, sign=sign: self._toggle_sign(sign))
                 for sign, label in SOFT_SIGN_LABELS.items()]
        # Chosen from the list; typing in the box filters it (no ODS code to remember).
        self.hospital = ft.Dropdown(label="Hospital", value=s.hospital_name, enable_filter=True, editable=True,
                                    enable_search=True, width=10_000,
                                    options=[ft.DropdownOption(key=h.name, text=h.name) for h in s.hospital_choices],
                                    on_select=self._hospital)
        self.hospital_tile = ft.ExpansionTile(title=f"Hospital: {s.hospital_name}",
                                              controls=[identified("transfer-hospital", self.hospital)],
                                              controls_padding=8)
        belongings = [identified(f"belonging-{item.value}", checkbox(
            label=item.label, value=s.belongings[item],
            on_change=lambda e, item=item: self._belonging(item, e.control.value))) for item in BelongingItem]
        self.body.controls = [
            heading("Transfer to hospital"),
            identified("transfer-reason", self.reason),
            identified("news2", self.news2),
            identified("obs-not-taken", self.not_taken),
            self.not_taken_reason_box,
            *self.obs_rows.values(),
            self.consciousness_box,
            self.oxygen,
            ft.ExpansionTile(title="Soft signs (RESTORE2)", controls=signs, controls_padding=8),
            self.hospital_tile,
            identified("belongings", ft.ExpansionTile(title="Belongings in the bag (tick what is packed)",
                                                      controls=belongings, controls_padding=8)),
        ]
        self.action.content = identified("send-to-hospital", ft.FilledButton(
            "Send to hospital", icon=ft.Icons.SEND, width=10_000, on_click=self._send,
            style=urgent_button_style()))
        self.refresh_news2(update=False)

    def _build_return(self) -> None:
        s = self.screen
        self.hospital_line = ft.Text(s.hospital_text, size=15, weight=ft.FontWeight.W_600,
                                     color=ft.Colors.RED_900)
        self.news2 = ft.Text(s.transfer_news2_text, size=15, weight=ft.FontWeight.BOLD, color=ft.Colors.RED_900)
        self.discharge = ft.TextField(label="Discharge summary", multiline=True, min_lines=2, max_lines=8)
        self.missing = {item: checkbox(label=item.label, value=False) for item in s.returnable_items}
        self.body.controls = [
            ft.Container(identified("in-hospital", self.hospital_line), bgcolor=ft.Colors.RED_50, padding=10,
                         border_radius=8, border=ft.Border.all(1, ft.Colors.RED_300)),
            identified("news2", self.news2),
            identified("transfer-pack-again", ft.OutlinedButton("Transfer pack PDF", icon=ft.Icons.PICTURE_AS_PDF,
                                                                on_click=self._pack_again)),
            heading("Returned"),
            identified("discharge-summary", self.discharge),
            ft.Text("Belongings that did not come back:", size=14),
            *[identified(f"missing-{item.value}", box) for item, box in self.missing.items()],
        ]
        self.action.content = identified("record-return", ft.FilledButton(
            "Back home: record return", icon=ft.Icons.HOME, width=10_000, on_click=self._returned))

    # -- rendering -----------------------------------------------------------------------------------------

    def refresh(self, *, status: SyncStatus | None = None, update: bool = True) -> None:
        s = self.screen
        self.title.value = s.title
        self.dnacpr.value = s.dnacpr_text
        self.dnacpr_box.bgcolor = ft.Colors.RED_100 if s.dnacpr_in_place else ft.Colors.SURFACE_CONTAINER_HIGHEST
        self.dnacpr.color = ft.Colors.RED_900 if s.dnacpr_in_place else None
        self.allergies.value = f"Allergies: {s.allergies_text}"
        self.summary.show(s.summary_lines, lambda line: ft.Text(spans=[
            ft.TextSpan(f"{line[0]}: ", ft.TextStyle(weight=ft.FontWeight.BOLD)), ft.TextSpan(line[1])], size=14))
        mode = "return" if s.in_hospital else ("transfer" if self.transfer_open else "start")
        if mode != self._mode:
            self._mode = mode
            {"return": self._build_return, "transfer": self._build_transfer, "start": self._build_start}[mode]()
        elif mode == "return":
            self.hospital_line.value = s.hospital_text
            self.news2.value = s.transfer_news2_text
        self.pack.value = "Transfer pack ready" if s.documents else ""
        self.pack_box.visible = s.documents is not None
        self.pack_actions.refresh()
        # The pack line is shown once, at the top; the line above the button is for everything else.
        self.message.value = "" if s.documents and s.message == self.pack.value else (s.message or "")
        # Belongings missing on return are a warning (amber), not a green "done".
        self.message.color = ft.Colors.ORANGE_900 if s.message_is_warning else message_colour(s.message_is_error)
        self.sync_status.value = sync_line(status or self.engine.status, self._now())
        if update:
            self.update()

    def refresh_news2(self, *, update: bool = True) -> None:
        score = self.screen.news2
        self.news2.value = self.screen.news2_text
        self.news2.color = (ft.Colors.ON_SURFACE_VARIANT if score is None else
                            {"low": ft.Colors.GREEN_800, "low_medium": ft.Colors.AMBER_900,
                             "medium": ft.Colors.ORANGE_900, "high": ft.Colors.RED_900}[score.risk.value])
        errors = self.screen.obs_errors
        for name, row in self.obs_rows.items():
            row.show_error(errors.get(name))
        hide_semantics_of_hidden(self.body)
        if update:
            self.update()

    def on_sync_status(self, status: SyncStatus) -> None:
        self.screen.reload()
        self.refresh(status=status)

    # -- events ----------------------------------------------------------------------------------------------

    def _open_transfer(self, e: ft.Event) -> None:
        self.transfer_open = True
        self.screen.message = None
        self.refresh()

    def _reason_typed(self, e: ft.Event) -> None:
        self.screen.reason = self.reason.value or ""

    def _consciousness(self, e: ft.Event) -> None:
        if self.consciousness.value:
            self.screen.set_consciousness(self.consciousness.value)
        self.refresh_news2()

    def _oxygen(self, e: ft.Event) -> None:
        self.screen.on_oxygen = bool(self.oxygen.value)
        self.refresh_news2()

    def _toggle_sign(self, sign: Any) -> None:
        self.screen.toggle_soft_sign(sign)

    def _hospital(self, e: ft.Event) -> None:
        if self.hospital.value:
            self.screen.choose_hospital(self.hospital.value)
        self.hospital_tile.title = f"Hospital: {self.screen.hospital_name}"
        self.hospital_tile.update()

    async def _not_taken(self, e: ft.Event) -> None:
        self.screen.set_obs_not_taken(bool(self.not_taken.value))
        self.not_taken_reason_box.visible = self.screen.obs_not_taken
        for control in (*self.obs_rows.values(), self.consciousness_box, self.oxygen):
            control.visible = not self.screen.obs_not_taken
        self.refresh_news2()
        if self.screen.obs_not_taken:
            await self.not_taken_reason.focus()  # the next thing to write

    def _not_taken_typed(self, e: ft.Event) -> None:
        self.screen.set_obs_not_taken(True, self.not_taken_reason.value or "")

    def _belonging(self, item: BelongingItem, sent: Any) -> None:
        self.screen.set_belonging(item, bool(sent))

    def _send(self, e: ft.Event) -> None:
        self.screen.reason = self.reason.value or self.screen.reason
        if self.screen.obs_not_taken:
            self.screen.set_obs_not_taken(True, self.not_taken_reason.value or "")
        self.screen.start_transfer()
        if self.screen.in_hospital:
            self.transfer_open = False
        self.refresh()

    def _pack_again(self, e: ft.Event) -> None:
        try:
            self.screen.make_transfer_pack()
        except Exception:  # noqa: BLE001 - shown, the screen carries on
            log.exception("the transfer pack could not be made again")
            self.screen.message, self.screen.message_is_error = "The transfer pack PDF could not be made: try again", True
        else:
            self.screen.message, self.screen.message_is_error = "", False
        self.refresh()

    def _returned(self, e: ft.Event) -> None:
        missing = [item for item, box in self.missing.items() if box.value]
        self.screen.record_return(self.discharge.value or "", missing)
        self.refresh()
