from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from protocol.health import HealthResponse
from protocol.sync import SCHEMA_VERSION
from server_stub.services.health import database_answers

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse, responses={503: {"description": "The database does not answer"}})
def health(request: Request):
    engine = request.app.state.engine
    if not database_answers(engine):
        return JSONResponse({"detail": "Database unavailable"}, status_code=503)
    return HealthResponse(status="ok", schema_version=SCHEMA_VERSION, database=engine.dialect.name)
