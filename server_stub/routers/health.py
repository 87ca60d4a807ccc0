from __future__ import annotations

import sqlite3

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from protocol.sync import SCHEMA_VERSION
from server_stub import repository
from server_stub.dependencies import ConnectionDep
from server_stub.models import HealthResponse

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse, responses={503: {"description": "The database does not answer"}})
def health(connection: ConnectionDep):
    try:
        repository.ping(connection)
    except sqlite3.Error:
        return JSONResponse({"detail": "Database unavailable"}, status_code=503)
    return HealthResponse(status="ok", schema_version=SCHEMA_VERSION, database="sqlite")
