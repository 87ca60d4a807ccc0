"""The background sync loop: push the outbox, then pull, forever.

It never blocks the UI (SQLite work runs in a worker thread, HTTP is async)
and never needs the user: it runs at start, after each local save
(debounced), on a timer, and on demand, backing off with jitter while the
central API cannot be reached. It works on the device database through the
store's sync half (``SyncApplier``: pending batches, settle, pull pages),
which nothing else uses; screens use the ``LocalStore``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from client.store.sync_applier import OutboxEntry, SyncApplier
from client.sync.api import (
    ApiError,
    AuthExpired,
    BatchInvalid,
    CentralApi,
    Offline,
    ResetRequired,
    UpgradeRequired,
)
from client.sync.clock import ServerClock, measured_offset
from protocol import MutationResult, MutationStatus
from protocol.sync import MAX_PAGE

if TYPE_CHECKING:  # the session builds API clients; the engine only uses them
    from client.session import SessionManager

log = logging.getLogger(__name__)

T = TypeVar("T")
# A request without an answer for this long is shown as waiting for the network (never an endless "Sending"),
# while it goes on trying; the API client's own timeouts end it soon after.
STALL_AFTER = 8.0
NO_ANSWER_YET = "No answer from the central API yet - still trying"
# Records per pull page: the most the server gives (fewer requests in a first sync of 45,000 records).
PAGE_SIZE = MAX_PAGE


class SyncState(StrEnum):
    IDLE = "idle"
    SYNCING = "syncing"
    OFFLINE = "offline"
    SIGNED_OUT = "signed_out"
    UPGRADE_REQUIRED = "upgrade_required"
    ERROR = "error"


@dataclass(frozen=True)
class SyncStatus:
    state: SyncState = SyncState.IDLE
    pending: int = 0  # changes as people count them: one save is one change, whatever records it wrote
    last_success_at: datetime | None = None  # on the server's clock as this device knows it (client/sync/clock.py)
    message: str | None = None
    # While a pull is under way: changes received so far and the total expected (for a progress line).
    received: int = 0
    expected: int = 0
    # Since when (server's clock) the central API has not answered: kept until a round succeeds.
    waiting_since: datetime | None = None


Listener = Callable[[SyncStatus], None]


class SyncEngine:
    def __init__(
        self,
        sync: SyncApplier,
        session: "SessionManager",
        *,
        poll_interval: float = 15.0,
        min_backoff: float = 0.5,
        max_backoff: float = 8.0,
        debounce: float = 0.02,
        batch_size: int = 100,
        page_size: int = PAGE_SIZE,
        jitter: Callable[[], float] = random.random,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        stall_after: float = STALL_AFTER,
    ) -> None:
        self._sync = sync
        self.session = session
        self.poll_interval = poll_interval
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.debounce = debounce
        self.batch_size = batch_size
        self.page_size = page_size
        self._jitter = jitter
        self._now = now  # the device's own clock
        # Every time the engine reports is on the server's clock as measured from its answers.
        self.clock = ServerClock(now, sync.clock_offset_seconds)
        self.stall_after = stall_after
        self._wake: asyncio.Event | None = None
        self._listeners: list[Listener] = []
        self._lock: asyncio.Lock | None = None
        self._task: asyncio.Task | None = None
        self.status = SyncStatus(pending=sync.pending_saves())
        self.retry_after: float | None = None  # the server's Retry-After, if it sent one

    # -- observers ---------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _publish(self, **changes) -> None:
        self.status = replace(self.status, pending=self._sync.pending_saves(), **changes)
        for listener in list(self._listeners):
            try:
                listener(self.status)
            except Exception:  # noqa: BLE001 - one broken screen must not stop sync
                log.exception("sync listener failed")

    def local_change(self) -> None:
        """Called after a local save: show the new pending count and sync soon."""
        self._publish()
        self.request_sync()

    # -- scheduling ------------------------------------------------------------------

    def request_sync(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def backoff_delay(self, failures: int) -> float:
        """Exponential backoff with 'equal jitter': half fixed, half random."""
        ceiling = min(self.max_backoff, self.min_backoff * (2 ** max(failures - 1, 0)))
        return ceiling / 2 + self._jitter() * ceiling / 2

    def start(self) -> None:
        """Run the loop as a task of the running event loop (web mode: while the browser is signed in)."""
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self.run(), name="sync-engine")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        """End the loop started by start(), between or during a round (what is stored stays consistent)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def run(self) -> None:
        self._wake = asyncio.Event()
        self._wake.set()  # sync on start
        failures = 0
        while True:
            delay = self.poll_interval if failures == 0 else self.backoff_delay(failures)
            if failures and self.retry_after:
                delay = max(delay, min(self.retry_after, 300.0))
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
                await asyncio.sleep(self.debounce)  # gather a burst of saves into one push
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                ok = await self.sync_once()
            except Exception as exc:  # noqa: BLE001 - the loop must outlive any surprise, and back off
                log.exception("sync round failed")
                self._publish(state=SyncState.ERROR, message=f"Sync problem: {type(exc).__name__}")
                ok = False
            failures = 0 if ok else failures + 1

    # -- one round -----------------------------------------------------------------

    async def sync_once(self) -> bool:
        """Push then pull. False when it should be retried after a backoff."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            api = self.session.api()
            if api is None:
                self._publish(
                    state=SyncState.SIGNED_OUT,
                    message="Sign in to send your changes" if self.session.current() else None,
                )
                return True
            self._publish(state=SyncState.SYNCING, message=None)
            started = self.clock.now()
            try:
                try:
                    await self._round(api)
                except AuthExpired:
                    # Refresh once; a second refusal in the same round means sign in again (no loop).
                    if not await self.session.refresh():
                        raise
                    api = self.session.api()
                    if api is None:
                        raise
                    await self._round(api)
            except Offline as exc:
                self.retry_after = exc.retry_after
                self._publish(state=SyncState.OFFLINE, message=str(exc), received=0, expected=0,
                              waiting_since=self.status.waiting_since or started)
                return False
            except AuthExpired:
                await self.session.expire()
                self._publish(state=SyncState.SIGNED_OUT, received=0, expected=0,
                              message="Your sign-in has expired: sign in again to send changes")
                return True
            except UpgradeRequired as exc:
                self._publish(state=SyncState.UPGRADE_REQUIRED, message=str(exc))
                return True
            except ApiError as exc:
                log.warning("sync failed: %s", exc)
                self._publish(state=SyncState.ERROR, message=str(exc),
                              waiting_since=self.status.waiting_since or started)
                return False
            self._publish(state=SyncState.IDLE, last_success_at=self.clock.now(), message=None, received=0,
                          expected=0, waiting_since=None)
            # After a round the server answered, so settled entries and tombstones are as settled as they get.
            try:
                await asyncio.to_thread(self._sync.tidy_if_due)
            except Exception:  # noqa: BLE001 - a failed clean-up must not turn a good sync into an error
                log.exception("device housekeeping failed")
            return True

    async def sign_out(self, *, discard_unsent: bool = False) -> None:
        """Sign out between sync rounds, never during one (a page arriving after the wipe would bring data back).

        Tries to send what is waiting first; raises UnsentChanges if some remains and discard_unsent is False.
        """
        if not discard_unsent and self._sync.pending_count():
            await self.sync_once()
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            await self.session.sign_out(discard_unsent=discard_unsent)
        self._publish(state=SyncState.SIGNED_OUT, message=None, last_success_at=None)

    async def _round(self, api: CentralApi) -> None:
        await self._push(api)
        try:
            await self._pull(api)
        except ResetRequired:
            # Offline past the tombstone horizon: start the pull again; unsent edits are kept.
            await asyncio.to_thread(self._sync.reset_for_resync)
            await self._pull(api)

    async def _push(self, api: CentralApi) -> None:
        while True:
            entries = await asyncio.to_thread(self._sync.pending, self.batch_size)
            if not entries:
                return
            results = await self._push_batch(api, entries)
            await asyncio.to_thread(self._sync.settle, results)
            self._publish()

    async def _ask(self, request: Awaitable[T]) -> T:
        """One request to the central API, watched: without an answer after ``stall_after`` seconds the status
        says since when it has been waiting (the request goes on until the API client's timeout)."""
        asked = self.clock.now()
        watchdog = asyncio.get_running_loop().call_later(self.stall_after, self._stalled, asked)
        try:
            answer = await request
        finally:
            watchdog.cancel()
        if self.status.state is SyncState.OFFLINE and self.status.message == NO_ANSWER_YET:
            self._publish(state=SyncState.SYNCING, message=None)  # it answered after all: sending again
        return answer

    def _stalled(self, asked: datetime) -> None:
        self._publish(state=SyncState.OFFLINE, message=NO_ANSWER_YET, waiting_since=self.status.waiting_since or asked)

    def _measure_clock(self, server_time: datetime | None, sent_at: datetime, received_at: datetime) -> None:
        if server_time is not None:
            self._sync.set_clock_offset(measured_offset(server_time, sent_at, received_at).total_seconds())

    async def _push_batch(self, api: CentralApi, entries: list[OutboxEntry]) -> list[MutationResult]:
        try:
            response = await self._ask(api.push(self._sync.device_id, [e.to_wire() for e in entries]))
            return response.results
        except BatchInvalid as exc:
            if len(entries) == 1:
                # The server will never take this one: record why and move on.
                return [MutationResult(mutation_id=entries[0].mutation_id, status=MutationStatus.REJECTED,
                                       message=f"{'Not sent, this app cannot send it' if exc.on_device else 'Refused by the central API'}: {exc}")]
            # Find the invalid one(s) without holding back the rest.
            results: list[MutationResult] = []
            for entry in entries:
                results.extend(await self._push_batch(api, [entry]))
            return results

    async def _pull(self, api: CentralApi) -> None:
        """Pull pages until there are no more, storing each with its cursor in order.

        The next page is asked for while this one is being stored (its cursor is known as soon as it arrives),
        so the server writes page n+1 while the device stores page n: on a first sync of 45,000 records the two
        halves overlap instead of taking turns. Pages are still stored one by one, in order.
        """
        received = expected = 0
        asking = asyncio.ensure_future(self._fetch_page(api, self._sync.pull_cursor, count_remaining=True))
        try:
            while True:
                page, sent_at, received_at = await asking
                if page.has_more:
                    # What remains is counted on the first page only (the server reads every remaining row to
                    # count them); later pages count on from it.
                    asking = asyncio.ensure_future(self._fetch_page(api, page.cursor, count_remaining=False))
                await asyncio.to_thread(self._sync.apply_pull_page, page.changes, page.cursor)
                await asyncio.to_thread(self._measure_clock, page.server_time, sent_at, received_at)
                received += len(page.changes)
                if page.remaining is not None:
                    expected = received + page.remaining
                # Changes saved meanwhile may come too: never "received more than expected".
                expected = max(expected, received)
                if page.changes or page.has_more:
                    self._publish(received=received, expected=expected)
                if not page.has_more:
                    return
        finally:
            if not asking.done():  # stopped, or storing a page failed: the page asked for ahead is not wanted
                asking.cancel()
                await asyncio.gather(asking, return_exceptions=True)

    async def _fetch_page(self, api: CentralApi, since: int, *, count_remaining: bool):
        sent_at = self._now()
        page = await self._ask(api.pull(since, self.page_size, self._sync.device_id, count_remaining=count_remaining))
        return page, sent_at, self._now()
