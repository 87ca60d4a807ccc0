"""Hospital users read the transfer packs of residents in their hospital; every read is audited."""

from __future__ import annotations

from datetime import datetime

from domain.homes import CareHome
from domain.residents import Resident
from domain.transfer import Transfer
from protocol.hospital import TransferPack
from protocol.sync import Account
from server_stub import account_repository, repository
from server_stub.clock import iso
from server_stub.db import Connection, home_write_transaction


def active_transfer_packs(connection: Connection, account: Account, now: datetime) -> list[TransferPack]:
    """The active transfers to the account's hospital (account.hospital_ods), each with its resident and home."""
    packs = []
    for record in repository.transfers_to_hospital(connection, account.hospital_ods):
        transfer = Transfer.model_validate(record.data)
        if not transfer.is_active:
            continue
        resident = repository.get_record(connection, "resident", f"{transfer.home_id}/resident/{transfer.resident_id}")
        home = repository.get_record(connection, "care_home", transfer.home_id)
        if resident is None or resident.deleted or home is None:
            continue
        packs.append(TransferPack(home=CareHome.model_validate(home.data),
                                  resident=Resident.model_validate(resident.data), transfer=transfer))
    with home_write_transaction(connection):
        for pack in packs:
            for record_id, kind in ((pack.transfer.record_id, "transfer"), (pack.resident.record_id, "resident")):
                account_repository.audit(connection, iso(now), account.username, "personal_data_read",
                                         record_id, f"{kind} (hospital)")
    return packs
