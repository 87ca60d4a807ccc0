"""Alerts and notices to care homes: send, list, see who has read and acknowledged, remind the rest."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from protocol.alerts import AlertStatus, AlertSummary, RemindAnswer, SendAlert
from protocol.errors import ErrorResponse
from server_stub.dependencies import ClockDep, ConnectionDep, CurrentAccount
from server_stub.services import alerts

router = APIRouter(prefix="/alerts", tags=["alerts"])
NOT_A_SENDER = {403: {"model": ErrorResponse, "description": "Not a commissioner or administrator, or a home "
                                                            "outside your area (the field is named)"}}
UNKNOWN = {404: {"model": ErrorResponse, "description": "Not an alert you sent"}}
BAD = {422: {"model": ErrorResponse, "description": "A field that cannot be used, named"}}
AlertId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9-]+$")]


@router.post("", response_model=AlertSummary, status_code=status.HTTP_201_CREATED, responses=NOT_A_SENDER | BAD)
def send(body: SendAlert, account: CurrentAccount, connection: ConnectionDep, clock: ClockDep) -> AlertSummary:
    """Send an alert to chosen homes, a local authority, an ICB or your whole area ("mine"): each home's devices
    receive it on their next sync."""
    return alerts.send(connection, account, clock(), body)


@router.get("", response_model=list[AlertSummary], responses=NOT_A_SENDER)
def sent(account: CurrentAccount, connection: ConnectionDep) -> list[AlertSummary]:
    """The alerts you sent, newest first, with how many homes have read and acknowledged each."""
    return alerts.sent_alerts(connection, account)


@router.get("/{alert_id}", response_model=AlertStatus, responses=NOT_A_SENDER | UNKNOWN)
def alert_status(alert_id: AlertId, account: CurrentAccount, connection: ConnectionDep) -> AlertStatus:
    """Each home the alert was sent to: acknowledged (who, when), read, or not yet, with its phone number."""
    return alerts.status(connection, account, alert_id)


@router.post("/{alert_id}/remind", response_model=RemindAnswer,
             responses=NOT_A_SENDER | UNKNOWN | {409: {"model": ErrorResponse, "description": "The alert expired"}})
def remind(alert_id: AlertId, account: CurrentAccount, connection: ConnectionDep, clock: ClockDep) -> RemindAnswer:
    """Send the alert again to the homes that have not acknowledged it."""
    return alerts.remind(connection, account, clock(), alert_id)
