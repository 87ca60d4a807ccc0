"""WiFi survey (issue 5): latency, download and upload speed against the real central API on loopback.

Acceptance: the survey measures against the real server and records plausible
numbers; with the server down it records "no connection".
"""

from __future__ import annotations

import asyncio
import math

import httpx
import pytest

from client.sync import AuthExpired, CentralApi
from client.sync.speedtest import MAX_UPLOAD_REQUEST, Measurement, _split, measure
from tests.support.aio import run
from tests.support.auth import DEMO_PASSWORD, DEMO_USER, sign_in

KIB, MIB = 1024, 1024 * 1024


async def _signed_in(url: str) -> CentralApi:
    anonymous = CentralApi(url)
    try:
        signed_in = await anonymous.sign_in(DEMO_USER, DEMO_PASSWORD)
    finally:
        await anonymous.aclose()
    return CentralApi(url, signed_in.token)


async def _survey(url: str, **kwargs) -> Measurement:
    api = await _signed_in(url)
    try:
        return await measure(api, **kwargs)
    finally:
        await api.aclose()


def test_survey_against_the_real_server_records_plausible_numbers(central_api):
    result = run(_survey(central_api.url))

    assert not result.no_connection and result.reason is None
    assert 0 < result.latency_ms < 500
    for mbps in (result.download_mbps, result.upload_mbps):
        assert math.isfinite(mbps) and mbps > 1


def test_uploads_larger_than_the_body_limit_go_in_several_requests(central_api):
    result = run(_survey(central_api.url, download_bytes=9 * MIB, upload_bytes=MAX_UPLOAD_REQUEST * 2 + 1, pings=1))

    assert not result.no_connection, result.reason
    assert result.download_mbps > 1 and result.upload_mbps > 1


def test_with_the_server_down_the_survey_records_no_connection(central_api):
    api = run(_signed_in(central_api.url))
    central_api.stop()
    try:
        result = run(measure(api, timeout=5))
    finally:
        run(api.aclose())

    assert result.no_connection
    assert (result.latency_ms, result.download_mbps, result.upload_mbps) == (None, None, None)
    assert "central API" in result.reason


def test_a_refused_token_asks_to_sign_in_again(central_api):
    async def survey_without_token():
        api = CentralApi(central_api.url, "not-a-valid-token")
        try:
            return await measure(api)
        finally:
            await api.aclose()

    with pytest.raises(AuthExpired):
        run(survey_without_token())


def test_the_endpoints_need_a_signed_in_account(central_api):
    url = central_api.url
    for response in (
        httpx.get(f"{url}/speedtest/ping", timeout=10),
        httpx.get(f"{url}/speedtest/download", params={"bytes": 4096}, timeout=10),
        httpx.post(f"{url}/speedtest/upload", content=b"x" * 4096, timeout=10),
    ):
        assert response.status_code == 401, response.request.url
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_download_sizes_are_bounded(central_api):
    url, headers = central_api.url, sign_in(central_api.url)

    for size in (KIB, 8 * MIB):
        response = httpx.get(f"{url}/speedtest/download", params={"bytes": size}, headers=headers, timeout=10)
        assert response.status_code == 200
        assert len(response.content) == size == int(response.headers["Content-Length"])
        assert response.headers["Content-Type"] == "application/octet-stream"
        assert response.headers["Cache-Control"] == "no-store"
    for size in (0, KIB - 1, 8 * MIB + 1, -1):
        response = httpx.get(f"{url}/speedtest/download", params={"bytes": size}, headers=headers, timeout=10)
        assert response.status_code == 422, size


def test_uploads_are_counted_and_bounded_by_the_body_limit(central_api):
    url, headers = central_api.url, sign_in(central_api.url)

    response = httpx.post(f"{url}/speedtest/upload", content=b"x" * MAX_UPLOAD_REQUEST, headers=headers, timeout=10)
    assert response.status_code == 200 and response.json() == {"received": MAX_UPLOAD_REQUEST}
    response = httpx.post(f"{url}/speedtest/upload", content=b"x" * (MAX_UPLOAD_REQUEST + 1), headers=headers, timeout=10)
    assert response.status_code == 413


@pytest.mark.parametrize(("total", "most"), [(1, 10), (10, 10), (11, 10), (25 * MIB + 3, 8 * MIB)])
def test_split_makes_few_nearly_equal_parts_within_the_limit(total, most):
    parts = _split(total, most)
    assert sum(parts) == total and max(parts) <= most and max(parts) - min(parts) <= 1
    assert len(parts) == math.ceil(total / most)


def test_a_server_error_or_no_answer_in_time_is_no_connection():
    async def survey(handler, timeout):
        async def answer(request: httpx.Request) -> httpx.Response:
            return await handler(request)

        api = CentralApi("http://central.invalid", "token", transport=httpx.MockTransport(answer))
        try:
            return await measure(api, timeout=timeout)
        finally:
            await api.aclose()

    async def unavailable(request):
        return httpx.Response(503, json={"detail": "Database unavailable"})

    async def hanging(request):
        await asyncio.sleep(5)
        return httpx.Response(200, json={"status": "ok"})

    result = run(survey(unavailable, timeout=5))
    assert result.no_connection and "not working just now" in result.reason and result.latency_ms is None
    result = run(survey(hanging, timeout=0.2))
    assert result.no_connection and "within 0.2 s" in result.reason and result.download_mbps is None
