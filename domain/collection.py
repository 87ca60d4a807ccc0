"""The monthly collection (issue 12, part 6): the national rule, with the day passed in.

Every home updates at least once in the collection window, the 8th to the 14th of each month. A "no change"
confirmation counts, and a nil return is needed even with no residents: any confirmation of the bed state
counts. The current collection is the latest window that has opened (before the 8th: last month's). A home
has confirmed for a collection when its last confirmation is on or after the day its window opened (a late
return still counts as returned; the commissioner chases the homes with none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

WINDOW_OPENS = 8  # day of the month
WINDOW_CLOSES = 14


@dataclass(frozen=True)
class Collection:
    opens: date
    closes: date

    @property
    def opens_at(self) -> datetime:
        """The window's first moment (UTC, as the server's confirmation stamps)."""
        return datetime(self.opens.year, self.opens.month, self.opens.day, tzinfo=timezone.utc)

    @property
    def label(self) -> str:
        return f"{self.opens:%B %Y}"


def collection_of_month(year: int, month: int) -> Collection:
    return Collection(date(year, month, WINDOW_OPENS), date(year, month, WINDOW_CLOSES))


def current_collection(today: date) -> Collection:
    """The latest collection whose window has opened by ``today``."""
    if today.day >= WINDOW_OPENS:
        return collection_of_month(today.year, today.month)
    last_month = today.replace(day=1) - timedelta(days=1)
    return collection_of_month(last_month.year, last_month.month)


def confirmed_for(collection: Collection, confirmed_at: datetime | None) -> bool:
    """Whether a home whose bed state was last confirmed at ``confirmed_at`` has returned this collection."""
    return confirmed_at is not None and confirmed_at >= collection.opens_at


def reminder(today: date, confirmed_at: datetime | None) -> str | None:
    """The banner a home's manager sees from the 8th until she has confirmed that month; None: no banner."""
    if today.day < WINDOW_OPENS:
        return None
    collection = collection_of_month(today.year, today.month)
    if confirmed_for(collection, confirmed_at):
        return None
    if today <= collection.closes:
        when = f"by {collection.closes:%A} {collection.closes.day} {collection.closes:%B}"
    else:
        when = f"now: the window closed on {collection.closes.day} {collection.closes:%B}"
    return (f"Monthly collection: please confirm your bed state {when}. "
            "\"No change\" counts, and it is needed even with no residents.")
