"""The composition root: builds the app's parts and wires them together.

Nothing else constructs a store, a session or a sync engine; views receive
a context and take what they need from it. The store's sync half goes to
the engine only.

What a device is (docs/architecture.md, "Devices and sessions"):
- desktop and mobile: the app is the device; one context, the tokens and the
  data key in the OS key store (build_context);
- web mode: each browser is a device (WebDevices): a secret kept in the
  browser names its folder under the data dir and gives the keys of its
  tokens and personal data; the app process holds one context per browser.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from client.credentials import Credentials, CredentialStore, SealedTokenFile
from client.crypto import DataCipher
from client.document_links import DocumentLinks
from client.session import Session, SessionManager
from client.store import LocalStore, default_data_dir, open_device_store
from client.store.documents import owner_only_dir
from client.store.paths import REPORTS_DIR
from client.sync import SyncEngine

BROWSERS_DIR = "browsers"  # web mode: one folder per browser under the data dir
TOKENS_FILE = "tokens.sealed"
_BROWSER_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


@dataclass
class AppContext:
    store: LocalStore
    credentials: Credentials
    session: SessionManager
    engine: SyncEngine
    document_links: DocumentLinks = field(default_factory=DocumentLinks)  # web mode's one-time document links
    # Web mode: the app runs on a server and people use it in a browser, so anything the app measures itself
    # (the WiFi speed test) is measured from that computer, not from the tablet holding the browser.
    web_mode: bool = False

    @property
    def data_dir(self) -> Path:
        """This device's folder: its database, and the documents it makes."""
        return self.store.path.parent

    def close(self) -> None:
        self.store.close()


def _assemble(directory: Path, credentials: Credentials, cipher: DataCipher | None, server_url: str, *,
              poll_interval: float, page_size: int, document_links: DocumentLinks | None = None,
              web_mode: bool = False) -> AppContext:
    # One database, two halves: screens take the store, only the engine takes the sync half.
    store, sync = open_device_store(directory, cipher=cipher)
    session = SessionManager(store, credentials, default_server_url=server_url,
                             documents_dir=directory / REPORTS_DIR)
    engine = SyncEngine(sync, session, poll_interval=poll_interval, page_size=page_size)
    return AppContext(store=store, credentials=credentials, session=session, engine=engine,
                      document_links=document_links or DocumentLinks(), web_mode=web_mode)


def build_context(server_url: str, data_dir: str | Path | None = None, *, poll_interval: float = 15.0,
                  page_size: int = 500) -> AppContext:
    """Desktop and mobile: the one device, its tokens and data key in the OS key store."""
    return _assemble(default_data_dir(data_dir), CredentialStore(), None, server_url,
                     poll_interval=poll_interval, page_size=page_size)


# -- web mode: each browser is a device ---------------------------------------------------------------


class BrowserKeys(NamedTuple):
    folder: str  # the folder's name: reveals nothing of the secret
    data_key: bytes  # personal data at rest (DataCipher)
    token_key: bytes  # the sealed tokens (SealedTokenFile)


def new_browser_secret() -> str:
    return secrets.token_urlsafe(32)


def is_browser_secret(value: object) -> bool:
    return isinstance(value, str) and bool(_BROWSER_SECRET.match(value))


def browser_keys(secret: str) -> BrowserKeys:
    def derive(purpose: str) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=f"carehome-connect {purpose}".encode()).derive(secret.encode())

    return BrowserKeys(hashlib.sha256(derive("folder")).hexdigest()[:32], derive("data key"), derive("token key"))


def build_browser_context(data_dir: Path, secret: str, server_url: str, *, poll_interval: float = 15.0,
                          page_size: int = 500, document_links: DocumentLinks | None = None) -> AppContext:
    """One browser's device: its folder (owner-only), its tokens sealed there, its data key from its secret."""
    keys = browser_keys(secret)
    directory = data_dir / BROWSERS_DIR / keys.folder
    for folder in (data_dir, directory.parent, directory):  # owner-only, the data dir and browsers' folder too
        owner_only_dir(folder)
    return _assemble(directory, SealedTokenFile(directory / TOKENS_FILE, keys.token_key),
                     DataCipher(keys.data_key, persistent=True), server_url,
                     poll_interval=poll_interval, page_size=page_size, document_links=document_links, web_mode=True)


class WebDevices:
    """Web mode: the open browser contexts, one per browser secret, shared by that browser's pages.

    A context's engine runs while it is signed in (started on sign-in or when a
    signed-in browser returns; stopped on sign-out). When its last page closes
    and nobody is signed in there, the context is closed and its folder removed.
    """

    def __init__(self, server_url: str, data_dir: str | Path | None = None, *, poll_interval: float = 15.0,
                 page_size: int = 500) -> None:
        self.server_url = server_url
        self.data_dir = default_data_dir(data_dir)
        self.poll_interval, self.page_size = poll_interval, page_size
        self._open: dict[str, AppContext] = {}
        self._pages: dict[str, int] = {}
        # One set of one-time document links for the process; each link knows its browser's shelf.
        self.document_links = DocumentLinks()

    def open(self, secret: str) -> AppContext:
        """The browser's context for one more page (call release() when the page closes)."""
        folder = browser_keys(secret).folder
        ctx = self._open.get(folder)
        if ctx is None:
            ctx = build_browser_context(self.data_dir, secret, self.server_url, poll_interval=self.poll_interval,
                                        page_size=self.page_size, document_links=self.document_links)
            ctx.session.subscribe(lambda session: self._session_changed(ctx, session))
            self._open[folder] = ctx
            if ctx.session.current() is not None:
                ctx.engine.start()  # a signed-in browser returned: send what waits, receive what is new
        self._pages[folder] = self._pages.get(folder, 0) + 1
        return ctx

    def release(self, ctx: AppContext) -> None:
        """One page of the browser is gone for good."""
        folder = ctx.data_dir.name
        self._pages[folder] = max(self._pages.get(folder, 0) - 1, 0)
        self._close_if_unused(ctx)

    def _close_if_unused(self, ctx: AppContext) -> None:
        folder = ctx.data_dir.name
        if self._open.get(folder) is not ctx or self._pages.get(folder) or ctx.session.current() is not None \
                or ctx.engine.running:
            return  # still shown, signed in or syncing: keep it
        # No await from here on: a page opening meanwhile must not get a context being closed.
        del self._pages[folder], self._open[folder]
        ctx.close()
        shutil.rmtree(ctx.data_dir, ignore_errors=True)  # nothing of an account is in it

    async def close(self) -> None:
        for ctx in list(self._open.values()):
            await ctx.engine.stop()
            ctx.close()
        self._open.clear()
        self._pages.clear()

    def _session_changed(self, ctx: AppContext, session: Session | None) -> None:
        if session is not None:
            ctx.engine.start()
        else:
            asyncio.get_running_loop().create_task(self._signed_out(ctx))

    async def _signed_out(self, ctx: AppContext) -> None:
        await ctx.engine.stop()
        self._close_if_unused(ctx)
