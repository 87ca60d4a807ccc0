"""Handing a document on the shelf to the person looking at the screen.

Web mode: a one-time link on the app's own server (client/document_links.py),
opened in a new browser tab: the bytes go from the sealed shelf to that
browser, never through a plain file. Desktop: an owner-only plain copy for the
OS viewer, removed with the transfer's documents or at the next start.
"""

from __future__ import annotations

import flet as ft

from client.document_links import DocumentLinks
from client.store import Document, DocumentShelf


class DocumentOpener:
    def __init__(self, page: ft.Page, shelf: DocumentShelf, links: DocumentLinks) -> None:
        self.page, self.shelf, self.links = page, shelf, links

    async def __call__(self, document: Document) -> None:
        if self.page.web:
            url = self.links.mint(self.shelf, document.id)
        else:
            url = self.shelf.open_copy(document.id).as_uri()
        await ft.UrlLauncher().launch_url(url)
