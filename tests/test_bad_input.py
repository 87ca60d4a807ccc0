"""Bad input never becomes a 500 (issue 10, acceptance 6).

A lone UTF-16 surrogate, NaN, Infinity, -Infinity or NUL, put in place of each value of a valid body (and
as a key) of every operation that takes a JSON body, is answered 422 naming where it is; NUL in a path or
query parameter too. The operations are read from the app's OpenAPI document, so a new route is probed
without editing this file. In-process here; on a real server process with SQLite and with PostgreSQL
(which refuses NUL in text), over one keep-alive connection that must survive every probe.
"""

from __future__ import annotations

import http.client
import json
import uuid
from typing import Any, Iterator
from urllib.parse import quote, urlsplit

import pytest

from protocol.sync import SCHEMA_VERSION
from tests.support.auth import DEMO_HOME, sign_in
from tests.support.central_inprocess import bed_mutation, serving
from tests.support.server_process import start_server

NAN, INFINITY = float("nan"), float("inf")
# Each probe: (name, what replaces a string, what replaces any other value).
PROBES = [
    ("lone surrogate", lambda text: text + "\ud800", "\ud800"),
    ("NUL", lambda text: text + "\x00", "\x00"),
    ("NaN", lambda text: NAN, NAN),
    ("Infinity", lambda text: INFINITY, INFINITY),
    ("-Infinity", lambda text: -INFINITY, -INFINITY),
]
# A valid body of each request model the API has today; a model not listed gets one made from its schema.
VALID_BODIES: dict[str, Any] = {
    "SignInRequest": {"username": "demo", "password": "not the password"},
    "RefreshRequest": {"refresh_token": "not-a-refresh-token"},
    "CompleteResetRequest": {"username": "demo", "reset_code": "12345678", "new_password": "a long password 1"},
    "InviteRequest": {"home_id": DEMO_HOME},
    "RegisterRequest": {"invite_code": "12345678", "username": "carer.sam", "display_name": "Sam",
                        "password": "a long password 1"},
    "RoleChangeRequest": {"role": "home_staff", "home_id": DEMO_HOME},
    "PushRequest": {"device_id": str(uuid.uuid4()), "schema_version": SCHEMA_VERSION,
                    "mutations": [bed_mutation(base_version=1)]},
}
PATH_VALUES = {"username": "nobody.here", "home_id": DEMO_HOME}


def _json_body_operations(openapi: dict) -> Iterator[tuple[str, str, str, dict]]:
    """(method, path, model name, its schema) of every operation taking a JSON body."""
    schemas = openapi["components"]["schemas"]
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            if "application/json" in content:
                body = content["application/json"]["schema"]
                # An optional body is "anyOf: [its model, null]".
                ref = body.get("$ref") or next(choice["$ref"] for choice in body["anyOf"] if "$ref" in choice)
                name = ref.rsplit("/", 1)[-1]
                yield method.upper(), path, name, schemas[name]


def _made_from_schema(schema: dict) -> dict:
    """A body with every property of a model not in VALID_BODIES (a new route is still probed)."""
    examples = {"integer": 1, "number": 1.5, "boolean": True, "array": []}
    return {name: examples.get(prop.get("type"), "x") for name, prop in schema.get("properties", {}).items()}


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path


def _replaced(document: Any, path: tuple, make) -> Any:
    if not path:
        return make(document)
    copy = list(document) if isinstance(document, list) else dict(document)
    copy[path[0]] = _replaced(document[path[0]], path[1:], make)
    return copy


def _filled(path: str) -> str:
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    return path


def probes(openapi: dict) -> Iterator[tuple[str, str, bytes, list]]:
    """(method, url, raw JSON body, the location the 422 must name) for every probe."""
    for method, path, name, schema in _json_body_operations(openapi):
        body = VALID_BODIES.get(name) or _made_from_schema(schema)
        for leaf in _leaves(body):
            for _, in_text, otherwise in PROBES:
                probe = _replaced(body, leaf, lambda value, in_text=in_text, otherwise=otherwise: in_text(value) if isinstance(value, str) else otherwise)
                # json.dumps writes NaN and Infinity bare and the surrogate as the escape \ud800, as an attacker would.
                yield method, _filled(path), json.dumps(probe).encode(), ["body", *leaf]
        yield method, _filled(path), json.dumps({**body, "\ud800": 1}).encode(), ["body", "\\ud800"]


