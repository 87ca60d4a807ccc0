from __future__ import annotations

from fastapi import APIRouter

from protocol.homes import BedStateResponse
from server_stub.dependencies import ConnectionDep, CurrentAccount
from server_stub.services import homes

router = APIRouter(prefix="/homes", tags=["homes"])


@router.get(
    "/{home_id}/bed-state",
    response_model=BedStateResponse,
    responses={403: {"description": "Another home"}, 404: {"description": "Unknown home"}},
)
def bed_state(home_id: str, account: CurrentAccount, connection: ConnectionDep) -> BedStateResponse:
    """The home's current bed state as the central API holds it."""
    return homes.bed_state(connection, account, home_id)
