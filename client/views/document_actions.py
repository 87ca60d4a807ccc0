"""The one control every screen showing a document uses: its actions, what the last one did, a preview.

The buttons are the ones client/state/document_actions.py chooses for this
mode (the handler's ``offers``), each with its own name ("Download transfer
pack") and 48 px tall; a tap goes to the handler (client/views/document_opener.py).
A PDF can show page one as a picture; where it cannot be drawn there is none.

Semantics identifiers: ``<identifier>-open`` / ``-download`` / ``-share``,
``<identifier>-message``, ``<identifier>-preview``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import flet as ft

from client.crypto import UnreadableData
from client.state.document_actions import (
    DocumentAction,
    action_label,
    done_message,
    failed_message,
    preview_label,
)
from client.store import Document
from client.views.widgets import identified, message_colour

PREVIEW_WIDTH = 180  # px on screen: the whole page at a glance, without pushing the rest of a phone screen away

log = logging.getLogger(__name__)


class DocumentActions(ft.Column):
    """Open / Download / Share for one document (``document()``: the document now, made on demand or None)."""

    def __init__(self, identifier: str, name: str, document: Callable[[], Document | None], handler: Any, *,
                 preview: bool = False) -> None:
        super().__init__(spacing=6)
        self.identifier, self.name, self._document, self.handler = identifier, name, document, handler
        self._preview_wanted, self._previewed = preview, None
        offers: tuple[DocumentAction, ...] = getattr(handler, "offers", ()) if handler is not None else ()
        self.buttons = {action: self._button(action, first=index == 0) for index, action in enumerate(offers)}
        self.message = ft.Text("", size=13)
        # Hidden while empty (the wrapper, not the text: a Semantics needs visible content).
        self.message_line = ft.Semantics(identifier=f"{identifier}-message", live_region=True, content=self.message,
                                         visible=False)
        self.preview_box = ft.Container(visible=False)
        self.controls = [
            ft.Row([identified(f"{identifier}-{action}", button) for action, button in self.buttons.items()],
                   wrap=True, spacing=8, run_spacing=8),
            self.message_line,
            self.preview_box,
        ]

    def _button(self, action: DocumentAction, *, first: bool) -> ft.Control:
        kind = ft.FilledButton if first else ft.OutlinedButton

        async def tapped(e: ft.Event) -> None:
            await self.run(action)

        # No fixed height: the theme pads a button to 48 px at least, taller when its words wrap (200% text).
        return kind(action_label(action, self.name), icon=getattr(ft.Icons, action.icon), on_click=tapped)

    async def run(self, action: DocumentAction) -> None:
        """Do ``action`` with the document; the line under the buttons says what happened."""
        document = self._document()
        if document is None or self.handler is None:
            self.show(failed_message(action, self.name, gone=True), error=True)
            return
        web = bool(getattr(self.handler, "web", False))
        try:
            if action is DocumentAction.OPEN:
                await self.handler.open(document)
                text = done_message(action, self.name, web=web)
            elif action is DocumentAction.DOWNLOAD:
                text = done_message(action, self.name, web=web, saved_to=await self.handler.download(document))
            else:
                text = done_message(action, self.name, web=web, shared=await self.handler.share(document))
        except (KeyError, UnreadableData):  # the transfer ended (or the person signed out) meanwhile
            self.show(failed_message(action, self.name, gone=True), error=True)
        except Exception:  # noqa: BLE001 - said in plain words; the screen carries on
            log.warning("%s of a document failed", action, exc_info=True)
            self.show(failed_message(action, self.name), error=True)
        else:
            self.show(text)

    def show(self, text: str, *, error: bool = False) -> None:
        self.message.value = text
        self.message.color = message_colour(error)
        self.message_line.visible = bool(text)
        self._update()

    def refresh(self) -> None:
        """Show page one of the document when it is a new one (call when the screen's document may change)."""
        if not self._preview_wanted:
            return
        document = self._document()
        key = document.id if document is not None else None
        if key == self._previewed:
            return
        self._previewed = key
        self.message.value, self.message_line.visible = "", False
        png = self.handler.preview(document) if document is not None and self.handler is not None else None
        self.preview_box.content = identified(f"{self.identifier}-preview", ft.Image(
            src=png, width=PREVIEW_WIDTH, fit=ft.BoxFit.CONTAIN, semantics_label=preview_label(self.name),
            border_radius=4)) if png else None
        self.preview_box.visible = png is not None

    def _update(self) -> None:
        try:
            self.update()
        except RuntimeError:  # not on a page (yet): shown when it is
            pass
