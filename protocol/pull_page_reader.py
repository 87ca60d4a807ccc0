"""Reading a pull page fast: parsed by pydantic-core's JSON parser, checked here as the wire model checks it.

PullResponse (protocol/sync.py) is the contract; this is how the app reads it. Validating a 1,000-record page through it (a Record model
per record) took about 17 ms of the device's CPU, five times the parse alone: on an England commissioner's
first sync (45 pages) that was most of the device's time. So a page is parsed into plain values and each
record checked field by field for what the model requires (the names, the types, nothing extra); anything
else is refused as the model would refuse it (ValueError: the engine treats the answer as no answer).
tests/test_pull_page_reader.py holds this reader to the model on good pages and bad ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pydantic_core

_PAGE_FIELDS = frozenset({"changes", "cursor", "has_more", "remaining", "server_time"})
_RECORD_FIELDS = frozenset({"kind", "id", "home_id", "version", "data", "updated_at", "deleted"})
_RECORD_REQUIRED = _RECORD_FIELDS - {"deleted"}


@dataclass(frozen=True, slots=True)
class PulledRecord:
    """One record of a pull page (the fields of protocol.sync.Record)."""

    kind: str
    id: str
    home_id: str
    version: int
    data: dict[str, Any]
    updated_at: datetime
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class PulledPage:
    """A pull page (the fields of protocol.sync.PullResponse)."""

    changes: list[PulledRecord]
    cursor: int
    has_more: bool
    remaining: int | None = 0
    server_time: datetime | None = None


def read_pull_page(content: bytes) -> PulledPage:
    """The page in `content`, or ValueError where PullResponse would refuse it."""
    page = pydantic_core.from_json(content)
    if type(page) is not dict or not page.keys() <= _PAGE_FIELDS:
        raise ValueError("not a pull page")
    changes, cursor, has_more = page.get("changes"), page.get("cursor"), page.get("has_more")
    remaining, server_time = page.get("remaining", 0), page.get("server_time")
    if type(changes) is not list or type(cursor) is not int or type(has_more) is not bool:
        raise ValueError("a pull page needs changes, cursor and has_more")
    if remaining is not None and (type(remaining) is not int or remaining < 0):
        raise ValueError("remaining: a count")
    return PulledPage([_record(change) for change in changes], cursor, has_more, remaining,
                      None if server_time is None else _time(server_time))


def _record(change: Any) -> PulledRecord:
    if type(change) is not dict or not change.keys() <= _RECORD_FIELDS or not _RECORD_REQUIRED <= change.keys():
        raise ValueError("not a record")
    kind, record_id, home_id, version = change["kind"], change["id"], change["home_id"], change["version"]
    data, deleted = change["data"], change.get("deleted", False)
    if (type(kind) is not str or type(record_id) is not str or type(home_id) is not str or type(version) is not int
            or type(data) is not dict or type(deleted) is not bool):
        raise ValueError("a record's field of the wrong type")
    return PulledRecord(kind, record_id, home_id, version, data, _time(change["updated_at"]), deleted)


def _time(value: Any) -> datetime:
    if type(value) is not str:
        raise ValueError("a time is ISO 8601 text")
    return datetime.fromisoformat(value)  # ValueError if it is not one
