"""Web mode: each browser is a device (client/context.py WebDevices), in process, without a browser.

A browser's secret names its folder and gives the keys of its tokens and its
personal data; pages of one browser share one context; a sign-out reaches
every page and the store refuses a stale page's save.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date

import pytest

from client.context import (
    BROWSERS_DIR,
    TOKENS_FILE,
    WebDevices,
    browser_keys,
    is_browser_secret,
    new_browser_secret,
)
from client.credentials import SealedTokenFile, Tokens
from client.store.local_store import SignedOut
from domain.residents import Resident
from protocol import Account
from protocol.accounts import Role
from tests.support import aio

SERVER = "http://central.example"
HOME = "1-1938268568"


def sign_in_offline(ctx, username: str = "demo") -> None:
    """What SessionManager.sign_in stores, without a server."""
    account = Account(username=username, display_name="Demo", role=Role.HOME_MANAGER, home_id=HOME)
    ctx.credentials.set_tokens(SERVER, username, Tokens("access-" + "a" * 40, "refresh-" + "r" * 40))
    ctx.store.set_meta("account", json.dumps({"server_url": SERVER, "account": account.model_dump()}))


def resident() -> Resident:
    return Resident(home_id=HOME, resident_id=uuid.uuid4().hex, given_name="Margaret", family_name="Smith",
                    date_of_birth=date(1934, 3, 2))


def aio_close(devices: WebDevices) -> None:
    aio.run(devices.close())


def test_a_browser_secret_is_random_and_names_a_folder_that_does_not_reveal_it():
    first, second = new_browser_secret(), new_browser_secret()
    assert first != second and is_browser_secret(first)
    assert not is_browser_secret(None) and not is_browser_secret("short") and not is_browser_secret(first + "!")
    keys = browser_keys(first)
    assert keys == browser_keys(first) and keys.folder != browser_keys(second).folder
    assert first not in keys.folder and len({keys.data_key, keys.token_key}) == 2


def test_sealed_tokens_are_owner_only_and_unreadable_without_the_browsers_key(tmp_path):
    key = browser_keys(new_browser_secret()).token_key
    sealed = SealedTokenFile(tmp_path / TOKENS_FILE, key)
    sealed.set_tokens(SERVER, "demo", Tokens("access-token-value", "refresh-token-value"))
    assert sealed.get_tokens(SERVER, "demo") == Tokens("access-token-value", "refresh-token-value")
    raw = (tmp_path / TOKENS_FILE).read_bytes()
    assert b"access-token-value" not in raw and b"refresh-token-value" not in raw
    assert (tmp_path / TOKENS_FILE).stat().st_mode & 0o777 == 0o600
    other_key = browser_keys(new_browser_secret()).token_key
    assert SealedTokenFile(tmp_path / TOKENS_FILE, other_key).get_tokens(SERVER, "demo") is None
    sealed.delete_token(SERVER, "demo")
    assert sealed.get_tokens(SERVER, "demo") is None


def test_two_browsers_are_two_devices_and_the_pages_of_one_browser_share_one(tmp_path):
    devices = WebDevices(SERVER, tmp_path)
    first, second = new_browser_secret(), new_browser_secret()
    a, b = devices.open(first), devices.open(second)
    assert a is not b and a.data_dir != b.data_dir
    assert a.data_dir.parent == tmp_path / BROWSERS_DIR and a.data_dir.stat().st_mode & 0o077 == 0
    sign_in_offline(a, "demo")
    assert a.session.current().account.username == "demo"
    assert b.session.current() is None  # the other browser sees no one signed in
    assert devices.open(first) is a  # a second tab of the same browser
    aio_close(devices)


def test_a_signed_in_browser_is_still_signed_in_with_its_data_after_the_app_restarts(tmp_path):
    secret = new_browser_secret()
    devices = WebDevices(SERVER, tmp_path)
    ctx = devices.open(secret)
    sign_in_offline(ctx)
    margaret = resident()
    ctx.store.save("resident", [margaret])
    aio_close(devices)
    assert b"Margaret" not in (ctx.data_dir / "carehome-connect.sqlite3").read_bytes()

    async def reopen():
        devices = WebDevices(SERVER, tmp_path)
        restarted = devices.open(secret)  # no OS key store needed
        session = restarted.session.current()
        assert session.account.username == "demo" and session.token == "access-" + "a" * 40
        assert restarted.store.record("resident", margaret.record_id).data["given_name"] == "Margaret"
        assert restarted.engine.running  # it sends what waited, without the user
        await devices.close()

    aio.run(reopen())
    # Another browser's secret opens a folder of its own: nothing of this one.
    other = WebDevices(SERVER, tmp_path).open(new_browser_secret())
    assert other.session.current() is None and other.store.records("resident") == []
    other.close()


def test_a_browser_that_never_signed_in_leaves_nothing_when_its_last_page_closes(tmp_path):
    devices = WebDevices(SERVER, tmp_path)
    visitor, signed_in = new_browser_secret(), new_browser_secret()
    tab = devices.open(visitor)
    kept = devices.open(signed_in)
    sign_in_offline(kept)
    devices.release(kept)  # signed in: kept (and syncing) though no page shows it
    assert kept.data_dir.exists()
    assert devices.open(visitor) is tab
    devices.release(tab)
    assert tab.data_dir.exists()  # one tab still open
    devices.release(tab)
    assert not tab.data_dir.exists()
    assert devices.open(signed_in) is kept
    aio_close(devices)


def test_signing_out_tells_every_page_stops_the_engine_and_refuses_a_stale_save(tmp_path):
    async def scenario():
        devices = WebDevices(SERVER, tmp_path, poll_interval=60)
        secret = new_browser_secret()
        ctx = devices.open(secret)
        sign_in_offline(ctx)
        devices.open(secret)  # a second tab
        told: list[object] = []
        for _ in range(2):
            ctx.session.subscribe(told.append)
        ctx.engine.start()
        await asyncio.sleep(0)
        assert ctx.engine.running
        await ctx.engine.sign_out()
        await asyncio.sleep(0.05)
        assert told == [None, None]  # both pages are told: they show the sign-in screen
        assert not ctx.engine.running  # nothing is sent for anyone any more
        with pytest.raises(SignedOut):
            ctx.store.save("resident", [resident()])  # a save from a tab that had not caught up
        assert ctx.store.pending_count() == 0
        sign_in_offline(ctx)
        ctx.store.save("resident", [resident()])  # signed in again: saves work
        await devices.close()

    aio.run(scenario())


def test_a_question_to_the_browser_lost_with_its_connection_is_asked_again(monkeypatch):
    from client import __main__ as app_main

    monkeypatch.setattr(app_main, "ASK_BROWSER_TIMEOUT_S", 0.01)
    asked: list[int] = []

    async def answered_the_second_time():
        asked.append(1)
        if len(asked) == 1:
            await asyncio.Event().wait()  # lost: never answered
        return "the secret"

    assert aio.run(app_main.ask_browser(answered_the_second_time)) == "the secret"
    assert len(asked) == 2

    async def never_answered():
        await asyncio.Event().wait()

    with pytest.raises(app_main.BrowserUnreachable):
        aio.run(app_main.ask_browser(never_answered))
