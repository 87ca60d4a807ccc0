"""Server time. Only the server's clock stamps records; device clocks never decide."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    # Fixed width (always microseconds, always +00:00) so comparing the text compares the times.
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")
