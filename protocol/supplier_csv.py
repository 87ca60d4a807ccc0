"""The supplier API's CSV upload (POST /supplier/beds.csv), for councils without an API of their own.

One row per home and bed category, with a header row:

    cqc_location_id,as_at,category,max_capacity,occupied,vacant_reserved,vacant_accepting
    1-10000302982,2026-11-25T09:05:00Z,nursing,30,26,1,3

A home's rows must share one as_at. The file becomes a bulk request (protocol.suppliers), checked by the
same rules; a row that breaks one refuses the file with its line number, before anything is applied.
"""

from __future__ import annotations

import csv
import io

from pydantic import ValidationError

from domain.messages import describe
from protocol.suppliers import MAX_HOMES_PER_REQUEST, BulkBedStateUpdate, HomeBedStateUpdate

COLUMNS = ("cqc_location_id", "as_at", "category", "max_capacity", "occupied", "vacant_reserved", "vacant_accepting")
EXAMPLE = ",".join(COLUMNS) + "\r\n1-10000302982,2026-11-25T09:05:00Z,nursing,30,26,1,3\r\n"
MAX_ROWS = MAX_HOMES_PER_REQUEST * 8


class UnreadableCsv(ValueError):
    """The file cannot become a bulk request; the message names the line and column, in plain words."""


def read_bed_states(data: bytes) -> BulkBedStateUpdate:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableCsv("The file is not UTF-8 text: save it as CSV (UTF-8)") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise UnreadableCsv(f"line 1: the header row lacks {', '.join(missing)} (expected: {','.join(COLUMNS)})")
    homes: dict[str, dict] = {}
    lines: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise UnreadableCsv(f"The file has more than {MAX_ROWS} rows: send it in parts")
        values = {column: (row.get(column) or "").strip() for column in COLUMNS}
        if not any(values.values()):
            continue
        home_id = values["cqc_location_id"]
        home = homes.setdefault(home_id, {"home_id": home_id, "as_at": values["as_at"], "beds": []})
        lines.setdefault(home_id, number)
        if home["as_at"] != values["as_at"]:
            raise UnreadableCsv(f"line {number}: as_at: every row of home {home_id} must have the same as_at")
        home["beds"].append({column: values[column] for column in COLUMNS[2:]})
    if not homes:
        raise UnreadableCsv("The file has no rows under its header")
    parsed = []
    for home_id, home in homes.items():
        try:
            parsed.append(HomeBedStateUpdate.model_validate(home))
        except ValidationError as exc:
            raise UnreadableCsv(f"home {home_id} (from line {lines[home_id]}): {describe(exc.errors()[0])}") from None
    try:
        return BulkBedStateUpdate(homes=parsed)
    except ValidationError as exc:
        raise UnreadableCsv(describe(exc.errors()[0])) from None
