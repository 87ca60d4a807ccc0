"""Requests limited per client address and minute: sign-in, refresh, registration, password resets.

Each check is a short write transaction of its own, taken before any slow
work (argon2), so a burst from one address never holds up other writers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from server_stub import account_repository
from server_stub.clock import iso
from server_stub.db import Connection, accounts_write_transaction
from server_stub.services.errors import TooManyAttempts
from server_stub.settings import Settings

WINDOW = timedelta(minutes=1)
TOO_MANY_SIGN_INS = "Too many sign-in attempts from this device: wait a minute and try again"
TOO_MANY_REQUESTS = "Too many requests from this device: wait a minute and try again"


@dataclass(frozen=True)
class RateLimit:
    action: str
    per_minute: int
    message: str = TOO_MANY_REQUESTS


def sign_in_limit(settings: Settings) -> RateLimit:
    return RateLimit("sign_in", settings.sign_in_attempts_per_minute, TOO_MANY_SIGN_INS)


def refresh_limit(settings: Settings) -> RateLimit:
    return RateLimit("refresh", settings.refresh_requests_per_minute)


def code_limit(settings: Settings) -> RateLimit:
    """Registration and password resets (issued and completed): the requests that carry a one-time code."""
    return RateLimit("one_time_code", settings.code_requests_per_minute)


def public_limit(settings: Settings) -> RateLimit:
    """Anonymous reads: the public vacancy counts."""
    return RateLimit("public_read", settings.public_requests_per_minute)


def admit(connection: Connection, now: datetime, client: str, limit: RateLimit) -> None:
    """Count this request from ``client``; TooManyAttempts (429, Retry-After) once the minute's limit is reached."""
    with accounts_write_transaction(connection):
        admitted = account_repository.admit_request(connection, limit.action, client, iso(now), iso(now - WINDOW),
                                                    limit.per_minute)
    if not admitted:
        raise TooManyAttempts(limit.message, retry_after_seconds=int(WINDOW.total_seconds()))
