"""Who beyond a home's commissioners may see its data: the provider's own say (issue 12, part 5).

One record per home, kept by its manager (the last save counts). The national rules are the defaults:
the home's commissioners (its council and ICB) always see its bed state, whatever is chosen here, and
nothing is public or in a research export unless the home says yes. The central API enforces the choices
on every read (docs/security.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import Field, field_validator

from domain.records import SyncedRecord


class SharedData(StrEnum):
    """The kinds of a home's data a choice is about."""

    BED_STATE = "bed_state"
    DIGITAL_READINESS = "digital_readiness"

    @property
    def label(self) -> str:
        return {SharedData.BED_STATE: "Vacancies and bed numbers",
                SharedData.DIGITAL_READINESS: "Digital readiness"}[self]


class Audience(StrEnum):
    """Who, beyond the home's commissioners, may see it."""

    NEIGHBOURING_DISCHARGE_TEAMS = "neighbouring_discharge_teams"
    PUBLIC = "public"
    RESEARCH = "research"


@dataclass(frozen=True)
class SharingOption:
    data: SharedData
    audience: Audience
    label: str  # what the manager reads beside the tick box

    @property
    def key(self) -> str:
        return f"{self.data.value}-{self.audience.value}"


# Every choice a home can make, in the order the settings screen shows them. Public and cross-boundary
# sharing only make sense for vacancies; research exports are always totals, never a home by name.
OPTIONS: tuple[SharingOption, ...] = (
    SharingOption(SharedData.BED_STATE, Audience.NEIGHBOURING_DISCHARGE_TEAMS,
                  "Hospital discharge teams from neighbouring areas may find our vacancies when they search "
                  "for a bed across the boundary"),
    SharingOption(SharedData.BED_STATE, Audience.PUBLIC,
                  "Count our vacancies in the public totals for our local authority (a number per bed "
                  "category; our home is never named)"),
    SharingOption(SharedData.BED_STATE, Audience.RESEARCH,
                  "Include our bed numbers in research exports (totals only, never our home by name)"),
    SharingOption(SharedData.DIGITAL_READINESS, Audience.RESEARCH,
                  "Include our digital readiness in research exports (totals only, never our home by name)"),
)
ALWAYS_SHARED = ("Your council and ICB commissioners always see your bed state: this is a national rule "
                 "and cannot be turned off.")
_ALLOWED = {data: frozenset(o.audience for o in OPTIONS if o.data is data) for data in SharedData}


class SharingChoices(SyncedRecord):
    """The audiences a home shares each kind of data with, beyond its commissioners (empty: nobody more)."""

    bed_state: tuple[Audience, ...] = Field(default=(), description="Beyond commissioners, who sees the beds")
    digital_readiness: tuple[Audience, ...] = Field(default=(), description="Beyond commissioners and champions")

    @field_validator("bed_state", "digital_readiness")
    @classmethod
    def _allowed(cls, audiences: tuple[Audience, ...], info) -> tuple[Audience, ...]:
        allowed = _ALLOWED[SharedData(info.field_name)]
        for audience in audiences:
            if audience not in allowed:
                raise ValueError(f"{SharedData(info.field_name).label} cannot be shared with {audience.value}")
        return tuple(a for a in Audience if a in audiences)  # one order, no repeats

    @property
    def record_id(self) -> str:
        return sharing_record_id(self.home_id)

    def shares(self, data: SharedData, audience: Audience) -> bool:
        return audience in getattr(self, data.value)

    def describe(self) -> str:
        """In plain words, for the audit log: 'Vacancies and bed numbers: public, research; ...'."""
        return "; ".join(
            f"{data.label}: " + (", ".join(a.value.replace("_", " ") for a in getattr(self, data.value))
                                 or "commissioners only")
            for data in SharedData)


def sharing_record_id(home_id: str) -> str:
    return f"{home_id}/sharing"


def shares(choices: SharingChoices | None, data: SharedData, audience: Audience) -> bool:
    """Whether the home shares ``data`` with ``audience``; a home that has not chosen shares nothing more."""
    return choices is not None and choices.shares(data, audience)


def with_choice(choices: SharingChoices, option: SharingOption, chosen: bool) -> SharingChoices:
    """The choices with one option ticked or not."""
    current = set(getattr(choices, option.data.value))
    (current.add if chosen else current.discard)(option.audience)
    return choices.model_copy(update={option.data.value: tuple(a for a in Audience if a in current)})
