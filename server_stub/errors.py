"""Error answers: always JSON {"detail": ...}, never internals."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from protocol.sync import SCHEMA_VERSION

logger = logging.getLogger("server_stub")

SYNC_PUSH_PATH = "/sync/push"


def outdated_schema_detail(client_version: int) -> str:
    if client_version > SCHEMA_VERSION:
        return (
            f"This app is newer than the central API (server speaks schema version {SCHEMA_VERSION}): "
            "please try again later"
        )
    return f"This app is out of date: please update it (server speaks schema version {SCHEMA_VERSION})"


def upgrade_required(client_version: int) -> JSONResponse:
    return JSONResponse({"detail": outdated_schema_detail(client_version)}, status_code=status.HTTP_426_UPGRADE_REQUIRED)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # An old app's batch may not even parse under today's contract; tell it to
    # update (426) rather than listing field errors it cannot fix.
    body = getattr(exc, "body", None)
    if request.url.path == SYNC_PUSH_PATH and isinstance(body, dict):
        from server_stub.sync_service import SUPPORTED_SCHEMA_VERSIONS

        version = body.get("schema_version")
        if isinstance(version, int) and not isinstance(version, bool) and version not in SUPPORTED_SCHEMA_VERSIONS:
            return upgrade_required(version)
    return await request_validation_exception_handler(request, exc)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "Internal server error"}, status_code=status.HTTP_500_INTERNAL_SERVER_ERROR)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
