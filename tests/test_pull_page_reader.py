"""The app's fast reader of pull pages (protocol/pull_page_reader.py) reads what PullResponse reads, the same,
and refuses what it refuses (the engine then treats the answer as no answer), and a little more."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from protocol.pull_page_reader import read_pull_page
from protocol.sync import PullResponse

RECORD = {"kind": "bed_count", "id": "1-1/nursing", "home_id": "1-1", "version": 7,
          "data": {"name": "Café “quoted”", "n": [1, 2.5, None, True], "deep": {"a": {}}},
          "updated_at": "2026-12-02T09:00:00.000000+00:00", "deleted": False}
PAGE = {"changes": [RECORD, {**RECORD, "id": "1-1/nursing_dementia", "version": 8, "deleted": True,
                             "updated_at": "2026-12-02T09:00:01Z"}],
        "cursor": 8, "has_more": True, "remaining": 12, "server_time": "2026-12-02T09:00:02.5Z"}


def as_model_fields(page) -> dict:
    return {"changes": [{field: getattr(change, field) for field in RECORD} for change in page.changes],
            **{field: getattr(page, field) for field in ("cursor", "has_more", "remaining", "server_time")}}


@pytest.mark.parametrize("page", [
    PAGE,
    {**PAGE, "remaining": None},  # not counted (count_remaining=false)
    {"changes": [], "cursor": 3, "has_more": False},  # an older server's defaults
    {**PAGE, "changes": [{key: value for key, value in RECORD.items() if key != "deleted"}]},
])
def test_a_good_page_reads_as_the_model_reads_it(page):
    body = json.dumps(page).encode()
    assert as_model_fields(read_pull_page(body)) == as_model_fields(PullResponse.model_validate_json(body))


def spoiled(change=None, **page):
    return json.dumps({**PAGE, **page, **({"changes": [{**RECORD, **change}]} if change else {})}).encode()


@pytest.mark.parametrize("body", [
    b"<html>Sign in to the hotel WiFi</html>", b"", b"[]", b'{"changes": []}', b"null",
    spoiled(remaining=-1), spoiled(changes={"a": 1}),
    spoiled(surprise=1), spoiled(server_time="yesterday"),
    spoiled({"kind": 3}), spoiled({"id": None}), spoiled({"version": 7.5}), spoiled({"data": [1]}),
    spoiled({"data": "{}"}), spoiled({"updated_at": "soon"}), spoiled({"extra": 1}),
    json.dumps({**PAGE, "changes": [{key: value for key, value in RECORD.items() if key != "home_id"}]}).encode(),
    json.dumps({**PAGE, "changes": [RECORD, 5]}).encode(),
])
def test_a_page_the_model_refuses_is_refused(body):
    with pytest.raises(ValidationError):
        PullResponse.model_validate_json(body)
    with pytest.raises(ValueError):
        read_pull_page(body)


@pytest.mark.parametrize("body", [spoiled(cursor="8"), spoiled(has_more="yes"), spoiled({"deleted": "no"}),
                                  spoiled({"version": "7"})])
def test_text_where_a_number_or_a_yes_no_belongs_is_refused_too(body):
    """The model would convert these (pydantic's lax mode); the server never sends them: refused, not guessed."""
    with pytest.raises(ValueError):
        read_pull_page(body)
