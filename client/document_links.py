"""Web mode hands a document to the browser through a one-time link on the app's own server.

The screen showing the document mints a link for the signed-in person's
browser (``DocumentLinks.mint``); ``GET /documents/<token>`` answers the
document's bytes once, within a minute, and never again. The token is random
and names nothing; the bytes come straight off the shelf (decrypted in
memory), with ``Cache-Control: no-store`` so the browser keeps no copy.

A link serves only the browser that asked for it. ``BrowserCookie`` (ASGI
middleware around web mode's server) gives every browser a random, HttpOnly,
SameSite=Strict cookie with its first page, and makes that cookie known to
the code answering the browser's Flet connection (a context variable set
around the WebSocket: the session's event handlers run inside it). ``mint``
binds the link to that cookie; a request without it (another browser,
another signed-in session, a copied link) gets the same 404 as an unknown
token and leaves the link for its owner.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from client.crypto import UnreadableData
from client.store import Document, DocumentShelf

LINK_LIFETIME_SECONDS = 60.0
ROUTE_PREFIX = "/documents/"
BROWSER_COOKIE = "chc_browser"
EXPIRED = "This link has expired: open the document again from the app"

# The browser whose Flet connection is being answered (its BROWSER_COOKIE), None outside web mode.
_browser: ContextVar[str | None] = ContextVar("chc_browser", default=None)


def current_browser() -> str | None:
    """The cookie of the browser this code is answering (set by BrowserCookie), if any."""
    return _browser.get()


@dataclass(frozen=True)
class _Link:
    shelf: DocumentShelf
    document_id: str
    expires: float
    browser: str | None  # the only browser it serves (None: minted outside a browser connection)


class DocumentLinks:
    """One-time links to documents on a shelf (any shelf: each session may have its own)."""

    def __init__(self, *, lifetime: float = LINK_LIFETIME_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._lifetime, self._clock = lifetime, clock
        self._links: dict[str, _Link] = {}
        self._lock = threading.Lock()

    def mint(self, shelf: DocumentShelf, document_id: str) -> str:
        """A path ('/documents/<token>') that serves the document once, within the link's lifetime, to the
        browser whose connection is running this (``current_browser``)."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = self._clock()
            self._links = {t: link for t, link in self._links.items() if link.expires > now}
            self._links[token] = _Link(shelf, document_id, now + self._lifetime, current_browser())
        return ROUTE_PREFIX + token

    def redeem(self, token: str, browser: str | None = None) -> tuple[Document, bytes] | None:
        """The document and its bytes, once, for the browser it was minted for (its cookie: ``browser``);
        None for an unknown, used or expired token, a removed document or another browser."""
        with self._lock:
            link = self._links.get(token)
            if link is not None and not _same_browser(link.browser, browser):
                return None  # not theirs: the link stays for the browser that asked for it
            self._links.pop(token, None)
        if link is None or link.expires <= self._clock():
            return None
        try:
            return link.shelf.read(link.document_id)
        except (KeyError, UnreadableData):  # the transfer ended (or the person signed out) meanwhile
            return None


def _same_browser(bound: str | None, browser: str | None) -> bool:
    if bound is None:
        return True
    return browser is not None and hmac.compare_digest(bound.encode(), browser.encode())


def document_route(links: DocumentLinks) -> Route:
    """``GET /documents/{token}`` for web mode's server."""

    async def serve(request: Request) -> Response:
        found = links.redeem(request.path_params["token"], request.cookies.get(BROWSER_COOKIE))
        if found is None:
            return JSONResponse({"detail": EXPIRED}, status_code=404, headers={"Cache-Control": "no-store"})
        document, data = found
        # A PDF opens in the browser's viewer; anything else (the FHIR file) is saved.
        disposition = "inline" if document.media_type == "application/pdf" else "attachment"
        return Response(data, media_type=document.media_type, headers={
            "Content-Disposition": f'{disposition}; filename="{document.name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        })

    return Route(ROUTE_PREFIX + "{token}", serve, methods=["GET"])


# --- which browser is asking -----------------------------------------------------------------------------


def _cookie(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            morsel = SimpleCookie(value.decode("latin-1")).get(BROWSER_COOKIE)
            if morsel is not None and len(morsel.value) >= 32:
                return morsel.value
    return None


class BrowserCookie:
    """ASGI middleware: every browser gets its own random cookie, known while its Flet connection is answered."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            # Everything answering this connection (the page's handlers) runs in this call and sees the cookie.
            reset = _browser.set(_cookie(scope))
            try:
                await self.app(scope, receive, send)
            finally:
                _browser.reset(reset)
            return
        if scope["type"] != "http" or _cookie(scope) is not None:
            await self.app(scope, receive, send)
            return
        attributes = "Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if scope.get("scheme") == "https" else "")
        cookie = f"{BROWSER_COOKIE}={secrets.token_urlsafe(32)}; {attributes}".encode("latin-1")

        async def send_with_cookie(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)
