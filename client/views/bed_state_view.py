"""The bed state screen: -/+ per count, Save, "No change - confirm", and where the changes are.

Every control that tests drive carries a semantics identifier:
``bed-<category>-<field>-plus`` / ``-minus`` / ``-value``, ``bed-save``,
``bed-confirm``, ``sync-status`` (with an icon and colour for sent, sending, waiting, not applied),
``save-mine-<copy id>`` (a lost bed change saved again), ``confirmed-line``, ``updated-by`` (when a supplier's system sent the
bed state), ``open-readiness`` (when
``on_readiness`` is given), ``open-red-bag`` (when ``on_red_bag`` is given),
``open-settings`` (when ``on_settings`` is given: managers), ``open-alerts`` (when ``on_alerts`` is given),
``alert-banner`` (the ``alert_banner`` control, on top: an urgent alert unread), ``collection-banner`` (the
monthly collection's reminder, from the 8th until the home has confirmed that month), ``deregistered-notice``
(while the home is out of the CQC register); "Last 30 days" below (``history``); the folded
workforce section (``workforce``, opened by a tap) with ``workforce-<field>-value`` / ``-error``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

import flet as ft

from client.state.bed_state import BedStateScreen, CategoryDraft
from client.state.sync_status import SyncLook, sync_details
from client.sync import SyncEngine, SyncStatus
from client.views.sign_out_box import SignOutBox
from client.views.theme import BIG_BUTTON, BIG_OUTLINED_BUTTON, icon_button_style, outline_with_focus
from client.views.widgets import (
    SteadyList,
    announced,
    identified,
    message_colour,
    named_icon,
    nav_bar,
    nav_button,
    own_name,
    switch,
    sync_now_button,
    sync_status_row,
)
from domain.beds import COUNT_FIELDS, COUNT_LABELS, ClosureReason
from domain.freshness import Freshness
from domain.workforce import WORKFORCE_FIELDS, WORKFORCE_LABELS

# Where the changes are, at a glance (not only in words): sent, sending, waiting for the network, or look here.
SYNC_LOOKS = {
    SyncLook.SENT: (ft.Icons.CLOUD_DONE, ft.Colors.GREEN_800),
    SyncLook.SENDING: (ft.Icons.CLOUD_UPLOAD, ft.Colors.BLUE_800),
    SyncLook.WAITING: (ft.Icons.CLOUD_OFF, ft.Colors.DEEP_ORANGE_900),
    SyncLook.ATTENTION: (ft.Icons.ERROR_OUTLINE, ft.Colors.RED_800),
}

FRESHNESS_COLOURS = {
    Freshness.FRESH: ft.Colors.GREEN_800,
    Freshness.AGEING: ft.Colors.AMBER_900,
    Freshness.STALE: ft.Colors.RED_800,
    Freshness.NEVER: ft.Colors.RED_800,
}


# What each count is, as a screen reader says it on the -/+ buttons and the field ("Fewer occupied beds, Nursing").
COUNT_NOUNS: dict[str, str] = {
    "max_capacity": "beds in maximum capacity",
    "occupied": "occupied beds",
    "vacant_reserved": "vacant reserved beds",
    "vacant_accepting": "vacant beds accepting admissions",
}


# Of a 12-column row: the label's and the -/+ stepper's share (all of it each, one above the other, below 576 px).
COUNT_LABEL_COLUMNS = {"xs": 12, "sm": 5}
COUNT_STEPPER_COLUMNS = {"xs": 12, "sm": 7}


class CountRow(ft.Column):
    """One count (e.g. Occupied) of one category: label, -, the number, +."""

    def __init__(self, view: "BedStateView", draft: CategoryDraft, name: str) -> None:
        super().__init__(spacing=0)
        self.view, self.draft, self.name = view, draft, name
        prefix = f"bed-{draft.category.value}-{name}"
        label = COUNT_LABELS[name]
        noun = COUNT_NOUNS[name]
        self.value = ft.TextField(
            value=draft.display(name), width=72, text_align=ft.TextAlign.CENTER,
            keyboard_type=ft.KeyboardType.NUMBER, on_change=self._typed, label=None,
        )
        self.error = ft.Text("", color=ft.Colors.ERROR, size=13)
        self.error_semantics = ft.Semantics(identifier=f"{prefix}-error", container=True, live_region=True,
                                            content=self.error, visible=False)
        # The number is also the semantics value, so screen readers (and tests) read it.
        # The group's label (with the number) is what tests read; the field itself has its own name.
        self.value_semantics = identified(f"{prefix}-value", own_name(f"{noun.capitalize()}, {draft.label}",
                                                                      self.value), f"{draft.label} {label}")
        stepper = icon_button_style(shape=ft.CircleBorder(), side=outline_with_focus(ft.Colors.OUTLINE))
        minus = ft.IconButton(named_icon(ft.Icons.REMOVE, f"Fewer {noun}, {draft.label}"), on_click=self._minus,
                              icon_size=28, style=stepper)
        plus = ft.IconButton(named_icon(ft.Icons.ADD, f"More {noun}, {draft.label}"), on_click=self._plus,
                             icon_size=28, style=stepper)
        self.controls = [
            # Label beside the -/+ where there is room (tablet, desktop), above them on a phone: at 200% text a
            # label squeezed beside them would split mid-word.
            ft.ResponsiveRow(
                [
                    ft.Container(ft.Text(label, size=15), col=COUNT_LABEL_COLUMNS, alignment=ft.Alignment.CENTER_LEFT),
                    ft.Row([identified(f"{prefix}-minus", minus), self.value_semantics,
                            identified(f"{prefix}-plus", plus)], col=COUNT_STEPPER_COLUMNS,
                           alignment=ft.MainAxisAlignment.END, vertical_alignment=ft.CrossAxisAlignment.CENTER),
                ],
                vertical_alignment=ft.CrossAxisAlignment.CENTER, run_spacing=2,
            ),
            self.error_semantics,
        ]

    def refresh(self, *, keep_text: bool = False) -> None:
        if not keep_text:
            self.value.value = self.draft.display(self.name)
        self.value_semantics.value = self.draft.display(self.name)
        message = self.draft.errors.get(self.name)
        self.error.value = message or ""
        self.error_semantics.visible = bool(message)
        self.value.error = None

    def _minus(self, e: ft.Event) -> None:
        self.view.screen.decrement(self.draft.category, self.name)
        self.view.refresh()

    def _plus(self, e: ft.Event) -> None:
        self.view.screen.increment(self.draft.category, self.name)
        self.view.refresh()

    def _typed(self, e: ft.Event) -> None:
        self.view.screen.set_text(self.draft.category, self.name, self.value.value or "")
        self.view.refresh(typing=self)


class WorkforceSection(ft.ExpansionTile):
    """The optional workforce headcounts, folded until opened (a bed-only update never needs it)."""

    def __init__(self, view: "BedStateView") -> None:
        self.view = view
        self.fields: dict[str, ft.TextField] = {}
        self.errors: dict[str, ft.Text] = {}
        self.error_semantics: dict[str, ft.Semantics] = {}
        rows = []
        for name in WORKFORCE_FIELDS:
            box = ft.TextField(value="", width=96, text_align=ft.TextAlign.CENTER,
                               keyboard_type=ft.KeyboardType.NUMBER, on_change=self._typed(name))
            error = ft.Text("", color=ft.Colors.ERROR, size=13)
            # Hidden by its Semantics wrapper (a Semantics must hold a visible control), as CountRow does.
            shown = ft.Semantics(identifier=f"workforce-{name}-error", container=True, live_region=True,
                                 content=error, visible=False)
            self.fields[name], self.errors[name], self.error_semantics[name] = box, error, shown
            rows.append(ft.Column([
                ft.Row([ft.Text(WORKFORCE_LABELS[name], expand=True, size=15),
                        identified(f"workforce-{name}-value", own_name(WORKFORCE_LABELS[name], box),
                                   WORKFORCE_LABELS[name])]),
                shown,
            ], spacing=0))
        super().__init__(title="Workforce (optional)", subtitle="", controls=rows, controls_padding=12,
                         expanded=view.screen.workforce.open, on_change=self._toggled)

    def _typed(self, name: str):
        def typed(e: ft.Event) -> None:
            self.view.screen.set_workforce(name, self.fields[name].value or "")
            self.view.refresh(typing_workforce=name)
        return typed

    def _toggled(self, e: ft.Event) -> None:
        self.view.screen.open_workforce(str(e.data).lower() == "true")

    def refresh(self, typing: str | None = None) -> None:
        draft = self.view.screen.workforce
        self.subtitle = draft.summary
        self.expanded = draft.open
        for name in WORKFORCE_FIELDS:
            if name != typing:
                self.fields[name].value = draft.display(name)
            message = draft.errors.get(name)
            self.errors[name].value = message or ""
            self.error_semantics[name].visible = bool(message)


class BedStateView(ft.Column):
    def __init__(self, screen: BedStateScreen, engine: SyncEngine, *, account_line: str,
                 on_sign_in_again: Callable[[], None] | None = None,
                 on_sign_out: Callable[[bool], Awaitable[None]] | None = None,
                 staff_panel: ft.Control | None = None,
                 on_readiness: Callable[[], None] | None = None,
                 on_red_bag: Callable[[], None] | None = None,
                 on_settings: Callable[[], None] | None = None,
                 on_alerts: Callable[[], None] | None = None,
                 alert_banner: ft.Control | None = None,
                 history: ft.Control | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__(spacing=8, expand=True)
        self.screen, self.engine, self._now = screen, engine, now
        self.on_sign_in_again = on_sign_in_again
        self.on_sign_out = on_sign_out
        self.unsent_box = SignOutBox(on_sign_out)
        # Its own control above the form: it reloads on each sync and never takes part in the bed update.
        self.alert_banner = alert_banner
        self.rows: list[CountRow] = []
        self.title = ft.Text("", theme_style=ft.TextThemeStyle.HEADLINE_SMALL, weight=ft.FontWeight.BOLD)
        self.address = ft.Text("", size=13, color=ft.Colors.ON_SURFACE_VARIANT)
        self.cards = ft.Column(spacing=12)
        self._layout_key: tuple | None = None
        self.workforce = WorkforceSection(self)
        self.closed = switch(label="Closed to admissions", value=screen.closed_to_admissions,
                                on_change=self._closed_changed)
        self.reason = ft.Dropdown(
            label="Reason", value=screen.closed_reason.value if screen.closed_reason else None,
            options=[ft.DropdownOption(key=r.value, text=r.label) for r in ClosureReason],
            on_select=self._closed_changed,
        )
        # No fixed height: at 200% text a label wraps and the button grows (never clipped).
        # Hidden and shown as a whole (a Semantics around a hidden control is an error in Flutter).
        self.reason_box = own_name("Reason for closing", self.reason)
        self.reason_box.visible = screen.closed_to_admissions
        self.save = ft.FilledButton("Save", on_click=self._save, style=BIG_BUTTON)
        self.confirm = ft.OutlinedButton("No change - confirm", on_click=self._confirm,
                                         style=BIG_OUTLINED_BUTTON)
        self.message = ft.Text("", size=15)
        self.message_semantics = ft.Semantics(identifier="save-message", live_region=True, content=self.message)
        self.confirmed = ft.Text("", size=15, weight=ft.FontWeight.W_500)
        self.updated_by = ft.Text("", size=14, color=ft.Colors.ON_SURFACE_VARIANT)
        # Hidden as a whole: a Semantics around a hidden control draws Flutter's red error box instead.
        self.updated_by_box = identified("updated-by", self.updated_by)
        self.updated_by_box.visible = False
        self.sync_status = ft.Text("", size=15, no_wrap=False)  # wraps on a phone, never cut off
        self.sync_icon = ft.Icon(ft.Icons.CLOUD_SYNC, size=20)
        nav = [identified("open-readiness", nav_button(ft.Icons.CHECKLIST, "Digital readiness", on_readiness))
               if on_readiness is not None else None,
               identified("open-red-bag", nav_button(ft.Icons.LOCAL_HOSPITAL, "Red bag", on_red_bag))
               if on_red_bag is not None else None,
               identified("open-settings", nav_button(ft.Icons.TUNE, "Home settings", on_settings))
               if on_settings is not None else None,
               identified("open-alerts", nav_button(ft.Icons.CAMPAIGN, "Alerts", on_alerts))
               if on_alerts is not None else None,
               sync_now_button(engine, icon_only=True), self.unsent_box.button(icon_only=True)]
        self.details = SteadyList(spacing=4)
        self.notices = ft.Text("", color=ft.Colors.ON_ERROR_CONTAINER, size=14)
        # Each bed count that lost to another device's: what she entered beside what the other device saved.
        # Rebuilt only when the lost changes do: a sync tick must not replace "Save mine again" under her finger.
        self.lost = SteadyList(spacing=8)
        self.notice_box = ft.Container(
            ft.Column([announced("sync-notices", self.notices), self.lost,
                       ft.TextButton("OK, I have checked", on_click=self._dismiss_notices)], spacing=4),
            bgcolor=ft.Colors.ERROR_CONTAINER, padding=12, border_radius=8, visible=False)
        self.deregistered = ft.Text("", size=14, color=ft.Colors.ON_TERTIARY_CONTAINER)
        self.deregistered_box = ft.Container(identified("deregistered-notice", self.deregistered),
                                             bgcolor=ft.Colors.TERTIARY_CONTAINER, padding=12, border_radius=8,
                                             visible=False)
        # The monthly collection's reminder: a small control of its own, no button (confirming is the usual
        # "No change - confirm" or Save: the bed update's taps stay as they are).
        self.collection = ft.Text("", size=14, color=ft.Colors.ON_SECONDARY_CONTAINER)
        self.collection_box = ft.Container(identified("collection-banner", self.collection),
                                           bgcolor=ft.Colors.SECONDARY_CONTAINER, padding=12, border_radius=8,
                                           visible=False)
        self.sign_in_again = ft.TextButton("Sign in again", on_click=lambda e: on_sign_in_again and on_sign_in_again(),
                                           visible=False)
        self.controls = [
            # "No change - confirm" and Save come first: on top of the screen and first in a keyboard's Tab order
            # (the form scrolls below them; the way to the other screens and where the changes are stay pinned
            # at the bottom, in reach of a thumb).
            # Side by side when they fit, Save under "No change" when they do not (a phone at 200% text).
            ft.Row([identified("bed-confirm", self.confirm), identified("bed-save", self.save)], spacing=12,
                   run_spacing=8, wrap=True),
            self.message_semantics,
            ft.Column([
                *([alert_banner] if alert_banner is not None else []),
                self.collection_box,
                identified("home-name", self.title),
                self.address,
                ft.Text(account_line, size=13, color=ft.Colors.ON_SURFACE_VARIANT),
                identified("confirmed-line", self.confirmed),
                self.updated_by_box,
                self.deregistered_box,
                self.notice_box,
                self.cards,
                identified("workforce", self.workforce),
                self.closed,
                self.reason_box,
                self.sign_in_again,
                ft.ExpansionTile(title="Sync details", controls=[self.details], controls_padding=12),
                *([history] if history is not None else []),
                *([staff_panel] if staff_panel is not None else []),
            ], spacing=12, scroll=ft.ScrollMode.ALWAYS, expand=True),
            sync_status_row(self.sync_status, icon=self.sync_icon),
            nav_bar([control for control in nav if control is not None]),
        ]
        self.form: ft.Column = self.controls[2]  # the scrolling form (its own controls: banners, counts, ...)
        self.refresh(update=False)

    # -- events -----------------------------------------------------------------------

    def _closed_changed(self, e: ft.Event) -> None:
        self.screen.set_closed(bool(self.closed.value), self.reason.value)
        self.refresh()

    def _save(self, e: ft.Event) -> None:
        self.screen.save()
        self.refresh()

    def ask_to_discard(self, count: int) -> None:
        """Signing out would lose changes: say so, and let the user choose."""
        self.unsent_box.ask(count)

    def _dismiss_notices(self, e: ft.Event) -> None:
        self.screen.dismiss_notices()
        self.refresh()

    def _save_mine_again(self, copy_id: int) -> None:
        self.screen.save_mine_again(copy_id)
        self.refresh()

    def _lost_change(self, choice) -> ft.Control:
        lines = [ft.Text(f"{d.label}: you entered {d.yours} - the other device saved {d.theirs}", size=14,
                         color=ft.Colors.ON_ERROR_CONTAINER) for d in choice.differences]
        # Its own name says which change (two lost changes are two buttons a screen reader tells apart).
        again = ft.FilledButton(ft.Text("Save mine again", semantics_label=f"Save my {choice.title} again"),
                                icon=ft.Icons.REPLAY, on_click=lambda e: self._save_mine_again(choice.copy_id))
        return ft.Column([ft.Text(choice.title, size=14, weight=ft.FontWeight.BOLD, color=ft.Colors.ON_ERROR_CONTAINER),
                          *lines, identified(f"save-mine-{choice.copy_id}", again)], spacing=2)

    def _confirm(self, e: ft.Event) -> None:
        self.screen.confirm_no_change()
        self.refresh()

    def on_sync_status(self, status: SyncStatus) -> None:
        """Called by the sync engine: new data may have arrived, or the queue moved."""
        if not self.screen.dirty:
            self.screen.reload()
        if self.screen.notices:
            self.screen.message = None  # "Saved" no longer tells the whole story: the notice does
        if self.alert_banner is not None and hasattr(self.alert_banner, "reload"):
            self.alert_banner.reload(update=False)
        self.refresh(status=status)

    # -- rendering -----------------------------------------------------------------------

    def _build_layout(self) -> None:
        """(Re)build the per-category cards when the home or its categories change (e.g. after the first pull)."""
        screen = self.screen
        key = (screen.home, tuple(d.category for d in screen.categories))
        if key == self._layout_key:
            return
        self._layout_key = key
        home = screen.home
        self.title.value = home.name if home else "Loading your home..."
        self.address.value = f"{home.address}, {home.postcode}" if home else "Waiting for the first sync"
        self.rows = []
        cards = []
        for draft in screen.categories:
            rows = [CountRow(self, draft, name) for name in COUNT_FIELDS]
            self.rows.extend(rows)
            cards.append(ft.Card(content=ft.Container(
                ft.Column([ft.Text(draft.label, weight=ft.FontWeight.BOLD, size=17), *rows], spacing=4),
                padding=12)))
        self.cards.controls = cards

    def refresh(self, *, typing: CountRow | None = None, status: SyncStatus | None = None,
                update: bool = True, typing_workforce: str | None = None) -> None:
        screen = self.screen
        self._build_layout()
        for row in self.rows:
            row.draft = screen.draft(row.draft.category)
        for row in self.rows:
            row.refresh(keep_text=row is typing)
        self.workforce.refresh(typing_workforce)
        self.reason_box.visible = screen.closed_to_admissions
        self.closed.value = screen.closed_to_admissions
        self.save.disabled = not screen.can_save
        self.confirm.disabled = not screen.can_confirm_no_change
        self.message.value = screen.message or ""
        self.message.color = message_colour(screen.message_is_error)
        self.confirmed.value = screen.confirmed_line()
        self.confirmed.color = FRESHNESS_COLOURS[screen.freshness]
        self.updated_by.value = screen.source_line or ""
        self.updated_by_box.visible = screen.source_line is not None
        status = status or self.engine.status
        self.sync_status.value = screen.status_line(status)
        self.sync_icon.icon, self.sync_icon.color = SYNC_LOOKS[screen.status_look(status)]
        self.sync_status.color = self.sync_icon.color
        self.sign_in_again.visible = status.state.value == "signed_out" and self.on_sign_in_again is not None
        reminder = screen.collection_reminder
        self.collection.value = reminder or ""
        self.collection_box.visible = reminder is not None
        self.deregistered.value = screen.deregistered_notice or ""
        self.deregistered_box.visible = screen.deregistered_notice is not None
        notices = screen.notices
        self.notices.value = "\n".join(notices)
        lost = screen.lost_changes
        self.lost.show(lost, self._lost_change)
        self.notice_box.visible = bool(notices) or bool(lost)
        details = sync_details(status, self.screen.store.sync_log(5), self.screen.store.clock_offset())
        lines = [details.state, details.pending, details.last_success]
        if details.problem:
            lines.append(details.problem)
        if details.log:
            lines.append("Changes not applied:")
            lines.extend(details.log)
        # Not selectable: a selectable text is a nameless field to a screen reader (what it says is not its name).
        self.details.show(lines, lambda line: ft.Text(line, size=13),
                          refill=lambda text, line: setattr(text, "value", line))
        if update:
            self.update()
