from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from protocol.health import HealthResponse
from protocol.sync import SCHEMA_VERSION
from server_stub import repository
from server_stub.db import database_errors, open_connection

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse, responses={503: {"description": "The database does not answer"}})
def health(request: Request):
    database = request.app.state.database
    try:  # connecting is part of the check: a PostgreSQL server that is down is a 503 too
        with open_connection(database) as connection:
            repository.ping(connection)
    except database_errors():
        return JSONResponse({"detail": "Database unavailable"}, status_code=503)
    return HealthResponse(status="ok", schema_version=SCHEMA_VERSION, database=database.engine)
