"""Times shown to people, in UK local time (Europe/London: GMT in winter, BST in summer).

Stamps are kept in UTC (the server's, the device's records); a person in an
English care home reads the clock on the wall. Every screen and message that
prints a time formats it here, on the device and on the server alike.

A naive datetime is taken to be UTC (the stamps this app stores are). No clock
is read here: "today" comes from the caller's ``now``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def uk_local(moment: datetime) -> datetime:
    """The same moment on a UK wall clock."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UK)


def from_iso(stamp: str) -> datetime:
    """An ISO 8601 stamp ('2026-03-29T03:04:00+00:00' or with 'Z') as an aware moment."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def uk_clock(moment: datetime) -> str:
    """'04:04': the time of day in the UK."""
    return f"{uk_local(moment):%H:%M}"


def uk_day(moment: datetime | date, *, year: bool = True) -> str:
    """'3 May 2026' (or '3 May'): the UK day, without a leading zero."""
    day = uk_local(moment) if isinstance(moment, datetime) else moment
    return f"{day.day} {day:%b}" + (f" {day:%Y}" if year else "")


def uk_day_and_time(moment: datetime, *, year: bool = True) -> str:
    """'3 May 2026 09:12' (or '3 May 09:12') in the UK."""
    return f"{uk_day(moment, year=year)} {uk_clock(moment)}"


def uk_when(moment: datetime, now: datetime) -> str:
    """Short and relative to ``now``: '09:12 today', '18:40 yesterday', '3 May 09:12' (the year when not this one)."""
    local, today = uk_local(moment), uk_local(now).date()
    if local.date() == today:
        return f"{uk_clock(moment)} today"
    if (today - local.date()).days == 1:
        return f"{uk_clock(moment)} yesterday"
    return uk_day_and_time(moment, year=local.year != today.year)


def uk_day_clock(moment: datetime, now: datetime, same_day: str = "") -> str:
    """'09:12' (after ``same_day``) on the UK day of ``now``, else '3 May 09:12'."""
    if uk_local(moment).date() == uk_local(now).date():
        return f"{same_day}{uk_clock(moment)}"
    return uk_day_and_time(moment, year=False)
