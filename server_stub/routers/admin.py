"""The administrator's view of the care home directory (the last import, homes awaiting an ICB decision), the
suppliers, and the research export."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status

from domain.homes import CareHome
from protocol.area_csv import MEDIA_TYPE, CsvFile
from protocol.directory import IcbDecisionNeeded, IcbDecisionRequest, ImportSummary
from protocol.errors import ErrorResponse
from protocol.research import ResearchExport, ResearchTable, research_csv
from protocol.suppliers import Supplier, SupplierHomes, SupplierKey, SupplierRegistration
from server_stub.dependencies import ClockDep, ConnectionDep, CurrentAccount
from server_stub.services import directory, research, suppliers

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


# --- suppliers: other care record systems that send their homes' bed states (the supplier API) ---------------

SupplierId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The supplier's number")]
NO_SUPPLIER = {404: {"model": ErrorResponse, "description": "No supplier has this number"}}
KEY_SHOWN_ONCE = "The supplier and its new API key: shown this once, only its digest is kept"


@router.post("/suppliers", response_model=SupplierKey, status_code=status.HTTP_201_CREATED,
             responses=DENIED | {409: {"model": ErrorResponse}, 422: {"model": ErrorResponse},
                                 201: {"description": KEY_SHOWN_ONCE}})
def register_supplier(body: SupplierRegistration, account: CurrentAccount, connection: ConnectionDep,
                      clock: ClockDep) -> SupplierKey:
    """Register a supplier (another digital care record system) with the homes it serves, and issue its API key."""
    return suppliers.register(connection, clock(), account, body)


@router.get("/suppliers", response_model=list[Supplier], responses=DENIED)
def list_suppliers(account: CurrentAccount, connection: ConnectionDep) -> list[Supplier]:
    """Every supplier, its homes and when its key was issued (never the key)."""
    return suppliers.list_suppliers(connection, account)


@router.put("/suppliers/{supplier_id}/homes", response_model=Supplier,
            responses=DENIED | NO_SUPPLIER | {422: {"model": ErrorResponse}})
def set_supplier_homes(supplier_id: SupplierId, body: SupplierHomes, account: CurrentAccount,
                       connection: ConnectionDep, clock: ClockDep) -> Supplier:
    """Replace the list of homes the supplier may send bed states for."""
    return suppliers.set_homes(connection, clock(), account, supplier_id, body)


@router.post("/suppliers/{supplier_id}/key", response_model=SupplierKey,
             responses=DENIED | NO_SUPPLIER | {200: {"description": KEY_SHOWN_ONCE}})
def issue_supplier_key(supplier_id: SupplierId, account: CurrentAccount, connection: ConnectionDep,
                       clock: ClockDep) -> SupplierKey:
    """Issue the supplier a new API key; its old key stops working at once (rotation)."""
    return suppliers.issue_key(connection, clock(), account, supplier_id)


@router.delete("/suppliers/{supplier_id}/key", response_model=Supplier, responses=DENIED | NO_SUPPLIER)
def revoke_supplier_key(supplier_id: SupplierId, account: CurrentAccount, connection: ConnectionDep,
                        clock: ClockDep) -> Supplier:
    """Revoke the supplier's API key: it can send nothing until it is issued a new one."""
    return suppliers.revoke_key(connection, clock(), account, supplier_id)


def _csv(file: CsvFile) -> Response:
    return Response(file.content(), media_type=f"{MEDIA_TYPE}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{file.name}"'})


# --- the research export: totals over the homes that chose research, never a home named ------------------------

@router.get("/research-export", response_model=ResearchExport, responses=DENIED | {
    200: {"content": {"text/csv": {}}, "description": "JSON, or with format=csv one table as a CSV file"}})
def research_export(
    account: CurrentAccount, connection: ConnectionDep, clock: ClockDep,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv, a file for a spreadsheet")]
    = "json",
    table: Annotated[ResearchTable, Query(description="With format=csv: which table the file holds")] = "beds",
):
    """Beds per local authority and bed category, and digital readiness per local authority, over the registered
    homes that chose to be included in research exports; a row over fewer than 3 homes is left out. In the audit
    log as research_export."""
    if format == "csv":
        found = research.export(connection, account, clock(), f"CSV {table.replace('_', ' ')}")
        return _csv(research_csv(found, table))
    return research.export(connection, account, clock(), "JSON")
