"""The bodies of the alerts API (POST /alerts, GET /alerts, GET /alerts/{id}, POST /alerts/{id}/remind)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.alerts import AlertContent, HomeAnswer, Priority

MAX_CHOSEN_HOMES = 2000


class SendAlert(AlertContent):
    """An alert and who it is for: chosen homes, or an area (never both)."""

    homes: list[str] = Field(default_factory=list, max_length=MAX_CHOSEN_HOMES,
                             description="CQC location IDs of the homes chosen")
    area: str | None = Field(default=None, max_length=120, description=(
        '"la:<local authority>", "icb:<ICB code>", "region:<NHS region>", "england", or "mine" for your whole area'))


class AlertSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    alert_id: str
    title: str
    priority: Priority
    sent_by: str
    sent_at: datetime
    audience: str = Field(description="Who it was sent to, for people: a local authority, an ICB, n chosen homes")
    expires_at: datetime
    reminded_at: datetime | None = None
    homes: int = Field(description="How many homes it was sent to")
    acknowledged: int
    read: int = Field(description="Read and not yet acknowledged")
    not_yet: int = Field(description="Not read yet")


class AlertHome(BaseModel):
    """Where one home is with the alert; the times are the central API's clock when its answer arrived."""

    model_config = ConfigDict(extra="forbid")

    home_id: str
    name: str
    phone: str | None
    answer: HomeAnswer
    read_at: datetime | None = None
    read_by: str | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None


class AlertStatus(BaseModel):
    """An alert, and each home it was sent to: not read yet first, then read, then acknowledged."""

    model_config = ConfigDict(extra="forbid")

    summary: AlertSummary
    content: AlertContent
    homes: list[AlertHome]

    def answered(self, answer: HomeAnswer) -> list[str]:
        """The ids of the homes at one answer (a list the sender reads: who has not acknowledged)."""
        return [home.home_id for home in self.homes if home.answer is answer]


class RemindAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reminded: int = Field(description="How many homes were reminded (those that have not acknowledged)")
    status: AlertStatus
