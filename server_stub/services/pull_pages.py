"""A pull page's JSON, written straight from the stored rows (the wire contract is protocol/sync.py's PullResponse).

A record's data is kept as JSON text (repository.upsert_record writes it), so a page needs no json.loads and
no pydantic model per record: each record's JSON is its few scalar fields around the stored text. That was most
of a page's cost (about 35 ms of CPU per 500 records); this is a few milliseconds. tests/test_pull_pages.py
checks that a page written here validates as PullResponse and equals the page the models give.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timezone

from server_stub.repository import StoredRecord

_string = json.encoder.encode_basestring_ascii  # the C encoder json.dumps uses for a str: quotes and escapes


def record_json(row: StoredRecord) -> str:
    """One Record, its fields in the model's order."""
    return (f'{{"kind":{_string(row.kind)},"id":{_string(row.id)},"home_id":{_string(row.home_id)},'
            f'"version":{int(row.version)},"data":{row.data_text},"updated_at":{_string(row.updated_at)},'
            f'"deleted":{"true" if row.deleted else "false"}}}')


def page_json(rows: Iterable[StoredRecord], *, cursor: int, has_more: bool, remaining: int | None,
              server_time: datetime) -> bytes:
    """A PullResponse as bytes."""
    changes = ",".join(record_json(row) for row in rows)
    moment = server_time.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    remaining_json = "null" if remaining is None else str(int(remaining))
    return (f'{{"changes":[{changes}],"cursor":{int(cursor)},"has_more":{"true" if has_more else "false"},'
            f'"remaining":{remaining_json},"server_time":"{moment}"}}').encode()
