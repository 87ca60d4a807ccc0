"""WiFi survey endpoints: the app measures latency, download and upload speed against these.

All three need a signed-in account, so the central API is not an open
bandwidth amplifier. Downloads are bounded (``domain.speed_test``: 1 KiB .. 8 MiB) and served from
one precomputed block of random bytes; uploads are read and discarded, and
the body size limit (``Settings.max_body_bytes``, 1 MiB by default, enforced
by ``middleware.BodySizeLimit``) applies, so the app uploads in requests of
at most that size.
"""

from __future__ import annotations

import os
from typing import Annotated, AsyncIterator

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from domain.speed_test import DEFAULT_DOWNLOAD_REQUEST, KIB, MAX_DOWNLOAD_REQUEST, MIN_DOWNLOAD_REQUEST
from protocol.speedtest import DOWNLOAD_PATH, PING_PATH, UPLOAD_PATH, SpeedtestPing, SpeedtestUpload
from server_stub.dependencies import CurrentAccount

router = APIRouter(tags=["speedtest"])

# Generated once per process: incompressible, and no per-request work beyond slicing.
_BLOCK = memoryview(os.urandom(64 * KIB))
NO_STORE = {"Cache-Control": "no-store"}

NOT_SIGNED_IN = {401: {"description": "Not signed in, or the session has expired"}}
BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(PING_PATH, response_model=SpeedtestPing, responses=NOT_SIGNED_IN)
def ping(account: CurrentAccount) -> SpeedtestPing:
    """A tiny answer for measuring round-trip latency."""
    return SpeedtestPing()


async def _random_bytes(size: int) -> AsyncIterator[bytes]:
    remaining = size
    while remaining > 0:
        chunk = _BLOCK[: min(remaining, len(_BLOCK))]
        remaining -= len(chunk)
        yield bytes(chunk)


@router.get(
    DOWNLOAD_PATH,
    response_class=StreamingResponse,
    responses={
        200: {"description": "Exactly `bytes` random bytes", "content": {"application/octet-stream": BINARY}},
        **NOT_SIGNED_IN,
        422: {"description": f"`bytes` outside {MIN_DOWNLOAD_REQUEST}..{MAX_DOWNLOAD_REQUEST}"},
    },
)
def download(
    account: CurrentAccount,
    size: Annotated[int, Query(alias="bytes", ge=MIN_DOWNLOAD_REQUEST, le=MAX_DOWNLOAD_REQUEST,
                               description="How many bytes to send")] = DEFAULT_DOWNLOAD_REQUEST,
) -> StreamingResponse:
    """Stream ``bytes`` random bytes (not cacheable)."""
    return StreamingResponse(
        _random_bytes(size),
        media_type="application/octet-stream",
        headers={"Content-Length": str(size), **NO_STORE},
    )


@router.post(
    UPLOAD_PATH,
    response_model=SpeedtestUpload,
    responses={**NOT_SIGNED_IN, 413: {"description": "Request body too large (the server's body size limit)"}},
    openapi_extra={
        "requestBody": {"required": False, "content": {"application/octet-stream": BINARY}},
    },
)
async def upload(request: Request, account: CurrentAccount) -> SpeedtestUpload:
    """Read the body (any content type) and discard it; answer how many bytes arrived."""
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
    return SpeedtestUpload(received=received)
