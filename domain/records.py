"""What every record people edit carries: its home, and who saved it when."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from domain.uk_time import uk_day_and_time

USERNAME_PATTERN = r"^[A-Za-z0-9._@-]+$"


class SyncedRecord(BaseModel):
    """Fields every checklist and red bag record has."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    home_id: str = Field(min_length=1, max_length=64, description="CQC location ID of the home")
    changed_by: str | None = Field(
        default=None, min_length=1, max_length=100, pattern=USERNAME_PATTERN,
        description="Username of whoever saved it (stamped by the app on save)",
    )
    changed_at: AwareDatetime | None = Field(
        default=None, description="When it was saved, the device's clock (for people to read, never for ordering)"
    )

    @property
    def changed_text(self) -> str:
        """'Changed by alice, 3 May 2025 09:12' or 'Not saved yet'."""
        if self.changed_by is None or self.changed_at is None:
            return "Not saved yet"
        return f"Changed by {self.changed_by}, {uk_day_and_time(self.changed_at)}"


Item = TypeVar("Item", bound=BaseModel)


def stamp(item: Item, changed_by: str, changed_at: datetime) -> Item:
    """A copy of a record with who saved it and when (validated, unlike model_copy)."""
    return type(item).model_validate({**item.model_dump(), "changed_by": changed_by, "changed_at": changed_at})
