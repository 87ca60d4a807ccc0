from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from protocol.sync import MAX_PAGE, PullResponse, PushRequest, PushResponse
from server_stub import sync_service
from server_stub.dependencies import ClockDep, ConnectionDep, CurrentAccount
from server_stub.errors import upgrade_required

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


@router.get("/changes", response_model=PullResponse, responses={401: {"description": "Not signed in"}})
def changes(
    account: CurrentAccount,
    connection: ConnectionDep,
    since: Annotated[int, Query(ge=0, description="The cursor from the previous page; 0 for everything")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 500,
) -> PullResponse:
    """Records this account may see that changed after `since`, in server order."""
    return sync_service.pull(connection, account, since, limit)
