"""What every report checks first: that the records it is given belong together (one home, one resident)."""

from __future__ import annotations

from collections.abc import Iterable

from domain.homes import CareHome
from domain.residents import Resident
from domain.transfer import Transfer


def check_one_home(home: CareHome, records: Iterable[object]) -> None:
    """Raises ValueError if a record (None: not recorded) is of another home."""
    for record in records:
        home_id = getattr(record, "home_id", None)
        if record is not None and home_id != home.id:
            raise ValueError(f"{type(record).__name__} of home {home_id} given for home {home.id}")


def check_transfer_of(home: CareHome, resident: Resident, transfer: Transfer) -> None:
    """Raises ValueError unless the resident is of the home and the transfer is the resident's."""
    if resident.home_id != home.id or transfer.home_id != home.id:
        raise ValueError(f"resident of home {resident.home_id} and transfer of home {transfer.home_id} "
                         f"given for home {home.id}")
    if transfer.resident_id != resident.resident_id:
        raise ValueError(f"transfer {transfer.transfer_id} is for resident {transfer.resident_id}, "
                         f"not {resident.resident_id}")
