"""The home manager's settings screen: funding accepted, the bed categories the home offers, who to ask for,
and who beyond its commissioners may see its data (``domain.sharing``).

The categories start as the CQC registration implies them (``CareHome
.bed_categories``), or as the manager last corrected them; her correction is
saved as ``HomeSettings.bed_categories`` (None when it is the same as the
registration's), and the bed state screen then shows exactly those. Saved to
the local store like every record (stamped with who and when), synced; the
central API lets only the home's manager write it. The sharing choices are a record of their own
(``sharing``), saved in the same save only when they changed (each change is audited on the server).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from pydantic import ValidationError

from client.store import LocalStore
from domain.beds import BedCategory
from domain.home_settings import Funding, HomeSettings, home_settings_record_id, offered_categories
from domain.homes import CareHome
from domain.messages import plain_words
from domain.records import stamp
from domain.sharing import ALWAYS_SHARED, OPTIONS, SharingChoices, SharingOption, sharing_record_id, with_choice

_PHONE = re.compile(r"[0-9 +()-]+")
FIELD_LABELS = {"manager_name": "Name to ask for", "contact_phone": "Phone", "bed_categories": "Bed categories"}


def load_settings(store: LocalStore, home_id: str) -> HomeSettings | None:
    record = store.record("home_settings", home_settings_record_id(home_id))
    return HomeSettings.model_validate(record.data) if record else None


def load_sharing(store: LocalStore, home_id: str) -> SharingChoices | None:
    record = store.record("sharing", sharing_record_id(home_id))
    return SharingChoices.model_validate(record.data) if record else None


class HomeSettingsScreen:
    def __init__(self, store: LocalStore, home_id: str, username: str, *,
                 on_saved: Callable[[], None] = lambda: None, now: Callable[[], datetime] | None = None) -> None:
        self.store, self.home_id, self.username = store, home_id, username
        self._on_saved = on_saved
        self._now = now or store.server_now
        self.home: CareHome | None = None
        self.saved: HomeSettings | None = None
        self.funding: set[Funding] = set()
        self.categories: set[BedCategory] = set()
        self.manager_name = ""
        self.contact_phone = ""
        self.saved_sharing: SharingChoices | None = None
        self.sharing = SharingChoices(home_id=home_id)
        self.message: str | None = None
        self.message_is_error = False
        self.reload()

    def reload(self) -> None:
        """The home and its saved settings; the draft starts from them."""
        record = self.store.record("care_home", self.home_id)
        self.home = CareHome.model_validate(record.data) if record else None
        self.saved = load_settings(self.store, self.home_id)
        saved = self.saved
        self.funding = set(saved.funding_accepted) if saved else set()
        self.categories = set(offered_categories(self.home, saved)) if self.home else set()
        self.manager_name = (saved.manager_name if saved else None) or \
            (self.home.registered_manager if self.home else None) or ""
        self.contact_phone = (saved.contact_phone if saved else None) or ""
        self.saved_sharing = load_sharing(self.store, self.home_id)
        # Nothing chosen yet: the national defaults (commissioners only).
        self.sharing = self.saved_sharing or SharingChoices(home_id=self.home_id)

    # -- what the screen shows ------------------------------------------------------------------------

    @property
    def implied(self) -> tuple[BedCategory, ...]:
        """What the CQC registration implies (the bed categories pre-ticked before any correction)."""
        return self.home.bed_categories if self.home else ()

    @property
    def categories_note(self) -> str:
        if not self.home:
            return "Waiting for the first sync"
        if set(self.implied) == self.categories:
            return "As the CQC registration implies"
        return "Corrected by the home (the CQC registration implies: " + \
            ", ".join(c.label for c in self.implied) + ")"

    @property
    def phone_hint(self) -> str:
        cqc = self.home.phone if self.home else None
        return f"Empty: the CQC number ({cqc})" if cqc else "The number discharge teams should call"

    @property
    def changed_text(self) -> str:
        return self.saved.changed_text if self.saved else "Not saved yet"

    always_shared = ALWAYS_SHARED

    @property
    def sharing_options(self) -> list[tuple[SharingOption, bool]]:
        """Each choice in plain words, and whether it is ticked (in the draft)."""
        return [(option, self.sharing.shares(option.data, option.audience)) for option in OPTIONS]

    @property
    def sharing_changed_text(self) -> str:
        return self.saved_sharing.changed_text if self.saved_sharing else "Not chosen yet: commissioners only"

    # -- editing --------------------------------------------------------------------------------------

    def set_funding(self, funding: Funding | str, accepted: bool) -> None:
        (self.funding.add if accepted else self.funding.discard)(Funding(funding))
        self.message = None

    def set_category(self, category: BedCategory | str, offered: bool) -> None:
        (self.categories.add if offered else self.categories.discard)(BedCategory(category))
        self.message = None

    def set_sharing(self, key: str, chosen: bool) -> None:
        """Tick or untick one sharing option (``SharingOption.key``)."""
        option = next(o for o in OPTIONS if o.key == key)
        self.sharing = with_choice(self.sharing, option, chosen)
        self.message = None

    def _sharing_changed(self) -> bool:
        fields = ("bed_state", "digital_readiness")
        before = self.saved_sharing or SharingChoices(home_id=self.home_id)
        return any(getattr(before, name) != getattr(self.sharing, name) for name in fields)

    def save(self) -> bool:
        """Save the settings on this device first (queued for the central API)."""
        if self.home is None:
            return self._refused("Not saved: the home's details have not arrived yet (sync first)")
        if not self.categories:
            return self._refused("Not saved: tick at least one bed category the home offers")
        phone = self.contact_phone.strip()
        if phone and (not _PHONE.fullmatch(phone) or sum(ch.isdigit() for ch in phone) < 10):
            return self._refused("Not saved: the phone number should be digits, e.g. 0161 912 2200")
        categories = tuple(c for c in BedCategory if c in self.categories)
        try:
            settings = HomeSettings(
                home_id=self.home_id,
                funding_accepted=tuple(f for f in Funding if f in self.funding),
                # The same as the registration: no correction (a later CQC file then still counts).
                bed_categories=None if set(categories) == set(self.implied) else categories,
                manager_name=self.manager_name.strip() or None,
                contact_phone=phone or None,
            )
        except ValidationError as exc:
            return self._refused("Not saved: " + plain_words(exc, FIELD_LABELS))
        now = self._now()
        changes = [("home_settings", stamp(settings, self.username, now))]
        if self._sharing_changed():  # only a real change: each one is a line in the audit log
            changes.append(("sharing", stamp(self.sharing, self.username, now)))
        self.store.save_together(changes)
        self.reload()
        self.message, self.message_is_error = "Saved on this device; discharge teams see it once sent", False
        self._on_saved()
        return True

    def _refused(self, message: str) -> bool:
        self.message, self.message_is_error = message, True
        return False
