"""Server-shaped records for seeding a device store in unit tests."""

from __future__ import annotations

from datetime import datetime, timezone

from protocol import Record

HOME_ID = "1-1938268568"


def care_home_record(version: int = 1, home_id: str = HOME_ID) -> Record:
    return Record(
        kind="care_home", id=home_id, home_id=home_id, version=version,
        updated_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
        data={
            "cqc_location_id": home_id, "name": "Allingham House Care Centre",
            "address": "Deansgate Lane, Timperley, Altrincham", "postcode": "WA15 6SQ",
            "local_authority": "Trafford", "with_nursing": True,
            "bed_categories": ["nursing", "nursing_dementia"],
        },
    )


def bed_record(category: str, version: int, home_id: str = HOME_ID, **counts: int) -> Record:
    values = {"max_capacity": 20, "occupied": 15, "vacant_reserved": 1, "vacant_accepting": 4, **counts}
    return Record(
        kind="bed_count", id=f"{home_id}/{category}", home_id=home_id, version=version,
        updated_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
        data={"home_id": home_id, "category": category, **values},
    )
