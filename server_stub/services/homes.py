"""A home's bed state as the central API holds it."""

from __future__ import annotations

from domain.beds import BedCount, HomeStatus
from domain.homes import CareHome
from protocol.homes import BedStateResponse
from protocol.sync import Account
from server_stub import repository
from server_stub.access import may_read_home
from server_stub.db import Connection
from server_stub.services.errors import NotAllowed, NotFound


def bed_state(connection: Connection, account: Account, home_id: str) -> BedStateResponse:
    """The home, its last confirmation and its bed counts in the home's category order, with their versions."""
    if not may_read_home(connection, account, home_id):
        raise NotAllowed("You may not see another home's beds")
    home_record = repository.get_record(connection, "care_home", home_id)
    if home_record is None:
        raise NotFound(f"Unknown care home {home_id!r}")
    home = CareHome.model_validate(home_record.data)
    status_records = repository.records_of_home(connection, home_id, "home_status")
    bed_records = repository.records_of_home(connection, home_id, "bed_count")
    order = {category.value: index for index, category in enumerate(home.bed_categories)}
    bed_records.sort(key=lambda record: (order.get(record.data.get("category"), len(order)), record.id))
    # Keys: "care_home", "home_status" (once confirmed) and each bed category.
    versions = {"care_home": home_record.version}
    if status_records:
        versions["home_status"] = status_records[0].version
    versions.update({record.data["category"]: record.version for record in bed_records})
    return BedStateResponse(
        home=home,
        status=HomeStatus.model_validate(status_records[0].data) if status_records else None,
        beds=[BedCount.model_validate(record.data) for record in bed_records],
        versions=versions,
    )
