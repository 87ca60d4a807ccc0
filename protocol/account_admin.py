"""What an administrator reads when finding accounts: the account, and whether it is locked (never its password)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from protocol.sync import Account

MAX_FOUND = 50  # GET /accounts?q= answers at most this many


class FoundAccount(Account):
    """An account as ``GET /accounts?q=`` and ``POST /accounts/{username}/unlock`` answer it."""

    locked_until: datetime | None = Field(default=None, description="Locked after wrong passwords until then (UTC)")
    failed_sign_ins: int = Field(default=0, description="Wrong passwords in a row since the last good one")
