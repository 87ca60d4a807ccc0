"""The sync engine: classification of answers (unit, with httpx.MockTransport) and real round trips."""

import json

import httpx
import pytest

from client.credentials import CredentialStore
from client.session import SessionManager
from client.store import open_device_store
from client.sync import CentralApi, SyncEngine, SyncState
from domain.beds import BedCount, HomeStatus
from protocol import Account
from tests.support import aio
from tests.support.keyring_backend import MemoryKeyring
from tests.support.records import HOME_ID, bed_record, care_home_record

SERVER = "http://central.test"


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch):
    import keyring

    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def signed_in_store(tmp_path, handler):
    store, sync = open_device_store(tmp_path)
    sync.apply_pull_page([care_home_record(1), bed_record("nursing", 2)], 2)
    credentials = CredentialStore()
    account = Account(username="demo", display_name="Demo", role="home_manager", home_id=HOME_ID)
    store.set_meta("account", json.dumps({"server_url": SERVER, "account": account.model_dump()}))
    credentials.set_token(SERVER, "demo", "token-1")
    transport = httpx.MockTransport(handler)
    session = SessionManager(store, credentials, SERVER, api_factory=lambda url, token: CentralApi(url, token, transport=transport))
    return store, credentials, SyncEngine(sync, session, jitter=lambda: 0.5)


def nursing(vacant_accepting):
    return BedCount(home_id=HOME_ID, category="nursing", max_capacity=20, occupied=15, vacant_reserved=1,
                    vacant_accepting=vacant_accepting)


def empty_pull(request):
    return httpx.Response(200, json={"changes": [], "cursor": 2, "has_more": False})


def test_backoff_grows_to_its_ceiling_with_jitter(tmp_path):
    _, sync = open_device_store(tmp_path)
    low = SyncEngine(sync, session=None, jitter=lambda: 0.0, min_backoff=0.5, max_backoff=8)  # type: ignore[arg-type]
    high = SyncEngine(sync, session=None, jitter=lambda: 1.0, min_backoff=0.5, max_backoff=8)  # type: ignore[arg-type]
    assert [low.backoff_delay(n) for n in (1, 2, 3, 4, 5, 9)] == [0.25, 0.5, 1, 2, 4, 4]
    assert [high.backoff_delay(n) for n in (1, 2, 3, 4, 5, 9)] == [0.5, 1, 2, 4, 8, 8]


def test_expired_token_stops_without_a_loop_and_keeps_the_change(tmp_path):
    calls = []

    def handler(request):
        calls.append(request.url.path)
        return httpx.Response(401, json={"detail": "Token expired"})

    store, credentials, engine = signed_in_store(tmp_path, handler)
    store.save("bed_count", [nursing(3)])
    assert aio.run(engine.sync_once()) is True  # nothing to retry until the user signs in
    assert aio.run(engine.sync_once()) is True
    assert calls == ["/sync/push"]  # one refused request, then no more without a token
    assert engine.status.state is SyncState.SIGNED_OUT and engine.status.pending == 1
    assert credentials.get_token(SERVER, "demo") is None
    store.save("home_status", [HomeStatus(home_id=HOME_ID)])  # local saves still work
    assert store.pending_count() == 2


def test_upgrade_required_is_shown_not_retried_in_a_loop(tmp_path):
    def handler(request):
        return httpx.Response(426, json={"detail": "This app is out of date: please update it"})

    store, _, engine = signed_in_store(tmp_path, handler)
    store.save("bed_count", [nursing(3)])
    assert aio.run(engine.sync_once()) is True
    assert engine.status.state is SyncState.UPGRADE_REQUIRED
    assert "please update" in engine.status.message


