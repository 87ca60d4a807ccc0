"""Who is signed in on this device, and the API client that acts for them.

The account (name, role, home) is kept in the device database so the app
works offline after one sign-in; the token lives only in the key store.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from client.credentials import Credentials, Tokens
from client.store import LocalStore
from client.store.paths import REPORTS_DIR
from client.sync.api import ApiError, CentralApi, SignInRefused
from protocol import Account

ApiFactory = Callable[[str, str | None], CentralApi]
# Signing out waits this long at most for the server to end the sign-in (offline, it does not wait).
SIGN_OUT_WAIT_S = 3.0
SessionListener = Callable[["Session | None"], None]


class UnsentChanges(Exception):
    """Signing out now would lose changes that have not reached the central API."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} change{'s' if count != 1 else ''} not sent yet")
        self.count = count


@dataclass(frozen=True)
class Session:
    server_url: str
    account: Account
    token: str | None

    @property
    def needs_sign_in(self) -> bool:
        return self.token is None


class SessionManager:
    def __init__(
        self,
        store: LocalStore,
        credentials: Credentials,
        default_server_url: str,
        api_factory: ApiFactory = lambda url, token: CentralApi(url, token),
        *,
        documents_dir: Path | None = None,
    ) -> None:
        self.store = store
        # Documents made on the device (transfer packs, readiness summaries): beside the database unless told.
        self.documents_dir = documents_dir if documents_dir is not None else store.path.parent / REPORTS_DIR
        self.credentials = credentials
        self.default_server_url = default_server_url
        self._api_factory = api_factory
        self._api: CentralApi | None = None
        self._api_loop: asyncio.AbstractEventLoop | None = None
        self._listeners: list[SessionListener] = []

    def subscribe(self, listener: SessionListener) -> Callable[[], None]:
        """Be told of every sign-in and sign-out (web mode: each page of the browser, and its engine)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _changed(self) -> None:
        session = self.current()
        loop = _running_loop()
        for listener in list(self._listeners):
            # After the caller's own step: the page that signed in or out finishes drawing first.
            if loop is not None:
                loop.call_soon(listener, session)
            else:
                listener(session)

    def current(self) -> Session | None:
        raw = self.store.get_meta("account")
        if raw is None:
            return None
        saved = json.loads(raw)
        account = Account.model_validate(saved["account"])
        token = self.credentials.get_token(saved["server_url"], account.username)
        return Session(saved["server_url"], account, token)

    async def sign_in(self, server_url: str, username: str, password: str) -> Session:
        server_url = server_url.strip().rstrip("/")
        api = self._api_factory(server_url, None)
        try:
            response = await api.sign_in(username.strip(), password)
        finally:
            await api.aclose()
        previous = self.current()
        self.credentials.set_tokens(server_url, response.account.username,
                                    Tokens(response.token, response.refresh_token))
        if previous is None or (previous.server_url, previous.account.username) != (server_url, response.account.username):
            # The pull cursor belongs to what the last account could see: a new account starts from the beginning.
            self.store.set_meta("pull_cursor", None)
        self.store.set_meta(
            "account", json.dumps({"server_url": server_url, "account": response.account.model_dump()})
        )
        await self._drop_api()
        self._changed()
        return Session(server_url, response.account, response.token)

    def new_api(self, server_url: str) -> CentralApi:
        """An unauthenticated client (registration); the caller closes it."""
        return self._api_factory(server_url.strip().rstrip("/"), None)

    async def refresh(self) -> bool:
        """Swap the refresh token for new tokens, once.

        False (and the tokens forgotten) when the server refuses: the user must
        sign in again. Offline and other API errors propagate unchanged.
        """
        session = self.current()
        if session is None:
            return False
        tokens = self.credentials.get_tokens(session.server_url, session.account.username)
        if tokens is None or tokens.refresh is None:
            await self.expire()
            return False
        api = self._api_factory(session.server_url, None)
        try:
            response = await api.refresh(tokens.refresh)
        except SignInRefused:
            await self.expire()
            return False
        finally:
            await api.aclose()
        if response.account.username != session.account.username:
            await self.expire()  # the account changed on the server: start again
            return False
        self.credentials.set_tokens(session.server_url, session.account.username,
                                    Tokens(response.token, response.refresh_token))
        await self._drop_api()
        return True

    def api(self) -> CentralApi | None:
        """The client for the signed-in account, or None if it has no token."""
        session = self.current()
        if session is None or session.token is None:
            return None
        loop = _running_loop()
        if (self._api is None or self._api.base_url != session.server_url or self._api.token != session.token
                or self._api_loop is not loop):
            # An HTTP client belongs to the event loop it was made on.
            self._api = self._api_factory(session.server_url, session.token)
            self._api_loop = loop
        return self._api

    async def sign_out(self, *, discard_unsent: bool = False) -> None:
        """End the sign-in on the server, forget the tokens and remove the account's data from this device:
        its records and its documents.

        Refuses (UnsentChanges) while changes wait to be sent, unless the user
        has chosen to discard them.
        """
        pending = self.store.pending_saves()  # as the person counts them: one save, one change
        if pending and not discard_unsent:
            raise UnsentChanges(pending)
        session = self.current()
        if session is not None:
            await self._end_on_server(session)
            self.credentials.delete_token(session.server_url, session.account.username)
        await self._drop_api()
        self.store.wipe_account_data()
        # The documents hold personal data too.
        shutil.rmtree(self.documents_dir, ignore_errors=True)
        self._changed()

    async def _end_on_server(self, session: Session) -> None:
        """Revoke this sign-in's tokens on the server, best effort: offline they are forgotten here all
        the same (the access token ends within minutes, the refresh token is gone from this device)."""
        tokens = self.credentials.get_tokens(session.server_url, session.account.username)
        if tokens is None:
            return
        api = self._api_factory(session.server_url, tokens.access)
        try:
            await asyncio.wait_for(api.sign_out(tokens.refresh), SIGN_OUT_WAIT_S)
        except (ApiError, asyncio.TimeoutError):
            pass
        finally:
            await api.aclose()

    async def expire(self) -> None:
        """The server refused the token: forget it, keep the account and its data."""
        session = self.current()
        if session is not None:
            self.credentials.delete_token(session.server_url, session.account.username)
        await self._drop_api()

    async def _drop_api(self) -> None:
        if self._api is not None:
            if self._api_loop is _running_loop():
                await self._api.aclose()
            self._api = None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
