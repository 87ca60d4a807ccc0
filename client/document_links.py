"""Web mode hands a document to the browser through a one-time link on the app's own server.

The screen showing the document mints a link for the signed-in person's
browser (``DocumentLinks.mint``); ``GET /documents/<token>`` answers the
document's bytes once, within a minute, and never again. The token is random
and names nothing; the bytes come straight off the shelf (decrypted in
memory), with ``Cache-Control: no-store`` so the browser keeps no copy.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from client.crypto import UnreadableData
from client.store import Document, DocumentShelf

LINK_LIFETIME_SECONDS = 60.0
ROUTE_PREFIX = "/documents/"


@dataclass(frozen=True)
class _Link:
    shelf: DocumentShelf
    document_id: str
    expires: float


class DocumentLinks:
    """One-time links to documents on a shelf (any shelf: each session may have its own)."""

    def __init__(self, *, lifetime: float = LINK_LIFETIME_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._lifetime, self._clock = lifetime, clock
        self._links: dict[str, _Link] = {}
        self._lock = threading.Lock()

    def mint(self, shelf: DocumentShelf, document_id: str) -> str:
        """A path ('/documents/<token>') that serves the document once, within the link's lifetime."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = self._clock()
            self._links = {t: link for t, link in self._links.items() if link.expires > now}
            self._links[token] = _Link(shelf, document_id, now + self._lifetime)
        return ROUTE_PREFIX + token

    def redeem(self, token: str) -> tuple[Document, bytes] | None:
        """The document and its bytes, once; None for an unknown, used or expired token, or a removed document."""
        with self._lock:
            link = self._links.pop(token, None)
        if link is None or link.expires <= self._clock():
            return None
        try:
            return link.shelf.read(link.document_id)
        except (KeyError, UnreadableData):  # the transfer ended (or the person signed out) meanwhile
            return None


def document_route(links: DocumentLinks) -> Route:
    """``GET /documents/{token}`` for web mode's server."""

    async def serve(request: Request) -> Response:
        found = links.redeem(request.path_params["token"])
        if found is None:
            return JSONResponse({"detail": "This link has expired: open the document again from the app"},
                                status_code=404, headers={"Cache-Control": "no-store"})
        document, data = found
        # A PDF opens in the browser's viewer; anything else (the FHIR file) is saved.
        disposition = "inline" if document.media_type == "application/pdf" else "attachment"
        return Response(data, media_type=document.media_type, headers={
            "Content-Disposition": f'{disposition}; filename="{document.name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        })

    return Route(ROUTE_PREFIX + "{token}", serve, methods=["GET"])
