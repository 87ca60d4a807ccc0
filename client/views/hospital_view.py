"""A hospital user's first screen: transfers to her hospital (arriving, in hospital), each opening its pack.

Semantics identifiers the tests use: ``hospital-summary``, ``hospital-message``,
``hospital-refresh``, ``transfer-list``, ``transfer-<transfer id>`` (opens
that resident's transfer pack), ``find-bed`` (when bed search is wired),
and the account bar's (``sync-status``, ``sign-out``: client/views/account_bar.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import flet as ft

from client.state.hospital import HospitalTransfers, TransferRow
from client.store import Document
from client.views.account_bar import AccountBar, FollowsAccountBar
from client.views.widgets import heading, identified, message_colour, screen_title

log = logging.getLogger(__name__)
OpenDocument = Callable[[Document], Awaitable[None]]


class HospitalView(FollowsAccountBar, ft.Column):
    def __init__(self, transfers: HospitalTransfers, *, account_bar: AccountBar, open_document: OpenDocument,
                 on_find_bed: Callable[[], None] | None = None) -> None:
        super().__init__(spacing=10, expand=True)
        self.transfers, self._open_document, self.account_bar = transfers, open_document, account_bar
        self.summary = ft.Text("", size=14, color=ft.Colors.ON_SURFACE_VARIANT)
        self.message = ft.Text("", size=14)
        self.list = ft.Column(spacing=8)
        self.refresh_button = ft.OutlinedButton("Refresh", icon=ft.Icons.REFRESH, on_click=self._refresh_clicked)
        find_bed = [identified("find-bed", ft.FilledButton(
            "Find a bed for discharge", icon=ft.Icons.BED, on_click=lambda e: on_find_bed()))] \
            if on_find_bed is not None else []
        self.controls = [
            account_bar,  # kept in view while the list scrolls: sync and Sign out always one tap away
            ft.Column([
                screen_title("Transfers to your hospital"),
                identified("hospital-summary", self.summary),
                ft.Semantics(identifier="hospital-message", live_region=True, content=self.message),
                ft.Row([identified("hospital-refresh", self.refresh_button), *find_bed], wrap=True),
                identified("transfer-list", self.list),
            ], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True),
        ]
        self.render(update=False)

    def did_mount(self) -> None:
        # Refreshed on open: the list is never kept between visits (personal data, memory only).
        self.page.run_task(self.load)

    async def load(self) -> None:
        self.transfers.loading = True
        self.render()
        await self.transfers.refresh()
        self.render()

    async def _refresh_clicked(self, e: ft.Event) -> None:
        await self.load()

    def render(self, *, update: bool = True) -> None:
        transfers = self.transfers
        self.summary.value = transfers.summary
        self.message.value = transfers.message or ""
        self.message.color = message_colour(transfers.message_is_error)
        self.refresh_button.disabled = transfers.loading
        rows = transfers.rows
        arriving = [r for r in rows if r.arriving]
        staying = [r for r in rows if not r.arriving]
        controls: list[ft.Control] = []
        if arriving:
            controls += [heading("Arriving"), *(self._tile(r) for r in arriving)]
        if staying:
            controls += [heading("In hospital"), *(self._tile(r) for r in staying)]
        self.list.controls = controls
        if update:
            self.update()

    def _tile(self, row: TransferRow) -> ft.Control:
        colour = ft.Colors.RED_800 if row.arriving else ft.Colors.ON_SURFACE_VARIANT

        async def opened(e: ft.Event) -> None:
            await self._open(row.transfer_id)

        return identified(f"transfer-{row.transfer_id}", ft.Card(ft.ListTile(
            leading=ft.Icon(ft.Icons.LOCAL_HOSPITAL, color=colour),
            title=ft.Text(row.name, weight=ft.FontWeight.W_600),
            subtitle=ft.Column([ft.Text(row.line, size=13), ft.Text(row.detail, size=13, color=colour)], spacing=2),
            trailing=ft.Icon(ft.Icons.PICTURE_AS_PDF),
            on_click=opened,
        )), f"{row.name}. {row.line}. {row.detail}. Opens the transfer pack")

    async def _open(self, transfer_id: str) -> None:
        try:
            # The PDF is made off the event loop: the screen stays responsive meanwhile.
            document = await asyncio.to_thread(self.transfers.pack_document, transfer_id)
            await self._open_document(document)
        except Exception:  # noqa: BLE001 - shown, the screen carries on
            log.exception("the transfer pack could not be opened")  # its class name is for the log, not the ward
            self.transfers.message = "The transfer pack could not be opened: tap Refresh, then try again"
            self.transfers.message_is_error = True
        self.render()
