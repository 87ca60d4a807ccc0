"""An administrator's first screen: import status, homes awaiting an ICB decision, accounts, the audit log.

Thin: ``client.state.admin`` holds the rules. Semantics identifiers the tests
use: ``admin-refresh``, ``admin-message``, ``import-status``, ``icb-decisions``,
``icb-<home id>-<ICB code>`` (choose that ICB), ``account-search``,
``account-find``, ``accounts-found``, ``account-<username>`` (its ``account-line-<username>``),
``unlock-<username>``, ``role-<username>`` (change role), ``role-choice``,
``role-place``, ``role-apply``, ``audit-log``, and the account bar's (``sync-status``, ``sign-out``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

from client.state.admin import PLACE_LABELS, ROLE_LABELS, AdminScreen
from client.views.account_bar import AccountBar, FollowsAccountBar
from client.views.widgets import dropdown, heading, identified, message_colour, screen_title
from protocol.accounts import Role

AUDIT_SHOWN = 20  # the latest entries; the rest are a search away on the central API


class AdminView(FollowsAccountBar, ft.Column):
    def __init__(self, screen: AdminScreen, *, account_bar: AccountBar) -> None:
        super().__init__(spacing=10, expand=True)
        self.screen, self.account_bar = screen, account_bar
        self.message = ft.Text("", size=14)
        self.import_status = ft.Text("", size=14)
        self.decisions = ft.Column(spacing=6)
        self.search = ft.TextField(label="Find an account (name, user name or home)",
                                   on_submit=self._find)
        self.found_summary = ft.Text("", size=13, color=ft.Colors.ON_SURFACE_VARIANT)
        self.accounts = ft.Column(spacing=6)
        self.role_username: str | None = None
        self.role_choice = dropdown("New role", [(r.value, ROLE_LABELS[r]) for r in Role], on_select=self._role_picked)
        self.role_place = ft.TextField(label="Where")
        self.role_box = ft.Container(ft.Column([
            ft.Text("", weight=ft.FontWeight.W_600),
            identified("role-choice", self.role_choice),
            identified("role-place", self.role_place),
            ft.Row([identified("role-apply", ft.FilledButton("Change role", on_click=self._apply_role)),
                    ft.TextButton("Cancel", on_click=self._cancel_role)], wrap=True),
        ], spacing=6), bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST, padding=12, border_radius=8, visible=False)
        self.audit = ft.Column(spacing=2)
        self.controls = [
            account_bar,  # kept in view while the screen scrolls
            ft.Column([
                screen_title("Administration"),
                ft.Semantics(identifier="admin-message", live_region=True, content=self.message),
                identified("admin-refresh", ft.OutlinedButton("Refresh", icon=ft.Icons.REFRESH,
                                                              on_click=self._refresh)),
                heading("Directory import"),
                identified("import-status", self.import_status),
                heading("Homes awaiting an ICB decision"),
                identified("icb-decisions", self.decisions),
                heading("Accounts"),
                identified("account-search", self.search),
                identified("account-find", ft.OutlinedButton("Find", icon=ft.Icons.SEARCH, on_click=self._find)),
                self.found_summary,
                identified("accounts-found", self.accounts),
                self.role_box,
                heading("Audit log (latest)"),
                identified("audit-log", self.audit),
            ], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True),
        ]
        self.render(update=False)

    def did_mount(self) -> None:
        self.page.run_task(self._load)

    async def _load(self) -> None:
        await self.screen.load()
        self.render()

    async def _refresh(self, e: ft.Event) -> None:
        await self._load()

    async def _find(self, e: ft.Event) -> None:
        await self.screen.find(self.search.value or "")
        self.render()

    def _act(self, action: Callable[[], Awaitable[bool]]) -> Callable[[ft.Event], Awaitable[None]]:
        async def handler(e: ft.Event) -> None:
            await action()
            self.render()
        return handler

    # -- role change ---------------------------------------------------------------------------------------

    def _open_role(self, username: str) -> None:
        self.role_username = username
        self.role_box.content.controls[0].value = f"Change the role of {username}"
        self.role_choice.value = None
        self.role_place.value = ""
        self.role_place.visible = False
        self.role_box.visible = True
        self.update()

    def _role_picked(self, e: ft.Event) -> None:
        label = PLACE_LABELS[Role(self.role_choice.value)] if self.role_choice.value else ""
        self.role_place.label = label
        self.role_place.visible = bool(label)
        self.update()

    async def _apply_role(self, e: ft.Event) -> None:
        if self.role_username is None or not self.role_choice.value:
            self.screen.message, self.screen.message_is_error = "Choose the new role first", True
        elif await self.screen.change_role(self.role_username, self.role_choice.value, self.role_place.value or ""):
            self.role_box.visible = False
        self.render()

    def _cancel_role(self, e: ft.Event) -> None:
        self.role_box.visible = False
        self.update()

    # -- rendering -----------------------------------------------------------------------------------------------

    def render(self, *, update: bool = True) -> None:
        screen = self.screen
        self.message.value = screen.message or ""
        self.message.color = message_colour(screen.message_is_error)
        self.import_status.value = "\n".join(screen.import_lines)
        decisions: list[ft.Control] = [ft.Text(screen.decision_summary, size=14)]
        for decision in screen.decisions:
            choices = [identified(f"icb-{decision.home_id}-{choice.code}", ft.OutlinedButton(
                choice.name, on_click=self._act(lambda h=decision.home_id, c=choice.code: screen.decide_icb(h, c))))
                for choice in decision.candidates]
            decisions.append(ft.Card(ft.Container(ft.Column([
                ft.Text(decision.name, weight=ft.FontWeight.W_600),
                ft.Text(f"{decision.local_authority}, {decision.postcode} - which ICB?", size=13),
                ft.Row(choices, wrap=True),
            ], spacing=4), padding=10)))
        self.decisions.controls = decisions
        self.found_summary.value = screen.found_summary
        self.accounts.controls = [self._account(row) for row in screen.account_rows]
        # Not selectable: a selectable text is an unnamed text field to a screen reader.
        self.audit.controls = [ft.Text(line, size=12) for line in screen.audit_lines[:AUDIT_SHOWN]]
        if update:
            self.update()

    def _account(self, row) -> ft.Control:
        # Each account's buttons say whose they are (five "Change role" buttons are one name to a screen reader).
        actions = [identified(f"role-{row.username}", ft.TextButton(
            content=ft.Text("Change role", semantics_label=f"Change role: {row.username}"),
            on_click=lambda e, u=row.username: self._open_role(u)))]
        if row.locked:
            actions.insert(0, identified(f"unlock-{row.username}", ft.TextButton(
                content=ft.Text("Unlock", semantics_label=f"Unlock {row.username}"), icon=ft.Icons.LOCK_OPEN,
                on_click=self._act(lambda u=row.username: self.screen.unlock(u)))))
        lines = [ft.Text(row.username, weight=ft.FontWeight.W_600),
                 identified(f"account-line-{row.username}", ft.Text(row.line, size=13))]
        if row.locked:
            lines.append(ft.Text(row.locked, size=13, color=ft.Colors.RED_800))
        return identified(f"account-{row.username}", ft.Card(ft.Container(ft.Column(
            [*lines, ft.Row(actions, wrap=True)], spacing=2), padding=10)))
