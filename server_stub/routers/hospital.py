"""Hospital users read the transfer packs of residents on their way to, or in, their hospital."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from domain.homes import CareHome
from domain.residents import Resident
from domain.transfer import Transfer
from protocol.errors import ErrorResponse
from server_stub import account_repository, repository
from server_stub.access import HOSPITAL_USER
from server_stub.clock import iso
from server_stub.db import write_transaction
from server_stub.dependencies import ClockDep, ConnectionDep, CurrentAccount

router = APIRouter(prefix="/hospital", tags=["hospital"])


class TransferPack(BaseModel):
    home: CareHome
    resident: Resident
    transfer: Transfer


@router.get("/transfers", response_model=list[TransferPack],
            responses={403: {"model": ErrorResponse, "description": "Hospital users only"}})
def active_transfers(account: CurrentAccount, connection: ConnectionDep, clock: ClockDep) -> list[TransferPack]:
    """Transfers in progress to the account's hospital, each with its resident: every read is audited."""
    if account.role != HOSPITAL_USER or not account.hospital_ods:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only hospital staff read transfer packs here")
    packs = []
    for record in repository.records_of_kind(connection, "transfer"):
        transfer = Transfer.model_validate(record.data)
        hospital = transfer.destination_hospital
        if not transfer.is_active or hospital is None or hospital.ods_code != account.hospital_ods:
            continue
        resident = repository.get_record(connection, "resident", f"{transfer.home_id}/resident/{transfer.resident_id}")
        home = repository.get_record(connection, "care_home", transfer.home_id)
        if resident is None or resident.deleted or home is None:
            continue
        packs.append(TransferPack(home=CareHome.model_validate(home.data),
                                  resident=Resident.model_validate(resident.data), transfer=transfer))
    with write_transaction(connection):
        for pack in packs:
            for record_id, kind in ((pack.transfer.record_id, "transfer"), (pack.resident.record_id, "resident")):
                account_repository.audit(connection, iso(clock()), account.username, "personal_data_read",
                                         record_id, f"{kind} (hospital)")
    return packs
