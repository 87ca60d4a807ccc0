"""Moves the outbox up to the central API and the server's changes down."""

from client.sync.api import (
    ApiError,
    AuthExpired,
    BatchInvalid,
    CentralApi,
    Offline,
    ResetRequired,
    SignInRefused,
    UpgradeRequired,
)
from client.sync.engine import SyncEngine, SyncState, SyncStatus

__all__ = [
    "ApiError",
    "AuthExpired",
    "BatchInvalid",
    "CentralApi",
    "Offline",
    "ResetRequired",
    "SignInRefused",
    "SyncEngine",
    "SyncState",
    "SyncStatus",
    "UpgradeRequired",
]
