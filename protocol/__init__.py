"""The wire contract between the app and the central API.

Defined once, imported by both ``client`` and ``server_stub``. Bump
``SCHEMA_VERSION`` when a change would confuse an older peer.
"""

from protocol.kinds import RECORD_KINDS, ConflictRule, RecordKind, kind_of
from protocol.sync import (
    MUTATION_MODELS,
    SCHEMA_VERSION,
    Account,
    Mutation,
    MutationResult,
    MutationStatus,
    PullResponse,
    PushRequest,
    PushResponse,
    Record,
    RefreshRequest,
    SignInRequest,
    SignInResponse,
)

__all__ = [
    "SCHEMA_VERSION",
    "RECORD_KINDS",
    "Account",
    "MUTATION_MODELS",
    "ConflictRule",
    "Mutation",
    "MutationResult",
    "MutationStatus",
    "PullResponse",
    "PushRequest",
    "PushResponse",
    "Record",
    "RefreshRequest",
    "RecordKind",
    "SignInRequest",
    "SignInResponse",
    "kind_of",
]
