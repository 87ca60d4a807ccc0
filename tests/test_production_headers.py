"""Production headers and docs (issue 10, section 6): every answer is kept out of caches, never sniffed or
framed, HSTS over HTTPS; a production server (--no-demo) serves no interactive docs unless --docs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server_stub.__main__ import parse_args
from tests.support.auth import sign_in, sign_in_answer
from tests.support.central_inprocess import make_app, serving

EVERY_ANSWER = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
}


@pytest.fixture()
def client(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database, max_body_bytes=1000) as test_client:
        yield test_client


def test_every_answer_carries_the_security_headers(client):
    signed_in = sign_in_answer(client)
    headers = sign_in(client)
    answers = {
        "token": signed_in,
        "personal data and records": client.get("/sync/changes", headers=headers),
        "health": client.get("/health"),
        "not signed in": client.get("/sync/changes"),
        "invalid body": client.post("/auth/sign-in", json={}),
        "unfit value": client.post("/auth/sign-in", content=b'{"username": NaN}',
                                   headers={"Content-Type": "application/json"}),
        "too large": client.post("/auth/sign-in", content=b"x" * 2000, headers={"Content-Type": "application/json"}),
        "not found": client.get("/nowhere"),
    }
    statuses = {what: answer.status_code for what, answer in answers.items()}
    assert statuses == {"token": 200, "personal data and records": 200, "health": 200, "not signed in": 401,
                        "invalid body": 422, "unfit value": 422, "too large": 413, "not found": 404}
    for what, answer in answers.items():
        for name, value in EVERY_ANSWER.items():
            assert answer.headers.get(name) == value, (what, answer.status_code, name, answer.headers)
        assert "strict-transport-security" not in answer.headers, what  # plain HTTP: a browser ignores it anyway


def test_an_answer_over_https_asks_browsers_to_keep_to_https(tmp_path, demo_database):
    app, _ = make_app(tmp_path / "central.sqlite3", template=demo_database)
    with TestClient(app, base_url="https://central.example") as client:
        answer = client.get("/health")
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    assert int(answer.headers["strict-transport-security"].removeprefix("max-age=")) >= 180 * 24 * 60 * 60


def _docs_served(tmp_path, **settings) -> dict[str, int]:
    app, _ = make_app(tmp_path / "central.sqlite3", **settings)
    with TestClient(app) as client:
        return {path: client.get(path).status_code for path in ("/docs", "/redoc", "/openapi.json")}


def test_production_serves_no_interactive_docs_unless_asked(tmp_path):
    assert _docs_served(tmp_path, seed_demo=False) == {"/docs": 404, "/redoc": 404, "/openapi.json": 200}
    assert _docs_served(tmp_path, seed_demo=False, api_docs=True) == {"/docs": 200, "/redoc": 404,
                                                                      "/openapi.json": 200}


def test_the_docs_load_nothing_from_a_cdn(tmp_path):
    """Every script, style sheet and icon of the docs page comes from this server."""
    import re

    app, _ = make_app(tmp_path / "central.sqlite3", seed_demo=False, api_docs=True)
    with TestClient(app) as client:
        page = client.get("/docs").text
        linked = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
        assert linked and all(link.startswith("/") for link in linked), linked
        assert "//" not in "".join(linked) and "cdn" not in page.lower()
        for link in linked:
            assert client.get(link).status_code == 200, link


def test_the_demo_serves_the_docs_unless_told_not_to(tmp_path, demo_database):
    assert _docs_served(tmp_path, template=demo_database)["/docs"] == 200
    assert _docs_served(tmp_path, template=demo_database, api_docs=False)["/docs"] == 404


def test_the_command_line_asks_for_docs_with_docs():
    assert parse_args(["--no-demo", "--docs"]).api_docs is True
    assert "api_docs" not in parse_args(["--no-demo"]).model_fields_set
