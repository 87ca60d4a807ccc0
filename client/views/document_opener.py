"""Handing a document on the shelf to the person looking at the screen: Open, Download, Share.

Which of these a screen offers is decided in client/state/document_actions.py.

* Open. Web mode: a one-time link on the app's own server
  (client/document_links.py) serving only this browser, opened in a new tab:
  the bytes go from the sealed shelf to that browser, never through a plain
  file. Desktop: an owner-only plain copy for the OS viewer, removed with the
  transfer's documents or at the next start.
* Download. ``FilePicker.save_file`` with the bytes: in a browser, a download
  sent over this session's own connection; on a desktop, a save dialog (the
  file goes where the person chose); on a phone, saved through the system.
* Share (phone app): the share sheet, with the bytes.
"""

from __future__ import annotations

from typing import Any

import flet as ft

from client.crypto import UnreadableData
from client.document_links import DocumentLinks
from client.reports.preview import first_page_png
from client.state.document_actions import DocumentAction, actions_offered
from client.store import Document, DocumentShelf


def _platform(page: Any) -> str | None:
    platform = getattr(page, "platform", None)
    return getattr(platform, "value", platform)


class DocumentOpener:
    def __init__(self, page: ft.Page, shelf: DocumentShelf, links: DocumentLinks) -> None:
        self.page, self.shelf, self.links = page, shelf, links

    @property
    def web(self) -> bool:
        return bool(getattr(self.page, "web", False))

    @property
    def offers(self) -> tuple[DocumentAction, ...]:
        return actions_offered(web=self.web, platform=_platform(self.page))

    async def __call__(self, document: Document) -> None:
        await self.open(document)

    async def open(self, document: Document) -> None:
        if self.web:
            url = self.links.mint(self.shelf, document.id)
        else:
            url = self.shelf.open_copy(document.id).as_uri()
        await ft.UrlLauncher().launch_url(url)

    async def download(self, document: Document) -> str | None:
        """Where the file was saved (desktop), its name (browser, phone), or None when the person cancelled."""
        document, data = self.shelf.read(document.id)
        saved = await ft.FilePicker().save_file(dialog_title=f"Save {document.name}", file_name=document.name,
                                                src_bytes=data)
        if self.web:
            return document.name  # the browser saves it; nothing comes back to say where
        return saved

    async def share(self, document: Document) -> str:
        """The share sheet's outcome: 'success', 'dismissed' or 'unavailable'."""
        document, data = self.shelf.read(document.id)
        result = await ft.Share().share_files(
            [ft.ShareFile.from_bytes(data, mime_type=document.media_type, name=document.name)],
            subject=document.name)
        return result.status.value

    def preview(self, document: Document) -> bytes | None:
        """Page one of a PDF as a PNG (None for other documents, or where it cannot be drawn)."""
        if document.media_type != "application/pdf":
            return None
        try:
            _, data = self.shelf.read(document.id)
        except (KeyError, UnreadableData):
            return None
        return first_page_png(data)