def test_server_unavailable_means_offline_and_a_retry(tmp_path):
    store, _, engine = signed_in_store(tmp_path, lambda request: httpx.Response(503, headers={"Retry-After": "7"}))
    store.save("bed_count", [nursing(3)])
    assert aio.run(engine.sync_once()) is False
    assert engine.status.state is SyncState.OFFLINE and store.pending_count() == 1
    assert engine.retry_after == 7.0  # the run loop waits at least this long before the next try


def test_an_invalid_change_in_a_batch_does_not_hold_back_the_others(tmp_path):
    def handler(request):
        if request.url.path == "/sync/changes":
            return empty_pull(request)
        mutations = json.loads(request.content)["mutations"]
        if any(m["data"].get("vacant_accepting") == 4 for m in mutations):
            return httpx.Response(422, json={"detail": [{"loc": ["body", "mutations", 0, "bed_count", "data",
                                                                  "vacant_accepting"], "msg": "too many"}]})
        return httpx.Response(200, json={"results": [
            {"mutation_id": m["mutation_id"], "status": "applied", "version": 10 + i} for i, m in enumerate(mutations)]})

    store, _, engine = signed_in_store(tmp_path, handler)
    # A change this app's rules let through but the central API's newer rules refuse.
    store.save("bed_count", [nursing(4)])
    store.save("home_status", [HomeStatus(home_id=HOME_ID)])
    assert aio.run(engine.sync_once()) is True
    assert store.pending_count() == 0
    statuses = [r[0] for r in store.db.execute("SELECT status FROM outbox ORDER BY seq").fetchall()]
    assert statuses == ["rejected", "applied"]
    [entry] = store.sync_log()
    assert entry.status == "rejected" and entry.message == "Refused by the central API: Vacant accepting admissions too many"


def test_a_change_the_contract_refuses_is_not_sent_and_does_not_hold_back_the_others(tmp_path):
    sent = []

    def handler(request):
        if request.url.path == "/sync/changes":
            return empty_pull(request)
        mutations = json.loads(request.content)["mutations"]
        sent.extend(m["kind"] for m in mutations)
        return httpx.Response(200, json={"results": [
            {"mutation_id": m["mutation_id"], "status": "applied", "version": 10 + i} for i, m in enumerate(mutations)]})

    store, _, engine = signed_in_store(tmp_path, handler)
    store.save("bed_count", [nursing(3)])
    # A change an older app let through: written straight to the outbox.
    store.db.execute("UPDATE outbox SET data = json_set(data, '$.vacant_accepting', 99)")
    store.save("home_status", [HomeStatus(home_id=HOME_ID)])
    assert aio.run(engine.sync_once()) is True
    assert sent == ["home_status"]  # the push body is a PushRequest: the invalid change never leaves the device
    statuses = [r[0] for r in store.db.execute("SELECT status FROM outbox ORDER BY seq").fetchall()]
    assert statuses == ["rejected", "applied"]
    [entry] = store.sync_log()
    assert entry.status == "rejected" and entry.message.startswith("Not sent, this app cannot send it: Occupied, vacant reserved and vacant accepting")
    assert "maximum capacity (20)" in entry.message


def test_a_captive_portal_page_is_no_answer_and_sync_carries_on(tmp_path):
    portal = "<html><body>Sign in to Care Home Guest WiFi</body></html>"
    replies = iter([httpx.Response(200, text=portal), httpx.Response(200, json={"changes": []})])

    def handler(request):
        return next(replies)

    store, _, engine = signed_in_store(tmp_path, handler)
    store.save("bed_count", [nursing(3)])
    assert aio.run(engine.sync_once()) is False  # treated as offline: retried later
    assert engine.status.state is SyncState.OFFLINE and "cannot read" in engine.status.message
    assert aio.run(engine.sync_once()) is False  # a 200 missing fields is no answer either
    assert store.pending_count() == 1


