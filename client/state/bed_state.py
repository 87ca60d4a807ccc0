"""The bed state screen's state and rules, free of any UI code.

The view shows what this object says and forwards taps to it; tests drive it
directly. It edits a draft of the home's counts and saves the draft to the
local store, which queues it for the central API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError

from client.state.conflicts import BED_KINDS, ConflictChoice, ConflictChoices
from client.state.home_settings import load_settings
from client.state.sync_status import SyncLook, not_applied_line, sync_line, sync_look
from client.store import LocalStore
from client.sync import SyncStatus
from domain.beds import COUNT_FIELDS, COUNT_LABELS, BedCategory, BedCount, ClosureReason, HomeStatus
from domain.collection import reminder
from domain.freshness import Freshness, freshness
from domain.home_settings import offered_categories
from domain.homes import CareHome
from domain.messages import describe, field_of
from domain.uk_time import uk_clock, uk_day_clock
from domain.workforce import WORKFORCE_FIELDS, WORKFORCE_LABELS, Workforce, workforce_record_id


@dataclass
class CategoryDraft:
    category: BedCategory
    counts: dict[str, int]
    saved: dict[str, int] | None
    errors: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)  # text typed that is not a number yet
    edited: str | None = None  # the count changed last: a rule broken by the counts together is shown under it

    @property
    def label(self) -> str:
        return self.category.label

    @property
    def changed(self) -> bool:
        # A category with no record yet counts as zeros until the user touches it.
        return (self.saved or dict.fromkeys(COUNT_FIELDS, 0)) != self.counts or bool(self.raw)

    def display(self, name: str) -> str:
        return self.raw.get(name, str(self.counts[name]))


@dataclass
class WorkforceDraft:
    """The optional workforce section: headcounts as typed (text), checked together with the bed counts."""

    saved: Workforce | None = None
    text: dict[str, str] = field(default_factory=dict)  # the fields typed into since the last save
    errors: dict[str, str] = field(default_factory=dict)
    open: bool = False  # folded until the user opens it: a bed-only update never sees it

    def display(self, name: str) -> str:
        if name in self.text:
            return self.text[name]
        return str(getattr(self.saved, name)) if self.saved else ""

    @property
    def changed(self) -> bool:
        return any(text.strip() != (str(getattr(self.saved, name)) if self.saved else "")
                   for name, text in self.text.items())

    @property
    def summary(self) -> str:
        """What the folded section says: the last staff total, or that nothing is recorded."""
        if self.saved is None:
            return "Optional - not recorded yet"
        return f"{self.saved.staff} staff, {self.saved.absent_today} absent today"

    def validate(self, home_id: str) -> Workforce | None:
        """The headcounts as a record (an empty box counts as 0), or None with ``errors`` under each field."""
        self.errors = {}
        values: dict[str, int] = {}
        for name in WORKFORCE_FIELDS:
            text = self.display(name).strip() or "0"
            try:
                values[name] = int(text)
            except ValueError:
                self.errors[name] = f"{WORKFORCE_LABELS[name]} must be a whole number"
        if self.errors:
            return None
        try:
            return Workforce(home_id=home_id, **values)
        except ValidationError as exc:
            for error in exc.errors():
                name = field_of(error) or "absent_today"
                self.errors[name] = describe(error, WORKFORCE_LABELS)
            return None


# The kinds one bed state save writes (its notices are answered by the next save).
BED_STATE_KINDS = frozenset({"bed_count", "home_status", "workforce"})


# How the capacity rule reads under the count that was changed.
_TOO_MANY = {"occupied": "Occupied beds", "vacant_reserved": "Reserved beds",
             "vacant_accepting": "Beds accepting admissions"}


def over_capacity(edited: str, counts: dict[str, int]) -> str:
    """Over capacity, in words about the count just changed (the rule is BedCount's)."""
    used = counts["occupied"] + counts["vacant_reserved"] + counts["vacant_accepting"]
    if edited == "max_capacity":
        return f"Maximum capacity can't be less than the occupied and vacant beds ({used})"
    return (f"{_TOO_MANY[edited]} can't be more than the beds in this category: occupied and vacant "
            f"come to {used}, the maximum capacity is {counts['max_capacity']}")


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class BedStateScreen:
    def __init__(
        self,
        store: LocalStore,
        home_id: str,
        *,
        on_saved: Callable[[], None] = lambda: None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.home_id = home_id
        self._on_saved = on_saved
        # Ages are measured on the server's clock (as last seen), never the device's alone.
        self._now = now or store.server_now
        self.home: CareHome | None = None
        self.categories: list[CategoryDraft] = []
        self.closed_to_admissions = False
        self.closed_reason: ClosureReason | None = None
        self.saved_status: HomeStatus | None = None
        self.status_pending = False
        self.status_local_time: datetime | None = None
        self.workforce = WorkforceDraft()
        self.message: str | None = None  # the result of the last save, or why it was refused
        self.message_is_error = False
        self.reload()

    # -- loading ---------------------------------------------------------------------

    def reload(self) -> None:
        """Read the home's records; a draft the user is editing is kept."""
        home = self.store.record("care_home", self.home_id)
        self.home = CareHome.model_validate(home.data) if home else None
        stored = {r.data["category"]: r.data for r in self.store.records("bed_count", self.home_id)}
        # The manager's correction (home settings) when she made one, else what the registration implies.
        offered = list(offered_categories(self.home, load_settings(self.store, self.home_id))) if self.home \
            else [BedCategory(c) for c in stored]
        previous = {d.category: d for d in self.categories}
        drafts = []
        for category in offered:
            saved_data = stored.get(category.value)
            saved = {name: saved_data[name] for name in COUNT_FIELDS} if saved_data else None
            draft = previous.get(category)
            if draft is not None and draft.changed:
                draft.saved = saved
                drafts.append(draft)
            else:
                counts = dict(saved) if saved else {name: 0 for name in COUNT_FIELDS}
                drafts.append(CategoryDraft(category, counts, saved))
        self.categories = drafts
        workforce = self.store.record("workforce", workforce_record_id(self.home_id))
        self.workforce.saved = Workforce.model_validate(workforce.data) if workforce else None
        status = self.store.record("home_status", self.home_id)
        status_changed = self._status_draft_changed()
        self.saved_status = HomeStatus.model_validate(status.data) if status else None
        self.status_pending = bool(status and status.pending)
        self.status_local_time = _parse_time(status.local_updated_at) if status else None
        if not status_changed:
            self.closed_to_admissions = self.saved_status.closed_to_admissions if self.saved_status else False
            self.closed_reason = self.saved_status.closed_reason if self.saved_status else None

    # -- editing -----------------------------------------------------------------------

    def draft(self, category: BedCategory | str) -> CategoryDraft:
        category = BedCategory(category)
        return next(d for d in self.categories if d.category is category)

    def increment(self, category: BedCategory | str, name: str) -> None:
        draft = self.draft(category)
        self._set(draft, name, draft.counts[name] + 1)

    def decrement(self, category: BedCategory | str, name: str) -> None:
        draft = self.draft(category)
        self._set(draft, name, max(draft.counts[name] - 1, 0))

    def set_text(self, category: BedCategory | str, name: str, text: str) -> None:
        """A number typed into a count's box."""
        draft = self.draft(category)
        text = text.strip()
        try:
            value = int(text)
        except ValueError:
            draft.raw[name] = text
            draft.errors[name] = f"{COUNT_LABELS[name]} must be a whole number"
            self.message = None
            return
        self._set(draft, name, value)

    def _set(self, draft: CategoryDraft, name: str, value: int) -> None:
        draft.raw.pop(name, None)
        draft.counts[name] = value
        draft.edited = name
        self.message = None
        self._validate(draft)

    def set_closed(self, closed: bool, reason: ClosureReason | str | None = None) -> None:
        self.closed_to_admissions = closed
        self.closed_reason = ClosureReason(reason) if (closed and reason) else None
        self.message = None

    def came_back(self) -> None:
        """The person returns from another screen: the last save's words are old news (a draft and its
        errors under the fields are kept: they still apply)."""
        self.message, self.message_is_error = None, False

    def open_workforce(self, opened: bool = True) -> None:
        self.workforce.open = opened

    def set_workforce(self, name: str, text: str) -> None:
        """A headcount typed into the workforce section (checked as typed, saved with the beds)."""
        if name not in WORKFORCE_FIELDS:
            raise ValueError(f"not a workforce field: {name}")
        self.workforce.text[name] = text
        self.message = None
        self.workforce.validate(self.home_id)

    def _validate(self, draft: CategoryDraft) -> BedCount | None:
        draft.errors = {name: msg for name, msg in draft.errors.items() if name in draft.raw}
        if draft.raw:
            return None
        try:
            return BedCount(home_id=self.home_id, category=draft.category, **draft.counts)
        except ValidationError as exc:
            for error in exc.errors():
                name = field_of(error) or "vacant_accepting"
                if error["type"] == "value_error" and name == "vacant_accepting" and draft.edited in COUNT_FIELDS:
                    # The counts together exceed the capacity: say so under the count the person changed.
                    draft.errors[draft.edited] = over_capacity(draft.edited, draft.counts)
                else:
                    draft.errors[name] = describe(error, COUNT_LABELS)
            return None

    # -- what the screen shows ---------------------------------------------------------------

    def _status_draft_changed(self) -> bool:
        saved_closed = self.saved_status.closed_to_admissions if self.saved_status else False
        saved_reason = self.saved_status.closed_reason if self.saved_status else None
        return (self.closed_to_admissions, self.closed_reason) != (saved_closed, saved_reason)

    @property
    def dirty(self) -> bool:
        return any(d.changed for d in self.categories) or self._status_draft_changed() or self.workforce.changed

    @property
    def has_errors(self) -> bool:
        return any(d.errors for d in self.categories) or bool(self.workforce.errors)

    @property
    def can_save(self) -> bool:
        return self.dirty and not self.has_errors

    @property
    def can_confirm_no_change(self) -> bool:
        return not self.dirty

    def _pending_confirmation(self) -> datetime | None:
        """When the confirmation waiting to be sent was made, on the server's clock (what it will be recorded as)."""
        if not self.status_pending:
            return None
        claimed = _parse_time(self.saved_status.confirmed_at) if self.saved_status else None
        if claimed is not None:
            return claimed
        return self.status_local_time + self.store.clock_offset() if self.status_local_time else None

    def confirmed_line(self) -> str:
        """When the bed state was last confirmed, and whether that is fresh."""
        pending = self._pending_confirmation()
        if pending is not None:
            return f"Confirmed on this device {_clock(pending)} - fresh"
        confirmed = _parse_time(self.saved_status.confirmed_at) if self.saved_status else None
        state = freshness(confirmed, self._now())
        if confirmed is None:
            return "Never confirmed - please confirm the bed state"
        return f"Last confirmed {_day_clock(confirmed, self._now(), 'today ')} - {state.value}"

    @property
    def source_line(self) -> str | None:
        """'Updated by <supplier> at 09:05' while the saved bed state is one another care record system sent
        (the supplier API), at the time its system says the counts were true; None after a save in the app."""
        status = self.saved_status
        if status is None or self.status_pending or not status.from_supplier:
            return None
        return f"Updated by {status.changed_by or 'another care record system'} at {_day_clock(status.as_at, self._now())}"

    @property
    def freshness(self) -> Freshness:
        if self.status_pending:
            return Freshness.FRESH
        confirmed = _parse_time(self.saved_status.confirmed_at) if self.saved_status else None
        return freshness(confirmed, self._now())

    @property
    def collection_reminder(self) -> str | None:
        """The monthly collection's banner (domain.collection): from the 8th until the home has confirmed that
        month. A confirmation still waiting to be sent counts at once, as of when it was saved here (the server
        stamps it when it arrives)."""
        now = self._now()
        if self.status_pending:
            confirmed: datetime | None = self._pending_confirmation() or now
        else:
            confirmed = _parse_time(self.saved_status.confirmed_at) if self.saved_status else None
        return reminder(now.date(), confirmed)

    @property
    def deregistered_notice(self) -> str | None:
        """Said on the screen while the home is out of the CQC register (a later directory file dropped it)."""
        if self.home is None or self.home.deregistered_on is None:
            return None
        since = self.home.deregistered_on
        return (f"This home is no longer in the CQC register (since {since.day} {since:%b %Y}). "
                "Its records are kept; it no longer appears in bed searches.")

    @property
    def notices(self) -> list[str]:
        """Changes of this home that the server did not apply, until the user dismisses them."""
        return [_notice(entry) for entry in self.store.sync_log(5, home_id=self.home_id, unseen=True)]

    @property
    def not_applied(self) -> int:
        """Changes of this home the central API did not apply whose notice is still to be seen."""
        return len(self.store.sync_log(50, home_id=self.home_id, unseen=True))

    def status_line(self, status: SyncStatus) -> str:
        """Where this person's changes are: sending, waiting (since when), sent (when), or not applied."""
        if not status.pending and self.not_applied:
            return not_applied_line(self.not_applied)
        return sync_line(status, self._now())

    def status_look(self, status: SyncStatus) -> SyncLook:
        return sync_look(status, 0 if status.pending else self.not_applied)

    def _lost(self) -> ConflictChoices:
        return ConflictChoices(self.store, self.home_id, kinds=BED_KINDS, on_saved=self._on_saved)

    @property
    def lost_changes(self) -> list[ConflictChoice]:
        """Bed counts this person saved that lost to another device's: what she entered beside what the other
        device saved (the screen shows the other device's numbers meanwhile)."""
        return self._lost().choices

    def save_mine_again(self, copy_id: int) -> bool:
        """One tap: save what she entered again, on top of the other device's version (so it applies)."""
        lost = self._lost()
        choice = next((c for c in lost.choices if c.copy_id == copy_id), None)
        if choice is None:
            return False
        lost.keep_mine(copy_id)
        # Her numbers are the saved ones again: the category's draft (the other device's numbers) goes.
        self.categories = [d for d in self.categories if f"{self.home_id}/{d.category.value}" != choice.record_id]
        self.store.mark_log_seen(e.id for e in self.store.sync_log(50, home_id=self.home_id, unseen=True)
                                 if e.record_id == choice.record_id)
        self.message = f"Saved your {choice.title} again - sending now"
        self.message_is_error = False
        self.reload()
        return True

    def dismiss_notices(self) -> None:
        """She has checked: the other device's numbers stand (her lost versions are dropped)."""
        self._drop_lost_versions()
        self.store.mark_log_seen(e.id for e in self.store.sync_log(50, home_id=self.home_id, unseen=True))

    def _drop_lost_versions(self) -> None:
        lost = self._lost()
        for choice in lost.choices:
            lost.keep_theirs(choice.copy_id)

    def _answer_bed_notices(self) -> None:
        """A new save of the bed state answers the notices about the bed state (not the red bag's, say)."""
        self._drop_lost_versions()
        self.store.mark_log_seen(e.id for e in self.store.sync_log(50, home_id=self.home_id, unseen=True)
                                 if e.kind in BED_STATE_KINDS)

    # -- actions ------------------------------------------------------------------------------

    def save(self) -> bool:
        """Save changed categories and confirm the home's bed state, on this device first."""
        if not self.dirty:
            return self.confirm_no_change()
        changed: list[BedCount] = []
        for draft in self.categories:
            if not draft.changed:
                continue
            model = self._validate(draft)
            if model is None:
                changed.clear()
                break
            changed.append(model)
        status = self._status_model()
        workforce = self.workforce.validate(self.home_id) if self.workforce.changed else None
        if self.has_errors or status is None:
            if self.workforce.errors:
                self.workforce.open = True  # the message under the field must be seen
            self.message = "Not saved: " + (self._first_error() or "a reason is needed when closed to admissions")
            self.message_is_error = True
            return False
        # The counts, the workforce and the confirmation are one save: all or none.
        self.store.save_together([*(("bed_count", m) for m in changed),
                                  *([("workforce", workforce)] if workforce is not None else []),
                                  ("home_status", status)])
        self.workforce.text.clear()
        saved = f"Saved {len(changed)} bed categor{'y' if len(changed) == 1 else 'ies'}"
        if workforce is not None:
            saved = f"{saved} and the workforce" if changed else "Saved the workforce"
        self._after_save(saved)
        return True

    def confirm_no_change(self) -> bool:
        """The Capacity Tracker rule: a home with no change still confirms."""
        status = self._status_model()
        if status is None:
            self.message = "Not saved: a reason is needed when closed to admissions"
            self.message_is_error = True
            return False
        self.store.save("home_status", [status])
        self._after_save("Confirmed: no change")
        return True

    def _status_model(self) -> HomeStatus | None:
        # When the manager confirmed, on the server's clock as this device measured it (a device that never
        # measured its clock leaves it to the server: the arrival). The server keeps it within the device's
        # last contact and the arrival (docs/sync.md).
        confirmed_at = self.store.server_now().isoformat() if self.store.clock_measured() else None
        try:
            return HomeStatus(
                home_id=self.home_id, closed_to_admissions=self.closed_to_admissions, closed_reason=self.closed_reason,
                confirmed_at=confirmed_at,
            )
        except ValidationError:
            return None

    def _first_error(self) -> str | None:
        for draft in self.categories:
            for message in draft.errors.values():
                return f"{draft.label} - {message}"
        for message in self.workforce.errors.values():
            return f"Workforce - {message}"
        return None

    def _after_save(self, message: str) -> None:
        self._answer_bed_notices()  # she has checked and saved again: the earlier "not applied" is answered
        for draft in self.categories:
            draft.saved = dict(draft.counts)
        self.message = message
        self.message_is_error = False
        self.reload()
        self._on_saved()


def _notice(entry) -> str:
    what = "Not applied" if entry.status == "conflict" else "Refused"
    return f"{what}: {entry.message}"


def _clock(moment: datetime) -> str:
    return uk_clock(moment)


def _day_clock(moment: datetime, now: datetime, same_day: str = "") -> str:
    """'09:12' (after ``same_day``) on the day of ``now``, else '24 Nov 09:12' (UK local time)."""
    return uk_day_clock(moment, now, same_day)