def url_probes(openapi: dict) -> Iterator[tuple[str, str, list]]:
    """NUL in each path and query parameter of every operation: (method, url, the location named)."""
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            parameters = operation.get("parameters", []) if isinstance(operation, dict) else []
            for parameter in parameters:
                if parameter["in"] == "path":
                    url = _filled(path.replace("{" + parameter["name"] + "}", "x%00"))
                    yield method.upper(), url, ["path"]
                elif parameter["in"] == "query":
                    yield method.upper(), f"{_filled(path)}?{quote(parameter['name'])}=x%00", ["query", parameter["name"]]


def _assert_refused(status: int, answer: bytes, where: list, what: str) -> None:
    assert status == 422, f"{what}: {status} {answer[:300]!r}"
    named = [error["loc"] for error in json.loads(answer)["detail"]]
    assert where in named, f"{what}: {named}"


# -- in-process (fast lane) ------------------------------------------------------------------------------


@pytest.fixture()
def client(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as test_client:
        yield test_client


def test_every_json_body_operation_is_probed(client):
    openapi = client.get("/openapi.json").json()
    probed = {(method, path) for method, path, _, _ in _json_body_operations(openapi)}
    assert {("POST", "/sync/push"), ("POST", "/auth/sign-in"), ("POST", "/accounts/register")} <= probed


def test_unfit_values_in_any_body_are_422_naming_the_field(client):
    headers = {**sign_in(client), "Content-Type": "application/json"}
    for method, url, body, where in probes(client.get("/openapi.json").json()):
        answer = client.request(method, url, content=body, headers=headers)
        _assert_refused(answer.status_code, answer.content, where, f"{method} {url} {body[:120]!r}")


def test_nul_in_a_path_or_query_parameter_is_422(client):
    headers = sign_in(client)
    for method, url, where in url_probes(client.get("/openapi.json").json()):
        answer = client.request(method, url, headers=headers)
        _assert_refused(answer.status_code, answer.content, where, f"{method} {url}")


def test_a_refused_body_is_described_without_echoing_what_was_sent(client):
    secret = "a secret password that is far too long " * 10
    answer = client.post("/auth/sign-in", json={"username": "demo", "password": secret})
    assert answer.status_code == 422 and "secret" not in answer.text
    assert [error["loc"] for error in answer.json()["detail"]] == [["body", "password"]]


def test_a_valid_body_still_reaches_its_route_unchanged(client):
    answer = client.post("/auth/sign-in", content=json.dumps({"username": "demo", "password": "carehome-demo"}),
                         headers={"Content-Type": "application/json; charset=utf-8"})
    assert answer.status_code == 200, answer.text


# -- real server processes, SQLite and PostgreSQL ----------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def live_api(request, tmp_path):
    if request.param == "sqlite":
        server = start_server(tmp_path / "central.sqlite3")
    else:
        server = start_server(None, database_url=request.getfixturevalue("postgres_url"))
    yield server
    server.stop()


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_probes_on_a_real_server_are_422_and_keep_the_connection(live_api):
    token_headers = sign_in(live_api.url)
    address = urlsplit(live_api.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.request("GET", "/openapi.json")
    first = connection.getresponse()
    openapi = json.loads(first.read())
    kept = connection.sock
    try:
        requests = [(m, u, b, w) for m, u, b, w in probes(openapi)] + [(m, u, b"", w) for m, u, w in url_probes(openapi)]
        for method, url, body, where in requests:
            headers = dict(token_headers)
            if body:
                headers["Content-Type"] = "application/json"
            connection.request(method, url, body=body or None, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
            what = f"{method} {url} {body[:120]!r}"
            _assert_refused(answer.status, content, where, what)
            assert not answer.will_close and connection.sock is kept, f"{what}: the connection was closed"
    finally:
        connection.close()
