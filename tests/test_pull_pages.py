"""A pull page written straight from the stored JSON text (server_stub/services/pull_pages.py) is the page the
wire models give: it validates as PullResponse and equals, field by field, the page built record by record
through pydantic. And `remaining` is counted only when asked (count_remaining), older apps always asking."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from protocol.sync import Account, PullResponse
from server_stub import repository
from server_stub.access import scope_of
from server_stub.demo_data import DEMO_HOME_ID
from server_stub.routers.sync import GZIP_MIN_BYTES, accepts_gzip
from server_stub.schema import records
from server_stub.services import sync as sync_service
from tests.support.auth import sign_in
from tests.support.central_inprocess import make_app

COMMISSIONER = Account(username="c", display_name="c", role="commissioner", area="la:Trafford")
MANAGER = Account(username="demo", display_name="Demo", role="home_manager", home_id=DEMO_HOME_ID)

# Data texts as the database may hold them: written by json.dumps with other separators, with raw UTF-8, escapes,
# numbers of every shape, nesting and nulls. The page carries the text as it is; it must still be the same record.
AWKWARD_DATA = [
    '{"name": "Caf\\u00e9 \\u201cquoted\\u201d", "note": "line\\nbreak \\"q\\" back\\\\slash \\t tab"}',
    '{"name":"Café Ünïcode – “raw”","emoji":"\U0001F3E5","empty":{},"list":[1,2.5,-3e-7,1E+20,null,true,false]}',
    '{"deep":{"a":[{"b":{"c":[[]]}}]},"big":123456789012345678901234567890,"zero":-0.0}',
    '{ "spaced" : [ 1 , 2 ] , "nothing" : null }',
]


def model_page(rows, *, since, limit, remaining, now) -> PullResponse:
    """The page as it was built before: a Record model per row, then pydantic's JSON."""
    page = rows[:limit]
    return PullResponse(changes=[row.to_wire() for row in page if not (since == 0 and row.deleted)],
                        cursor=page[-1].version if page else since, has_more=len(rows) > limit,
                        remaining=remaining, server_time=now)


def as_values(page: dict) -> dict:
    """JSON values, times as instants (the stored text says +00:00 where pydantic writes Z: the same time)."""
    for change in page["changes"]:
        change["updated_at"] = datetime.fromisoformat(change["updated_at"].replace("Z", "+00:00"))
    page["server_time"] = datetime.fromisoformat(page["server_time"].replace("Z", "+00:00"))
    return page


@pytest.fixture()
def app(tmp_path, demo_database):
    app, clock = make_app(tmp_path / "central.sqlite3", template=demo_database)
    with app.state.engine.begin() as connection:
        # Awkward data in some of the Trafford homes' records, and a tombstone among them.
        ids = connection.execute(records.select().where(records.c.kind == "bed_count")
                                 .order_by(records.c.version).limit(len(AWKWARD_DATA) + 1)).fetchall()
        for row, text in zip(ids, AWKWARD_DATA, strict=False):
            connection.execute(update(records).where(records.c.kind == row.kind, records.c.id == row.id)
                               .values(data=text))
        tombstone = ids[-1]
        connection.execute(update(records).where(records.c.kind == tombstone.kind, records.c.id == tombstone.id)
                           .values(deleted=1))
    app.clock = clock
    app.awkward_ids = {row.id for row in ids}
    return app


@pytest.mark.parametrize("account", [COMMISSIONER, MANAGER], ids=["commissioner", "manager"])
def test_a_page_from_the_stored_text_is_the_page_the_models_give(app, account):
    scope = scope_of(account)
    now = app.clock()
    with app.state.engine.connect() as connection:
        everything = repository.changes_since(connection, scope, 0, 100_000)
        versions = [0] + [row.version for row in everything]
        compared = set()
        for since in (versions[0], versions[1], versions[len(versions) // 2], versions[-2], versions[-1]):
            for limit in (1, 7, 1000):
                raw = sync_service.pull(connection, account, since, limit, now)
                rows = repository.changes_since(connection, scope, since, limit + 1)
                remaining = repository.count_changes_since(connection, scope, rows[limit - 1].version) \
                    if len(rows) > limit else 0
                expected = model_page(rows, since=since, limit=limit, remaining=remaining, now=now)
                assert PullResponse.model_validate_json(raw) == expected
                assert as_values(json.loads(raw)) == as_values(json.loads(expected.model_dump_json()))
                compared |= {change.id for change in expected.changes}
    if account is COMMISSIONER:  # her area holds the awkward records and the tombstone: they were compared
        assert app.awkward_ids <= compared


def test_remaining_is_counted_on_request_only(app):
    with TestClient(app) as client:
        headers = sign_in(client, "commissioner")
        first = client.get("/sync/changes", params={"limit": 10}, headers=headers).json()
        rest = client.get("/sync/changes", params={"since": first["cursor"], "limit": 1000}, headers=headers).json()
        assert first["has_more"] and not rest["has_more"] and first["remaining"] == len(rest["changes"]) > 20
        # The app's later pages: not counted (null), until the last one, which has nothing after it.
        later = client.get("/sync/changes", params={"since": first["cursor"], "limit": 10, "count_remaining": "false"},
                           headers=headers).json()
        assert later["remaining"] is None and later["has_more"] and len(later["changes"]) == 10
        assert PullResponse.model_validate(later).remaining is None
        last = client.get("/sync/changes", params={"since": later["cursor"], "limit": 1000,
                                                    "count_remaining": "false"}, headers=headers).json()
        assert last["remaining"] == 0 and not last["has_more"] and len(last["changes"]) == len(rest["changes"]) - 10
        # An older app never sends the flag: counted on every page, as before.
        older = client.get("/sync/changes", params={"since": first["cursor"], "limit": 10}, headers=headers).json()
        assert older["remaining"] == len(rest["changes"]) - 10


def test_a_large_page_is_gzipped_for_an_app_that_takes_gzip(app):
    with TestClient(app) as client:
        headers = sign_in(client, "commissioner")
        plain = client.get("/sync/changes", params={"limit": 1000}, headers={**headers, "Accept-Encoding": "identity"})
        assert "Content-Encoding" not in plain.headers and len(plain.content) >= GZIP_MIN_BYTES
        zipped = client.get("/sync/changes", params={"limit": 1000}, headers={**headers, "Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip" and zipped.num_bytes_downloaded < len(plain.content) / 4
        assert json.loads(zipped.content)["changes"] == json.loads(plain.content)["changes"]  # decoded by httpx
        small = client.get("/sync/changes", params={"limit": 1}, headers={**headers, "Accept-Encoding": "gzip"})
        assert "Content-Encoding" not in small.headers  # a poll's few bytes are sent as they are


@pytest.mark.parametrize(("header", "gzip"), [
    ("gzip, deflate", True), ("br;q=1.0, gzip;q=0.8", True), ("*", True), ("identity", False), (None, False),
    ("gzip;q=0", False), ("deflate, *;q=0", False), ("GZIP", True), ("gzip;q=nonsense", False),
])
def test_accept_encoding_is_read_as_http_says(header, gzip):
    assert accepts_gzip(header) is gzip
