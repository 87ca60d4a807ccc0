"""What every request and answer passes through, before any route: a body size limit (413), values no
model may receive (422), and the headers every answer carries."""

from __future__ import annotations

import json
from email.message import Message as ContentType
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from protocol.wire_values import text_problem, unfit_values


class _HttpMiddleware:
    """Pure ASGI middleware for HTTP requests: anything else (lifespan, websockets) passes straight through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class BodySizeLimit(_HttpMiddleware):
    """Pure ASGI middleware: checks Content-Length up front and counts streamed
    (chunked) bodies as they arrive, so a lying or missing header cannot get
    a large body through."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        super().__init__(app)
        self.max_body_bytes = max_body_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_body_bytes
            except ValueError:
                too_large = False
            if too_large:
                await self._refuse(send)
                return

        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # FastAPI re-raises HTTPException from body reading; its handler answers 413.
                    raise HTTPException(413, self.detail)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except HTTPException as exc:
            if exc.status_code != 413 or response_started:
                raise
            await self._refuse(send)

    @property
    def detail(self) -> str:
        return f"Request body too large (limit {self.max_body_bytes} bytes)"

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": self.detail}).encode()
        await send({
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")],
        })
        await send({"type": "http.response.body", "body": body})


def _is_json(scope: Scope) -> bool:
    """Whether FastAPI would parse this body as JSON (application/json or application/*+json)."""
    declared = dict(scope.get("headers") or []).get(b"content-type")
    if not declared:
        return False
    content_type = ContentType()
    content_type["content-type"] = declared.decode("latin-1")
    subtype = content_type.get_content_subtype()
    return content_type.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


class RefuseUnfitValues(_HttpMiddleware):
    """Pure ASGI middleware: 422 naming the place of any value no model may receive
    (``protocol.wire_values``: NaN or Infinity, a lone surrogate, NUL) in a JSON body, the query or
    the path, before a route parses, stores or echoes it.

    Python's JSON parser accepts all of these; left alone they broke the error answer that echoed them
    (a 500 that also dropped the keep-alive connection) or the database write (PostgreSQL refuses NUL).
    Bodies that are not JSON (a speed test upload) stream through untouched; a JSON body is read whole
    (``BodySizeLimit``, outside this, bounds it) and handed on as it came.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        problems = _url_problems(scope)
        if not _is_json(scope):
            if problems:
                await _drain(receive)  # read what was sent, so the connection can carry the next request
                await _refuse(send, problems)
            else:
                await self.app(scope, receive, send)
            return
        body = await _drain(receive)
        try:
            document = json.loads(body) if body else None
        except ValueError:  # not JSON at all: the framework's own answer (400 or 422) says so
            document = None
        problems += [(("body", *where), problem) for where, problem in unfit_values(document)]
        if problems:
            await _refuse(send, problems)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _url_problems(scope: Scope) -> list[tuple[tuple, str]]:
    problems: list[tuple[tuple, str]] = []
    problem = text_problem(scope.get("path", ""))
    if problem is not None:
        problems.append((("path",), problem))
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):  # decoded as Starlette decodes it
        problem = text_problem(name) or text_problem(value)
        if problem is not None:
            printable = name.encode("utf-8", "backslashreplace").decode("utf-8")
            problems.append((("query", printable), problem))
    return problems


async def _drain(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _refuse(send: Send, problems: list[tuple[tuple, str]]) -> None:
    # The shape of every 422 (FastAPI's validation errors), so the app names the field in plain words.
    detail = [{"type": "value_error", "loc": list(where), "msg": problem} for where, problem in problems]
    body = json.dumps({"detail": detail}).encode()
    await send({
        "type": "http.response.start",
        "status": 422,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders(_HttpMiddleware):
    """Pure ASGI middleware: the headers every answer carries.

    - ``Cache-Control: no-store``: answers hold tokens and personal data; no cache (a shared proxy, the
      browser's disk) keeps them. An answer that sets its own Cache-Control keeps it.
    - ``X-Content-Type-Options: nosniff``: a JSON answer is never run as a script or page.
    - ``X-Frame-Options: DENY`` and ``Content-Security-Policy: frame-ancestors 'none'``: no page frames it.
    - ``Strict-Transport-Security`` when the request came over HTTPS (directly, or through a proxy
      uvicorn trusts with --forwarded-allow-ips), so browsers keep to HTTPS.
    """

    COMMON = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"content-security-policy", b"frame-ancestors 'none'"),
        (b"referrer-policy", b"no-referrer"),
    ]
    NO_STORE = (b"cache-control", b"no-store")
    HSTS = (b"strict-transport-security", b"max-age=31536000")

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        added = list(self.COMMON)
        if scope.get("scheme") == "https":
            added.append(self.HSTS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                extra = [header for header in (*added, self.NO_STORE) if header[0] not in present]
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, with_headers)
