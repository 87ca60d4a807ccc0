"""A commissioner's (or administrator's) alerts screen: write and send an alert, see per alert which homes have
read and acknowledged it (with their phone numbers), remind the rest.

Everything here is the central API's (``POST /alerts``, ``GET /alerts``, ``GET /alerts/{id}``,
``POST /alerts/{id}/remind``): sending needs a connection, and offline the screen says so plainly. The draft is
checked on the device with the same model the API validates with, in plain words, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import ValidationError

from client.sync.api import ApiError, AuthExpired, CentralApi, Offline
from domain.alerts import HomeAnswer, Priority
from domain.messages import as_sentence, plain_words
from domain.uk_time import uk_day_and_time
from protocol.alerts import AlertStatus, AlertSummary, SendAlert

NEEDS_CONNECTION = "Sending alerts needs a connection to the central API; none is available now."
SIGN_IN_AGAIN = "Please sign in again to send alerts"
FIELD_LABELS = {"title": "Title", "message": "Message", "link": "Link", "expires_at": "Expiry", "homes": "Homes",
                "area": "Send to"}
WHOLE_AREA = "mine"
MAX_DAYS = 366


def _when(moment: datetime | None) -> str:
    return uk_day_and_time(moment) if moment else ""


class AlertSender:
    def __init__(self, api: Callable[[], CentralApi | None], *, now: Callable[[], datetime]) -> None:
        self._api, self._now = api, now
        self.title = ""
        self.message_text = ""
        self.priority = Priority.INFORMATION
        self.link = ""
        self.days = 7
        # "mine" (the whole area), "la:<name>", "icb:<code>", or CQC location IDs separated by commas.
        self.to = WHOLE_AREA
        self.sent: list[AlertSummary] = []
        self.status: AlertStatus | None = None
        self.message: str | None = None
        self.message_is_error = False

    # -- the draft -------------------------------------------------------------------------------------

    def draft(self) -> SendAlert:
        """The alert as the API takes it (ValidationError when a field breaks a rule)."""
        to = self.to.strip()
        is_area = to == WHOLE_AREA or ":" in to
        return SendAlert.model_validate({
            "title": self.title, "message": self.message_text, "priority": self.priority,
            "link": self.link.strip() or None, "expires_at": self._now() + timedelta(days=self.days),
            "area": to if is_area else None,
            "homes": [] if is_area else [part.strip() for part in to.split(",") if part.strip()],
        })

    async def send(self) -> bool:
        if not 1 <= self.days <= MAX_DAYS:  # a typed number of days beyond any date is refused, not a crash
            return self._refused(f"Not sent: Show for (days) must be between 1 and {MAX_DAYS}")
        try:
            draft = self.draft()
        except ValidationError as exc:
            return self._refused("Not sent: " + plain_words(exc, FIELD_LABELS))
        try:
            summary = await self._signed_in().send_alert(draft)
        except (ApiError, _NeedsConnection) as exc:
            return self._said(exc)
        self.title = self.message_text = self.link = ""
        self.sent.insert(0, summary)
        return self._done(f"Sent to {summary.homes} home{'s' if summary.homes != 1 else ''} ({summary.audience})")

    # -- what was sent, and who answered ----------------------------------------------------------------

    async def load(self) -> bool:
        try:
            self.sent = await self._signed_in().sent_alerts()
        except (ApiError, _NeedsConnection) as exc:
            return self._said(exc)
        return True

    async def open(self, alert_id: str) -> bool:
        try:
            self.status = await self._signed_in().alert_status(alert_id)
        except (ApiError, _NeedsConnection) as exc:
            return self._said(exc)
        return True

    async def remind(self) -> bool:
        if self.status is None:
            return False
        try:
            answer = await self._signed_in().remind_alert(self.status.summary.alert_id)
        except (ApiError, _NeedsConnection) as exc:
            return self._said(exc)
        self.status = answer.status
        return self._done(f"Reminded {answer.reminded} home{'s' if answer.reminded != 1 else ''}")

    @staticmethod
    def summary_line(summary: AlertSummary) -> str:
        """'Urgent - Norovirus outbreak: 4 homes, 1 acknowledged, 1 read, 2 not yet'."""
        return (f"{summary.priority.label} - {summary.title}: {summary.homes} homes, {summary.acknowledged} "
                f"acknowledged, {summary.read} read, {summary.not_yet} not yet")

    @property
    def home_lines(self) -> list[tuple[HomeAnswer, str]]:
        """One line per home, not read yet first: who to call."""
        if self.status is None:
            return []
        lines = []
        for home in self.status.homes:
            if home.answer is HomeAnswer.ACKNOWLEDGED:
                detail = f"by {home.acknowledged_by}, {_when(home.acknowledged_at)}"
            elif home.answer is HomeAnswer.READ:
                detail = f"read {_when(home.read_at)}"
            else:
                detail = f"call {home.phone}" if home.phone else "no phone number known"
            lines.append((home.answer, f"{home.name}: {home.answer.label} ({detail})"))
        return lines

    # -- plumbing ----------------------------------------------------------------------------------------

    def _signed_in(self) -> CentralApi:
        api = self._api()
        if api is None:
            raise _NeedsConnection(SIGN_IN_AGAIN)
        return api

    def _said(self, exc: Exception) -> bool:
        if isinstance(exc, Offline):
            return self._refused(NEEDS_CONNECTION)
        if isinstance(exc, AuthExpired):
            return self._refused(SIGN_IN_AGAIN)
        return self._refused(as_sentence(str(exc)))

    def _refused(self, message: str) -> bool:
        self.message, self.message_is_error = message, True
        return False

    def _done(self, message: str) -> bool:
        self.message, self.message_is_error = message, False
        return True


class _NeedsConnection(Exception):
    """No token on this device: said to the user as it is."""
