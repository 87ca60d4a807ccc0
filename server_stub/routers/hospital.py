"""Hospital users read the transfer packs of residents on their way to, or in, their hospital."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from protocol.errors import ErrorResponse
from protocol.hospital import TransferPack
from server_stub.access import HOSPITAL_USER
from server_stub.dependencies import ClockDep, ConnectionDep, CurrentAccount
from server_stub.services import hospital

router = APIRouter(prefix="/hospital", tags=["hospital"])


@router.get("/transfers", response_model=list[TransferPack],
            responses={403: {"model": ErrorResponse, "description": "Hospital users only"}})
def active_transfers(account: CurrentAccount, connection: ConnectionDep, clock: ClockDep) -> list[TransferPack]:
    """Transfers in progress to the account's hospital, each with its resident: every read is audited."""
    if account.role != HOSPITAL_USER or not account.hospital_ods:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only hospital staff read transfer packs here")
    return hospital.active_transfer_packs(connection, account, clock())
