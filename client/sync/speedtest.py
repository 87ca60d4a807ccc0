"""WiFi survey: measure latency, download and upload speed against the central API.

    result = await measure(api)          # api: a signed-in CentralApi
    if result.no_connection: ...         # result.reason says why; the numbers are None
    else: result.latency_ms, result.download_mbps, result.upload_mbps

The caller stores the result with the location's name (office, lounge, ...).
No answer, a timeout or a 5xx is a result (``no_connection=True``), not an
error; a refused token raises ``AuthExpired`` (the user must sign in again).

Requests go through the CentralApi's own request path (auth and schema headers,
answers classified as in ``client.sync.api``); ``measure_using`` takes any
such request function, so the measurement itself needs no CentralApi.
"""

from __future__ import annotations

import asyncio
import math
import os
import statistics
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import httpx

from client.sync.api import ApiError, AuthExpired, CentralApi, Offline
from domain.speed_test import KIB, MAX_DOWNLOAD_REQUEST, MAX_UPLOAD_REQUEST, MIB, MIN_DOWNLOAD_REQUEST
from protocol.speedtest import DOWNLOAD_PATH, PING_PATH, UPLOAD_PATH

# (method, url, **httpx request arguments) -> response; raises Offline when there is no usable answer.
RequestFn = Callable[..., Awaitable[httpx.Response]]

_BLOCK = os.urandom(64 * KIB)  # upload payload, repeated: incompressible, generated once


@dataclass(frozen=True)
class Measurement:
    """One WiFi survey reading. With ``no_connection`` the three numbers are None and ``reason`` says why."""

    latency_ms: float | None  # median round trip of the pings
    download_mbps: float | None  # megabits (10^6 bits) per second
    upload_mbps: float | None
    no_connection: bool = False
    reason: str | None = None

    @classmethod
    def offline(cls, reason: str) -> "Measurement":
        return cls(latency_ms=None, download_mbps=None, upload_mbps=None, no_connection=True, reason=reason)


async def measure(api: CentralApi, **limits: Any) -> Measurement:
    """Measure against the central API ``api`` talks to (it must hold a token); ``limits`` as for
    ``measure_using``. CentralApi._request adds the token and schema headers and turns no answer or a
    5xx into Offline."""
    return await measure_using(api._request, **limits)


async def measure_using(
    request: RequestFn,
    *,
    download_bytes: int = 2 * MIB,
    upload_bytes: int = 1 * MIB,
    pings: int = 5,
    timeout: float = 10.0,
) -> Measurement:
    """Measure with any request function of CentralApi._request's shape.

    ``timeout`` bounds the whole measurement (and each request); past it the
    result is ``no_connection``. Raises ``AuthExpired`` if the token is refused,
    ``ApiError`` if the server answers something else unexpected (e.g. it has no
    survey endpoints), ``ValueError`` for impossible sizes.
    """
    if download_bytes < MIN_DOWNLOAD_REQUEST:
        raise ValueError(f"download_bytes must be at least {MIN_DOWNLOAD_REQUEST}")
    if upload_bytes < 1 or pings < 1 or not timeout > 0:
        raise ValueError("upload_bytes and pings must be at least 1, timeout positive")
    survey = _Survey(request, httpx.Timeout(timeout, connect=min(5.0, timeout)))
    try:
        async with asyncio.timeout(timeout):
            await survey.ping()  # warm-up: opens the connection, so setup is not counted below
            latency_ms = statistics.median([await survey.ping() for _ in range(pings)]) * 1000
            download_mbps = _mbps(download_bytes, await survey.download(download_bytes))
            upload_mbps = _mbps(upload_bytes, await survey.upload(upload_bytes))
    except TimeoutError:
        return Measurement.offline(f"No answer from the central API within {timeout:g} s")
    except Offline as exc:
        return Measurement.offline(str(exc))
    except httpx.RequestError as exc:  # e.g. a garbled body; transport errors arrive as Offline already
        return Measurement.offline(f"Cannot reach the central API ({type(exc).__name__})")
    return Measurement(latency_ms=latency_ms, download_mbps=download_mbps, upload_mbps=upload_mbps)


class _Survey:
    def __init__(self, request: RequestFn, timeout: httpx.Timeout) -> None:
        self._request = request
        self._timeout = timeout

    async def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = await self._request(method, url, timeout=self._timeout, **kwargs)
        if response.status_code == 401:
            raise AuthExpired(_detail(response) or "Please sign in again")
        if response.status_code == 404:
            raise ApiError("The central API does not offer the WiFi survey (404): it may need updating")
        if response.status_code != 200:
            raise ApiError(f"WiFi survey refused ({response.status_code}): {_detail(response)}")
        return response

    async def ping(self) -> float:
        """Seconds for one round trip."""
        started = time.perf_counter()
        response = await self._call("GET", PING_PATH)
        elapsed = time.perf_counter() - started
        if _json_field(response, "status") != "ok":
            raise Offline("The central API sent an answer this app cannot read (ping)")
        return elapsed

    async def download(self, total: int) -> float:
        """Seconds to receive ``total`` bytes, in requests the server allows."""
        elapsed = 0.0
        for size in _split(total, MAX_DOWNLOAD_REQUEST):
            started = time.perf_counter()
            response = await self._call("GET", DOWNLOAD_PATH, params={"bytes": size})
            elapsed += time.perf_counter() - started
            if len(response.content) != size:  # e.g. a captive portal's page instead of our bytes
                raise Offline(f"The central API sent {len(response.content)} bytes instead of {size}")
        return elapsed

    async def upload(self, total: int) -> float:
        """Seconds to send ``total`` bytes, in requests within the server's body size limit."""
        bodies = [(_BLOCK * math.ceil(size / len(_BLOCK)))[:size] for size in _split(total, MAX_UPLOAD_REQUEST)]
        elapsed = 0.0
        for body in bodies:
            started = time.perf_counter()
            response = await self._call("POST", UPLOAD_PATH, content=body)
            elapsed += time.perf_counter() - started
            if _json_field(response, "received") != len(body):
                raise Offline("The central API did not receive the whole upload")
        return elapsed


def _split(total: int, most: int) -> list[int]:
    """``total`` in as few nearly equal parts as possible, none over ``most``."""
    parts = math.ceil(total / most)
    size, extra = divmod(total, parts)
    return [size + 1] * extra + [size] * (parts - extra)


def _mbps(size: int, seconds: float) -> float:
    return size * 8 / max(seconds, 1e-9) / 1e6


def _json_field(response: httpx.Response, name: str) -> Any:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get(name) if isinstance(body, dict) else None


def _detail(response: httpx.Response) -> str:
    detail = _json_field(response, "detail")
    return detail if isinstance(detail, str) else response.text[:200]
