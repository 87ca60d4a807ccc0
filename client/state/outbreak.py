"""The home manager's outbreak control (on her home settings screen): mark an infection outbreak, record a new
case, close it.

One ``outbreak`` record per home, saved to the local store like every record (stamped with who and when) and
synced; the central API lets only the home's manager write it. Whether it is still on is the domain's rule
(``domain.outbreak``: closed, or 28 days after the last new case), decided with today's date on the server's
clock as last seen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from pydantic import ValidationError

from client.store import LocalStore
from domain.messages import plain_words
from domain.outbreak import Outbreak, OutbreakKind, outbreak_record_id
from domain.records import stamp

FIELD_LABELS = {"started_on": "Start date", "last_case_on": "New case", "closed_on": "Closed on", "kind": "Infection"}


def load_outbreak(store: LocalStore, home_id: str) -> Outbreak | None:
    record = store.record("outbreak", outbreak_record_id(home_id))
    if record is None:
        return None
    try:
        return Outbreak.model_validate(record.data)
    except ValidationError:
        return None


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def parse_day(text: str) -> date:
    """'3/11/2026' or '2026-11-03' -> a date; ValueError in plain words otherwise."""
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("the start date should be a day such as 3/11/2026") from None


class OutbreakPanel:
    def __init__(self, store: LocalStore, home_id: str, username: str, *,
                 now: Callable[[], datetime] | None = None) -> None:
        self.store, self.home_id, self.username = store, home_id, username
        self._now = now or store.server_now
        self.kind = OutbreakKind.NOROVIRUS
        self.start_text = ""  # empty: today
        self.message: str | None = None
        self.message_is_error = False
        self.saved: Outbreak | None = None
        self.reload()

    def reload(self) -> None:
        self.saved = load_outbreak(self.store, self.home_id)

    @property
    def today(self) -> date:
        return self._now().date()

    @property
    def active(self) -> bool:
        return self.saved is not None and self.saved.active_on(self.today)

    @property
    def status_line(self) -> str:
        """What the screen says about the home's outbreak, in plain words."""
        found = self.saved
        if found is None:
            return "No outbreak recorded"
        if not self.active:
            how = f"closed on {_day(found.closed_on)}" if found.closed_on and found.closed_on <= self.today \
                else f"over on {_day(found.over_on)} (28 days without a new case)"
            return f"No outbreak now (the last, {found.kind.label}, {how})"
        last = f"; last new case {_day(found.last_case_on)}" if found.last_case_on else ""
        return (f"{found.kind.label} outbreak since {_day(found.started_on)}{last}. "
                f"Over on {_day(found.over_on)} unless there is a new case.")

    def start(self, kind: OutbreakKind | str | None = None, started_on: date | None = None) -> bool:
        """Mark an outbreak (from ``started_on``, else the typed start date, else today)."""
        if self.active:
            return self._refused("An outbreak is already open: close it first, or record a new case")
        try:
            started = started_on or (parse_day(self.start_text) if self.start_text.strip() else self.today)
        except ValueError as error:
            return self._refused(f"Not saved: {error}")
        if started > self.today:
            return self._refused("Not saved: the start date cannot be in the future")
        return self._save({"kind": OutbreakKind(kind or self.kind), "started_on": started},
                          "Outbreak marked: discharge teams see it once sent")

    def record_case(self) -> bool:
        """A new case today: the outbreak runs until 28 days after it."""
        if not self.active:
            return self._refused("There is no open outbreak to add a case to")
        return self._save({**self.saved.model_dump(), "last_case_on": self.today}, "New case recorded")

    def close(self) -> bool:
        if not self.active:
            return self._refused("There is no open outbreak to close")
        return self._save({**self.saved.model_dump(), "closed_on": self.today}, "Outbreak closed")

    def _save(self, values: dict, done: str) -> bool:
        values = {key: value for key, value in values.items() if key not in ("changed_by", "changed_at")}
        try:
            outbreak = Outbreak(**{"home_id": self.home_id, **values})
        except ValidationError as exc:
            return self._refused("Not saved: " + plain_words(exc, FIELD_LABELS))
        self.store.save_together([("outbreak", stamp(outbreak, self.username, self._now()))])
        self.reload()
        self.start_text = ""
        self.message, self.message_is_error = done, False
        return True

    def _refused(self, message: str) -> bool:
        self.message, self.message_is_error = message, True
        return False
