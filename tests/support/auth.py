"""Signing in to the central API from a test: one helper for in-process apps and real processes alike.

``http`` is a client with a base URL (FastAPI's ``TestClient``, an ``httpx.Client``) or the
server's URL as a string:

    headers = sign_in(client)                          # the demo manager; fails unless signed in
    headers = sign_in(server.url, "admin")
    token = sign_in_token(client, "hospital")          # the bare token (to tamper with, say)
    answer = sign_in_answer(client, "demo", "wrong")   # the raw answer, for tests of refusals
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.timing import scaled

DEMO_USER, DEMO_PASSWORD, DEMO_HOME = "demo", "carehome-demo", "1-1938268568"


def sign_in_answer(http: Any, username: str = DEMO_USER, password: str = DEMO_PASSWORD) -> httpx.Response:
    body = {"username": username, "password": password}
    if isinstance(http, str):
        return httpx.post(f"{http}/auth/sign-in", json=body, timeout=scaled(10))
    return http.post("/auth/sign-in", json=body)


def sign_in_token(http: Any, username: str = DEMO_USER, password: str = DEMO_PASSWORD) -> str:
    answer = sign_in_answer(http, username, password)
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def sign_in(http: Any, username: str = DEMO_USER, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """The Authorization header of a fresh sign-in."""
    return bearer(sign_in_token(http, username, password))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
