"""OpenAPI-driven fuzzing of the live central API (issue 4, acceptance point 4).

A real ``python -m server_stub`` process on loopback, with a fresh SQLite file,
serves its own OpenAPI document; Schemathesis reads it and sends every
operation generated requests, valid ones (positive mode) and invalid ones
(negative mode), once without credentials and once with the demo manager's
bearer token. Every response must:

- not be a server error (5xx),
- carry a status code the operation documents,
- carry a content type the operation documents for that status,
- have a body (and headers) that match the documented schema for that status.

No check is switched off. (Not run: negative_data_rejection and
positive_data_acceptance, which judge whether the API accepts what its schema
allows rather than whether its answers match the schema, and the stateful
phase, which chains calls through links the document does not declare.)
The run is bounded (``MAX_EXAMPLES`` per operation and credential mode) and deterministic (Hypothesis ``derandomize``: the same schema gives
the same requests on every run), so CI is stable and fast.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.auth import sign_in_token
from tests.support.server_process import start_server

pytestmark = pytest.mark.slow  # a real server process, fuzzed


def _operations_of_the_app() -> list[tuple[str, str]]:
    """Every operation the central API declares, read at collection time from an
    in-process app on a throwaway database, so a new route is fuzzed without
    editing this file (test_live_schema_has_the_collected_operations checks that
    the live server declares the same set)."""
    from server_stub.app import create_app
    from server_stub.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(database_url=f"sqlite:///{Path(folder).resolve()}/schema.sqlite3", seed_demo=False))
        paths = app.openapi()["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method in item if method in HTTP_METHODS]


HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
OPERATIONS = _operations_of_the_app()
ANONYMOUS, SIGNED_IN = "anonymous", "signed-in"

# Generated requests per operation and credential mode; measured: the whole file
# takes about 30-40 s on 2 cores (sign-in and registration hash passwords on purpose).
MAX_EXAMPLES = 150
# SQLite (and PostgreSQL's BIGINT) store integers in 64 bits. Random generation
# seldom draws numbers that large, so every integer parameter without a
# documented maximum is also sent at one past the largest 64-bit integer.
PAST_INT64 = 2**63

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

# Cases that fail because of a defect outside this file's reach. Each names the
# fix; once it lands the strict xfail turns into an XPASS failure, and the entry
# must be removed.
# Cases known to fail, each with the fix it waits for (strict: a fixed one must be removed from here).
KNOWN_FAILURES: dict[tuple[str, str, str], str] = {}


def _cases():
    for method, path in OPERATIONS:
        for auth in (ANONYMOUS, SIGNED_IN):
            reason = KNOWN_FAILURES.get((method, path, auth))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(method, path, auth, marks=marks, id=f"{method} {path} {auth}")


@pytest.fixture(scope="module")
def live_api(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("fuzz") / "central.sqlite3")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api_schema(live_api):
    return schemathesis.openapi.from_url(f"{live_api.url}/openapi.json")


ENDS_THE_SESSION = {"/auth/sign-out"}


@pytest.fixture(scope="module")
def bearer_tokens(live_api) -> dict[str, str]:
    """Signed in before any fuzzing (fuzzing sign-in soon meets its rate limit): one session for every
    operation, and one of its own for signing out, which ends the session it is sent with."""
    return {"session": sign_in_token(live_api.url), "sign_out": sign_in_token(live_api.url)}


def test_live_schema_has_the_collected_operations(api_schema):
    """Nothing goes unfuzzed: the live server declares exactly the operations parametrized below."""
    live = {(result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()}
    assert live == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path", "auth"), list(_cases()))
def test_operation_conforms_to_its_schema(api_schema, live_api, bearer_tokens, method, path, auth):
    operation = api_schema[path][method]
    token = bearer_tokens["sign_out" if path in ENDS_THE_SESSION else "session"]
    headers = {"Authorization": f"Bearer {token}"} if auth == SIGNED_IN else {}
    strategies = [
        operation.as_strategy(generation_mode=mode, headers=headers)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    strategies += [
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE, **_fixed(location, name, PAST_INT64, headers))
        for location, name in _unbounded_integer_parameters(api_schema.raw_schema["paths"][path][method.lower()])
    ]
    strategy = st.one_of(strategies)

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def fuzz(case):
        case.call_and_validate(base_url=live_api.url, checks=CHECKS, timeout=10)

    fuzz()
    if auth == SIGNED_IN and path not in ENDS_THE_SESSION:
        # The run above only tested the signed-in paths if the token stayed good throughout.
        still = httpx.get(f"{live_api.url}/sync/changes", params={"limit": 1}, headers=headers, timeout=10)
        assert still.status_code == 200, f"the fuzzed requests ended the demo session: {still.status_code} {still.text}"


def _unbounded_integer_parameters(operation: dict) -> list[tuple[str, str]]:
    """(location, name) of the operation's integer parameters that document no maximum."""
    found = []
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        variants = schema.get("anyOf", [schema])
        if any(variant.get("type") == "integer" and "maximum" not in variant for variant in variants):
            found.append((parameter["in"], parameter["name"]))
    return found


def _fixed(location: str, name: str, value: int, headers: dict[str, str]) -> dict:
    """as_strategy() arguments that pin one parameter to ``value`` (the others are still generated)."""
    if location == "header":
        return {"headers": {**headers, name: str(value)}}
    keyword = {"query": "query", "path": "path_parameters", "cookie": "cookies"}[location]
    return {"headers": headers, keyword: {name: value}}