def test_the_run_loop_survives_an_unexpected_error(tmp_path):
    import asyncio

    store, _, engine = signed_in_store(tmp_path, empty_pull)
    calls = []

    async def broken_once():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("surprise")
        return True

    engine.sync_once = broken_once
    engine.min_backoff = engine.max_backoff = 0.01

    async def scenario():
        task = asyncio.create_task(engine.run())
        for _ in range(100):
            if len(calls) >= 2:
                break
            await asyncio.sleep(0.01)
        task.cancel()

    aio.run(scenario())
    assert len(calls) >= 2  # it went on after the error


def test_a_key_store_that_fails_or_prompts_leaves_the_token_in_memory_only(monkeypatch):
    import keyring
    from keyring.backend import KeyringBackend

    from client.credentials import CredentialStore, Tokens

    class PromptingKeyring(KeyringBackend):
        """Like an encrypted file keyring asking for its password on a terminal the app does not have."""

        priority = 1

        def get_password(self, service, username):
            raise EOFError

        def set_password(self, service, username, password):
            raise EOFError

        def delete_password(self, service, username):
            raise EOFError

    previous = keyring.get_keyring()
    keyring.set_keyring(PromptingKeyring())
    try:
        credentials = CredentialStore()
        assert credentials.persistent
        credentials.set_tokens(SERVER, "demo", Tokens("access-1", "refresh-1"))
        assert not credentials.persistent
        assert credentials.get_tokens(SERVER, "demo") == Tokens("access-1", "refresh-1")
        credentials.delete_token(SERVER, "demo")
        assert credentials.get_tokens(SERVER, "demo") is None
    finally:
        keyring.set_keyring(previous)


def paged_server(records, page_size, *, older_server=False):
    """A MockTransport handler serving `records` in pages; it notes each pull's query."""
    asked = []

    def handler(request):
        if request.url.path != "/sync/changes":
            return httpx.Response(200, json={"results": []})
        params = dict(request.url.params)
        asked.append(params)
        since, limit = int(params["since"]), int(params["limit"])
        after = [r for r in records if r.version > since]
        page, more = after[:min(limit, page_size)], after[min(limit, page_size):]
        counted = older_server or params.get("count_remaining") != "false"
        return httpx.Response(200, json={
            "changes": [r.model_dump(mode="json") for r in page], "cursor": page[-1].version if page else since,
            "has_more": bool(more), "remaining": len(more) if counted or not more else None})

    return handler, asked


@pytest.mark.parametrize("older_server", [False, True], ids=["counts-when-asked", "older-server-always-counts"])
def test_a_long_pull_counts_what_remains_once_and_shows_progress(tmp_path, older_server):
    homes = [f"1-{100 + n}" for n in range(9)]
    records = [care_home_record(10 + n, home) for n, home in enumerate(homes)]
    handler, asked = paged_server(records, page_size=4, older_server=older_server)
    store, _, engine = signed_in_store(tmp_path, handler)
    engine.page_size = 4
    progress = []
    engine.subscribe(lambda status: progress.append((status.received, status.expected)) if status.expected else None)
    assert aio.run(engine.sync_once()) is True
    assert progress == [(4, 9), (8, 9), (9, 9)]
    # Counted on the first page only: the server reads every remaining row to count them.
    assert [params.get("count_remaining") for params in asked] == [None, "false", "false"]
    assert {record.id for record in store.records("care_home")} >= set(homes)


def test_a_pulled_page_does_not_wait_for_the_disk_but_a_save_still_does(tmp_path):
    store, sync = open_device_store(tmp_path)
    synchronous = []
    store.db.conn.set_trace_callback(lambda sql: synchronous.append(sql) if "synchronous" in sql else None)
    sync.apply_pull_page([care_home_record(1), bed_record("nursing", 2)], 2)
    assert synchronous == ["PRAGMA synchronous=NORMAL", "PRAGMA synchronous=FULL"]  # around the page only
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: a save survives a power cut
    store.save("bed_count", [nursing(3)])
    assert sync.pull_cursor == 2 and len(store.records("bed_count")) == 1
