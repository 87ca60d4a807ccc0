from __future__ import annotations

import gzip
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response

from protocol.sync import DEVICE_ID_HEADER, MAX_PAGE, SCHEMA_VERSION_HEADER, PullResponse, PushRequest, PushResponse
from server_stub.dependencies import ClockDep, ConnectionDep, CurrentAccount
from server_stub.errors import upgrade_required
from server_stub.services import sync as sync_service

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post(
    "/push",
    response_model=PushResponse,
    responses={401: {"description": "Not signed in"}, 426: {"description": "The app must be updated"}},
)
def push(body: PushRequest, account: CurrentAccount, connection: ConnectionDep, clock: ClockDep):
    """Apply a batch of mutations, each at most once; answer per mutation."""
    if body.schema_version not in sync_service.SUPPORTED_SCHEMA_VERSIONS:
        return upgrade_required(body.schema_version)
    return sync_service.push(connection, account, body, clock())


RESET_REQUIRED = (
    "This device has been offline longer than the server remembers deletions: "
    "it must download everything again (its unsent changes are kept)"
)


@router.get(
    "/changes",
    response_model=PullResponse,
    responses={
        401: {"description": "Not signed in"},
        410: {"description": "Cursor older than the tombstone horizon: pull again from since=0"},
        426: {"description": "The app must be updated"},
    },
)
def changes(
    account: CurrentAccount,
    connection: ConnectionDep,
    clock: ClockDep,
    since: Annotated[int, Query(ge=0, le=2**63 - 1,
                                description="The cursor from the previous page; 0 for everything")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 500,
    schema_version: Annotated[int | None, Header(alias=SCHEMA_VERSION_HEADER)] = None,
    accept_encoding: Annotated[str | None, Header(include_in_schema=False)] = None,
    device_id: Annotated[UUID | None, Header(alias=DEVICE_ID_HEADER,
                                             description="The device asking (its pulls count as contacts)")] = None,
    count_remaining: Annotated[bool, Query(description=(
        "Count the changes still to come after this page (`remaining`): it reads all of them, so the app asks "
        "on a pull's first page only and counts on; false answers `remaining: null` while there are more"))] = True,
):
    """Records this account may see that changed after `since`, in server order (tombstones included)."""
    if schema_version is not None and schema_version not in sync_service.SUPPORTED_SCHEMA_VERSIONS:
        return upgrade_required(schema_version)
    now = clock()
    if device_id is not None:
        sync_service.note_pull_contact(connection, account, device_id, now)
    try:
        page = sync_service.pull(connection, account, since, limit, now, count_remaining=count_remaining)
    except sync_service.ResetRequired:
        return JSONResponse({"detail": RESET_REQUIRED, "reset": True}, status_code=410)
    # The JSON is written already (response_model above is the contract and the docs; a test holds them equal).
    return page_response(page, accept_encoding)


# A page of 1,000 records is about 400 KB of JSON and about 35 KB gzipped at level 1 (a few ms of CPU): on a
# care home's weak WiFi that is the difference between seconds and a fraction of one per page. Small answers
# (a poll with nothing new) are sent as they are.
GZIP_MIN_BYTES = 16 * 1024
GZIP_LEVEL = 1


def page_response(page: bytes, accept_encoding: str | None) -> Response:
    headers = {"Vary": "Accept-Encoding"}
    if len(page) >= GZIP_MIN_BYTES and accepts_gzip(accept_encoding):
        page = gzip.compress(page, compresslevel=GZIP_LEVEL, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return Response(page, media_type="application/json", headers=headers)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header takes gzip (named, or *, without q=0)."""
    for part in (accept_encoding or "").lower().split(","):
        coding, _, parameters = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            quality = parameters.strip().removeprefix("q=").strip() if parameters.strip().startswith("q=") else "1"
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False

