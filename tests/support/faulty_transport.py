"""An httpx transport that loses, repeats, delays and reorders requests to a real server.

It wraps a real ``httpx.AsyncHTTPTransport`` (so every request that gets
through reaches the real central API process) and decides, request by request,
what the network does to it:

    transport = FaultyTransport()                       # one per device
    api = CentralApi(url, token, transport=transport)
    transport.plan([Fault.DROP_RESPONSE, Fault.DELAY])  # the next two requests
    ...
    await transport.replay(0)                            # the delayed one arrives, late

Decisions come from a ``FaultSchedule`` (tests/support/faults.py, shared with
the TCP-level ``FaultProxy``): an explicit plan (what a Hypothesis state machine
draws, so failures shrink and replay exactly), else a seeded ``random.Random``
with per-fault weights, else every request is delivered. ``quiet = True``
delivers everything whatever the plan says. ``log`` records every request.

The request body is read once (``await request.aread()``) and the same bytes
are reused for every copy sent: a duplicate, a late replay.

``aclose()`` does not close the wrapped connection pool: ``CentralApi``
closes its client (and so its transport) after a sign-in, but the network
outlives any one client. Call ``shutdown()`` when the device is done.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import httpx

from tests.support.faults import FaultSchedule, RequestLog, RequestRecord


class Fault(StrEnum):
    DELIVER = "deliver"
    # The request never reaches the server; the client cannot connect.
    DROP_REQUEST = "drop_request"
    # The server receives and commits it; the answer is lost on the way back.
    DROP_RESPONSE = "drop_response"
    # The request reaches the server twice, at the same time; the client gets one answer.
    DUPLICATE = "duplicate"
    # The request is held in the network; the client times out now, and the
    # request reaches the server only when ``replay`` is called (late, after
    # newer requests: reordered).
    DELAY = "delay"
    # Delivered now, and a copy stays in the network to arrive again later.
    DELIVER_AND_DELAY = "deliver_and_delay"
    # The request waits in the network (the client keeps waiting) until
    # ``release``; only then does the server see it.
    STALL_REQUEST = "stall_request"
    # The server answers at once, but the answer waits until ``release``.
    STALL_RESPONSE = "stall_response"


STALLS = frozenset({Fault.STALL_REQUEST, Fault.STALL_RESPONSE})


@dataclass(frozen=True)
class HeldRequest:
    """A copy of a request kept in the network, to be sent later."""

    method: str
    url: httpx.URL
    headers: httpx.Headers
    content: bytes
    extensions: Mapping = field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.url.path

    def build(self) -> httpx.Request:
        return httpx.Request(self.method, self.url, headers=self.headers, content=self.content,
                             extensions=dict(self.extensions))


# One TLS context for every transport: building one reads the CA bundle (tens of ms), and the property test
# makes two or three devices per example (loopback is plain HTTP; the context is never used for a handshake).
_SHARED_SSL = httpx.create_ssl_context()


class FaultyTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | None = None,
        *,
        rng: random.Random | None = None,
        weights: Mapping[Fault, float] | None = None,
        allow_stalls: bool = False,
    ) -> None:
        self._inner = inner if inner is not None else httpx.AsyncHTTPTransport(verify=_SHARED_SSL)
        weights = dict(weights or {
            Fault.DELIVER: 6, Fault.DROP_REQUEST: 1, Fault.DROP_RESPONSE: 1, Fault.DUPLICATE: 1,
            Fault.DELAY: 1, Fault.DELIVER_AND_DELAY: 1,
        })
        if not allow_stalls:  # a stall needs someone to call release(): never drawn at random unless asked
            weights = {f: w for f, w in weights.items() if f not in STALLS}
        self.schedule = FaultSchedule(Fault.DELIVER, rng=rng, weights=weights)
        self.held: list[HeldRequest] = []
        self.log = RequestLog()
        self.stalled = asyncio.Event()  # set while a request or its answer waits for release()
        self._gate: asyncio.Event | None = None

    # -- decisions ------------------------------------------------------------------

    def plan(self, faults: Iterable[Fault | str]) -> None:
        """What the network does to the next requests, in order (then: rng, or deliver)."""
        self.schedule.plan(Fault(f) for f in faults)

    def clear_plan(self) -> None:
        self.schedule.clear_plan()

    @property
    def quiet(self) -> bool:
        return self.schedule.quiet

    @quiet.setter
    def quiet(self, quiet: bool) -> None:
        self.schedule.quiet = quiet

    # -- the transport ----------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()  # read once; every copy reuses these bytes
        held = HeldRequest(request.method, request.url, httpx.Headers(request.headers), content,
                           dict(request.extensions))
        fault = self.schedule.next(request.url.path)
        if fault in STALLS and self._gate is not None:
            fault = Fault.DELIVER  # one stall at a time
        entry = self.log.add(RequestRecord(request.method, request.url.path, fault))

        if fault is Fault.DROP_REQUEST:
            raise httpx.ConnectError("fault injected: request dropped", request=request)
        if fault is Fault.DELAY:
            self.held.append(held)
            raise httpx.ReadTimeout("fault injected: request delayed in the network", request=request)
        if fault is Fault.STALL_REQUEST:
            await self._wait_for_release()
        if fault is Fault.DUPLICATE:
            first, second = await asyncio.gather(self._send(held), self._send(held))
            response = first
        else:
            response = await self._send(held)
        entry.upstream_status = response.status_code
        if fault is not Fault.DROP_RESPONSE and fault is not Fault.STALL_RESPONSE:
            entry.status = response.status_code
        if fault is Fault.DROP_RESPONSE:
            raise httpx.ReadError("fault injected: response lost", request=request)
        if fault is Fault.DELIVER_AND_DELAY:
            self.held.append(held)
        if fault is Fault.STALL_RESPONSE:
            await self._wait_for_release()
            entry.status = response.status_code
        # A fresh response from the bytes already read (and already decoded).
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-length", "content-encoding", "transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=response.content, request=request)

    async def _send(self, held: HeldRequest) -> httpx.Response:
        response = await self._inner.handle_async_request(held.build())
        try:
            await response.aread()
        finally:
            await response.aclose()
        return response

    async def _wait_for_release(self) -> None:
        self._gate = asyncio.Event()
        self.stalled.set()
        try:
            await self._gate.wait()
        finally:
            self._gate = None
            self.stalled.clear()

    # -- what the test does to the network --------------------------------------------

    def release(self) -> None:
        """Let a stalled request (or its answer) go on."""
        if self._gate is not None:
            self._gate.set()

    async def replay(self, index: int = 0) -> int:
        """A held request finally reaches the server; its answer has nobody to go to.

        Returns the status the server answered with.
        """
        held = self.held.pop(index)
        response = await self._send(held)
        self.log.add(RequestRecord(held.method, held.path, Fault.DELIVER, upstream_status=response.status_code))
        return response.status_code

    def forget_held(self) -> None:
        """The held copies are lost for good."""
        self.held.clear()

    async def aclose(self) -> None:
        """A client closing does not close the network (see the module docstring)."""

    async def shutdown(self) -> None:
        self.release()
        await self._inner.aclose()
