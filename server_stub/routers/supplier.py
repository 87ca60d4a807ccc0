"""The supplier API: another care record system sends a home's bed state (docs/sync.md, "Suppliers")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Request, status

from protocol import supplier_csv
from protocol.errors import ErrorResponse
from protocol.suppliers import HOME_ID_PATTERN, BedStateApplied, BedStateUpdate, BulkBedStateAnswer, BulkBedStateUpdate
from server_stub.dependencies import ClockDep, ConnectionDep, CurrentSupplier
from server_stub.services import suppliers

TAG = "supplier API"
TAG_DESCRIPTION = (
    "For other digital care record systems (suppliers) that send their homes' bed states. Authenticate with the "
    "API key an administrator issued (header `X-Api-Key`; shown once, revocable, rotatable). Send an "
    "`Idempotency-Key` header, new for each update: the same key and body again is a safe retry (same answer, "
    "applied once); the same key with another body is 409. `as_at` is when your system says the counts were "
    "true: an update older than the home's own last save is refused (409), never applied over it. Example:\n\n"
    "```\ncurl -X PUT https://<central API>/supplier/homes/1-10000302982/beds -H 'X-Api-Key: <key>' "
    "-H 'Idempotency-Key: <uuid>' -H 'Content-Type: application/json' -d '{\"as_at\": \"2026-11-25T09:05:00Z\", "
    "\"beds\": [{\"category\": \"nursing\", \"max_capacity\": 30, \"occupied\": 26, \"vacant_reserved\": 1, "
    "\"vacant_accepting\": 3}]}'\n```"
)
router = APIRouter(prefix="/supplier", tags=[TAG])
HomeId = Annotated[str, Path(pattern=HOME_ID_PATTERN, description="The home's CQC location ID",
                             examples=["1-10000302982"])]
IdempotencyKey = Annotated[str, Header(
    alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$",
    description="A key of your choosing, new for each update (a UUID is good). Send the same key again to retry "
                "safely: the same body gets the same answer and is applied once; a different body is refused (409).",
    examples=["7f1c0b1e-2d5a-4d8e-9a51-3f0a3d2f9b10"])]


@router.put(
    "/homes/{home_id}/beds",
    response_model=BedStateApplied,
    responses={
        401: {"model": ErrorResponse, "description": "No API key, or one that is unknown, revoked or replaced"},
        403: {"model": ErrorResponse, "description": "The home is not one of this supplier's homes"},
        404: {"model": ErrorResponse, "description": "No care home has this CQC location ID"},
        409: {"model": ErrorResponse, "description": "The home's bed state changed after as_at (nothing applied; "
                                                     "send the current state), or the Idempotency-Key was used for "
                                                     "a different request"},
        422: {"model": ErrorResponse, "description": "A field is missing or breaks a rule (the answer names it)"},
    },
)
def put_beds(home_id: HomeId, body: BedStateUpdate, idempotency_key: IdempotencyKey, supplier: CurrentSupplier,
             connection: ConnectionDep, clock: ClockDep) -> BedStateApplied:
    """A home's bed counts as your system held them at `as_at` (header `X-Api-Key: <your key>`).

    The counts follow the same rules as the app's (each 0-1000; occupied + vacant reserved + vacant accepting
    no more than the maximum capacity; only categories the home offers). They reach the home's devices,
    shown as "Updated by <your system's name>". An update older than the home's own last save is refused.
    """
    return suppliers.update_beds(connection, clock(), supplier, home_id, idempotency_key, body)


async def _raw_body(request: Request) -> bytes:
    """The request's bytes as sent (a CSV file), read before the route runs (in a worker thread)."""
    return await request.body()


@router.post(
    "/beds",
    response_model=BulkBedStateAnswer,
    responses={
        401: {"model": ErrorResponse, "description": "No API key, or one that is unknown, revoked or replaced"},
        409: {"model": ErrorResponse, "description": "The Idempotency-Key was used for a different request"},
        422: {"model": ErrorResponse, "description": "A field is missing or breaks a rule (the answer names it)"},
    },
)
def post_beds(body: BulkBedStateUpdate, idempotency_key: IdempotencyKey, supplier: CurrentSupplier,
              connection: ConnectionDep, clock: ClockDep) -> BulkBedStateAnswer:
    """Many homes' bed states in one request (up to 500), each home answered on its own, as a PUT for it alone
    would be: one home refused (not yours, stale, a category it does not offer) leaves the others applied."""
    return suppliers.update_many(connection, clock(), supplier, idempotency_key, body)


@router.post(
    "/beds.csv",
    response_model=BulkBedStateAnswer,
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {
        "schema": {"type": "string"}, "example": supplier_csv.EXAMPLE}}}},
    responses={
        401: {"model": ErrorResponse, "description": "No API key, or one that is unknown, revoked or replaced"},
        409: {"model": ErrorResponse, "description": "The Idempotency-Key was used for a different request"},
        422: {"model": ErrorResponse, "description": "The file cannot be read as bed states (the answer names the "
                                                     "line and column); nothing was applied"},
    },
)
def post_beds_csv(request_body: Annotated[bytes, Depends(_raw_body)], idempotency_key: IdempotencyKey,
                  supplier: CurrentSupplier, connection: ConnectionDep, clock: ClockDep) -> BulkBedStateAnswer:
    """For councils without an API: a CSV file, one row per home and bed category
    (cqc_location_id, as_at, category, max_capacity, occupied, vacant_reserved, vacant_accepting),
    answered like POST /supplier/beds."""
    try:
        update = supplier_csv.read_bed_states(request_body)
    except supplier_csv.UnreadableCsv as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    return suppliers.update_many(connection, clock(), supplier, idempotency_key, update)
