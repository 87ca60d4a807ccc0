"""Open data for anyone, with no sign-in: GET /public/vacancies."""

from __future__ import annotations

from fastapi import APIRouter

from protocol.errors import ErrorResponse
from protocol.public import PublicVacancies
from server_stub.dependencies import ClientAddress, ClockDep, ConnectionDep, SettingsDep
from server_stub.services import public
from server_stub.services.rate_limits import TOO_MANY_REQUESTS

router = APIRouter(prefix="/public", tags=["public"])


@router.get("/vacancies", response_model=PublicVacancies,
            responses={429: {"model": ErrorResponse, "description": TOO_MANY_REQUESTS}})
def vacancies(client: ClientAddress, connection: ConnectionDep, settings: SettingsDep,
              clock: ClockDep) -> PublicVacancies:
    """Vacant beds accepting admissions by local authority and bed category, from the homes that chose to be
    counted publicly (a home that has not said yes contributes nothing). Homes are never named."""
    return public.vacancies(connection, settings, clock(), client)
