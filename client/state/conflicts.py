"""Records changed on two devices: a person chooses which version to keep.

Residents and transfers hold free text that is never merged silently: when
another device's change reached the central API first, this device shows that
version and keeps its own beside it (``LocalStore.conflict_copies``). This
state lists them for one home, field by field in plain words ("your version"
against "the version saved on another device"), and carries out the choice:
keep mine (saved again on top of the other version, and sent) or keep theirs
(this device's version is dropped). UI-free; ``client.views.conflicts_view``
renders it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from client.store import ConflictCopy, LocalStore
from domain.beds import COUNT_LABELS, BedCategory
from domain.residents import resident_record_id
from domain.uk_time import uk_day_and_time
from protocol import RECORD_KINDS, ConflictRule

EXPLANATION = ("These records were changed on two devices before they could sync. Each shows the version "
               "saved on another device; yours is kept on this device until you choose.")
KEEP_MINE_NEXT = "Keep your version: it replaces the other version on every device once this device syncs."
KEEP_THEIRS_NEXT = "Keep the other version: your version is removed from this device."

_KIND_TITLES = {"resident": "Resident details", "transfer": "Hospital transfer", "bed_count": "Beds"}
# The red bag's records: free text kept on both sides until a person chooses (the default of ConflictChoices).
KEEP_BOTH_KINDS = frozenset(name for name, kind in RECORD_KINDS.items() if kind.conflict_rule is ConflictRule.KEEP_BOTH)
# Bed counts that lost to another device's: shown on the bed state screen, hers beside theirs, to save again.
BED_KINDS = frozenset({"bed_count"})
# Plain labels of fields whose name alone would read oddly.
_FIELD_LABELS = dict(COUNT_LABELS)
# Who saved a version and when: shown once per side, never as a difference.
_STAMP_FIELDS = ("changed_by", "changed_at", "as_at")
_WORDS = {"nhs": "NHS", "gp": "GP", "spo2": "SpO2", "bp": "BP", "dnacpr": "DNACPR", "respect": "ReSPECT",
          "news2": "NEWS2", "sbard": "SBARD", "ods": "ODS"}
EMPTY = "(empty)"


@dataclass(frozen=True)
class Difference:
    label: str  # 'About me: what matters to me'
    yours: str
    theirs: str


@dataclass(frozen=True)
class ConflictChoice:
    copy_id: int
    title: str  # 'Resident details: Margaret Oyelaran-Whitfield'
    yours_saved: str  # 'Your version: saved by carer2, 3 May 09:12'
    theirs_saved: str  # 'Saved on another device by carer1, 3 May 09:10'
    differences: tuple[Difference, ...]
    record_id: str = ""


def notice_text(count: int) -> str | None:
    """The line on the red bag screen while copies wait for a choice."""
    if count == 0:
        return None
    if count == 1:
        return "1 record was changed on two devices: choose which to keep"
    return f"{count} records were changed on two devices: choose which to keep"


class ConflictChoices:
    """One home's records that were changed on two devices, and the choice between the two versions."""

    def __init__(self, store: LocalStore, home_id: str, *, on_saved: Callable[[], None] | None = None,
                 kinds: Collection[str] = KEEP_BOTH_KINDS) -> None:
        self.store, self.home_id, self._on_saved = store, home_id, on_saved
        self.kinds = frozenset(kinds)
        self.message: str | None = None
        self.reload()

    def reload(self) -> None:
        self._copies = {copy.id: copy for copy in self.store.conflict_copies(self.home_id) if copy.kind in self.kinds}

    @property
    def count(self) -> int:
        return len(self._copies)

    @property
    def notice(self) -> str | None:
        return notice_text(self.count)

    @property
    def choices(self) -> list[ConflictChoice]:
        return [self._choice(copy) for copy in self._copies.values()]

    def keep_mine(self, copy_id: int) -> str:
        """Save this device's version again, on top of the other one; it is sent with the next sync."""
        title = self._title_of(copy_id)
        self.store.resolve_conflict(copy_id, keep_mine=True)
        self.reload()
        if self._on_saved is not None:
            self._on_saved()
        self.message = f"Kept your version of {title}: it will be sent when this device syncs"
        return self.message

    def keep_theirs(self, copy_id: int) -> str:
        """Keep the version saved on another device; this device's version is dropped."""
        title = self._title_of(copy_id)
        self.store.resolve_conflict(copy_id, keep_mine=False)
        self.reload()
        self.message = f"Kept the version saved on another device for {title}"
        return self.message

    # -- showing a choice -------------------------------------------------------------------

    def _title_of(self, copy_id: int) -> str:
        copy = self._copies.get(copy_id)
        if copy is None:
            raise KeyError(f"no record waiting for a choice with id {copy_id}")
        return self._name(copy)

    def _name(self, copy: ConflictCopy) -> str:
        data = copy.mine
        if copy.kind == "bed_count":
            return f"{BedCategory(data['category']).label} beds"
        resident = data if copy.kind == "resident" else self._resident_data(data.get("resident_id"))
        if resident is None:
            return _KIND_TITLES.get(copy.kind, _label(copy.kind)).lower()
        return f"{resident.get('given_name', '')} {resident.get('family_name', '')}".strip()

    def _resident_data(self, resident_id: str | None) -> dict[str, Any] | None:
        if not resident_id:
            return None
        record = self.store.record("resident", resident_record_id(self.home_id, resident_id))
        return record.data if record else None

    def _choice(self, copy: ConflictCopy) -> ConflictChoice:
        current = self.store.record(copy.kind, copy.record_id)
        theirs = current.data if current is not None else {}
        mine_fields, their_fields = _flatten(copy.mine), _flatten(theirs)
        differences = tuple(
            Difference(_path_label(path), _shown(mine_fields.get(path)), _shown(their_fields.get(path)))
            for path in sorted(mine_fields.keys() | their_fields.keys(), key=_field_order(copy.mine, theirs))
            if path not in _STAMP_FIELDS and mine_fields.get(path) != their_fields.get(path)
        )
        kind_title = _KIND_TITLES.get(copy.kind, _label(copy.kind))
        return ConflictChoice(
            copy_id=copy.id,
            record_id=copy.record_id,
            title=self._name(copy) if copy.kind in BED_KINDS else f"{kind_title}: {self._name(copy)}",
            yours_saved="Your version: " + _saved_by(copy.mine, otherwise="saved on this device"),
            theirs_saved=("The version saved on another device: "
                          + _saved_by(theirs, otherwise="it reached the central API first")) if current is not None
            else "On another device this record was removed",
            differences=differences,
        )


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested parts become 'part.field' paths; lists stay whole (they are shown as one value)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _field_order(*records: dict[str, Any]) -> Callable[[str], int]:
    """Fields in the order the record defines them (the order people fill them in)."""
    order: dict[str, int] = {}
    for record in records:
        for path in _flatten(record):
            order.setdefault(path, len(order))
    return lambda path: order[path]


def _label(name: str, *, capital: bool = True) -> str:
    """'gp_practice' -> 'GP practice', 'what_matters_to_me' -> 'What matters to me' (or 'what ...')."""
    text = " ".join(_WORDS.get(word, word) for word in name.split("_"))
    return text[:1].upper() + text[1:] if capital else text


def _path_label(path: str) -> str:
    """'about_me.what_matters_to_me' -> 'About me: what matters to me'."""
    if path in _FIELD_LABELS:
        return _FIELD_LABELS[path]
    first, *rest = path.split(".")
    return ": ".join([_label(first), *(_label(part, capital=False) for part in rest)])


def _shown(value: Any) -> str:
    if value is None or value == "" or value == [] or value == ():
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return "; ".join(_shown_item(item) for item in value)
    return str(value)


def _shown_item(item: Any) -> str:
    if isinstance(item, dict):
        return ", ".join(str(v) for v in item.values() if v not in (None, "", [], ()))
    return str(item)


def _saved_by(data: dict[str, Any], *, otherwise: str) -> str:
    who, when = data.get("changed_by"), data.get("changed_at")
    if not who or not when:
        return otherwise
    return f"saved by {who}, " + uk_day_and_time(datetime.fromisoformat(when), year=False)
