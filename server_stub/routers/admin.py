"""The administrator's view of the care home directory: the last import, and homes awaiting an ICB decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from domain.homes import CareHome
from protocol.directory import IcbDecisionNeeded, IcbDecisionRequest, ImportSummary
from protocol.errors import ErrorResponse
from server_stub.dependencies import ClockDep, ConnectionDep, CurrentAccount
from server_stub.services import directory

router = APIRouter(prefix="/admin", tags=["admin"])
DENIED = {403: {"model": ErrorResponse, "description": "Administrators only"}}
HomeId = Annotated[str, Path(pattern=r"^1-\d{5,12}$", description="The home's CQC location ID")]


@router.get("/imports/latest", response_model=ImportSummary, responses=DENIED | {404: {"model": ErrorResponse}})
def latest_import(account: CurrentAccount, connection: ConnectionDep) -> ImportSummary:
    """The summary of the last directory file imported (python -m server_stub import-homes)."""
    return directory.latest_import(connection, account)


@router.get("/icb-decisions", response_model=list[IcbDecisionNeeded], responses=DENIED)
def icb_decisions_needed(account: CurrentAccount, connection: ConnectionDep) -> list[IcbDecisionNeeded]:
    """Homes in a local authority that spans several ICBs, whose file could not say which: an administrator chooses."""
    return directory.icb_decisions_needed(connection, account)


@router.put("/icb-decisions/{home_id}", response_model=CareHome,
            responses=DENIED | {404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})
def decide_icb(home_id: HomeId, body: IcbDecisionRequest, account: CurrentAccount, connection: ConnectionDep,
               clock: ClockDep) -> CareHome:
    """Place the home in one of its candidate ICBs; every later import keeps this choice."""
    return directory.decide_icb(connection, clock(), account, home_id, body)
