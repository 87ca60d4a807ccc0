from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from protocol.health import HealthResponse
from protocol.sync import SCHEMA_VERSION
from server_stub.dependencies import connection_gate
from server_stub.services.health import database_answers

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse, responses={503: {"description": "The database does not answer"}})
async def health(request: Request):
    engine = request.app.state.engine
    # Through the gate like any request with a connection (dependencies.get_connection): a thread waiting
    # for a connection would hold a worker thread the requests holding connections need.
    async with connection_gate(request.app):
        answers = await run_in_threadpool(database_answers, engine)
    if not answers:
        return JSONResponse({"detail": "Database unavailable"}, status_code=503)
    return HealthResponse(status="ok", schema_version=SCHEMA_VERSION, database=engine.dialect.name)
