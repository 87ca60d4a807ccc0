"""A digital champion's list of homes, sorted by what needs attention next (UI-free).

The order (most urgent first):

1. **NHSmail blocked**: the home cannot go on with its registration as things
   stand (no or a wrong ODS code, DSPT below Approaching Standards, refused,
   no reply after 48 hours, a user deactivated after 30 days).
2. **NHSmail clock running**: the form is submitted and the 48-hour reply is
   awaited, or users are activated and must set up MFA and log in within 30
   days. Earliest deadline first.
3. **Everything else.**

Within each group: the lowest Digital Maturity band first, then the home's
name. Each row says one reason why it is where it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from client.state.readiness import Checklist, load_checklist, step_text
from client.store import LocalStore
from domain import nhsmail
from domain.maturity import Band, band, what_next
from domain.nhsmail import Step
from protocol import Account

BLOCKED, CLOCK_RUNNING, OTHER = 0, 1, 2


@dataclass(frozen=True)
class HomeRow:
    home_id: str
    name: str
    postcode: str
    band: Band
    nhsmail_step: str
    attention: str
    group: int  # BLOCKED, CLOCK_RUNNING or OTHER
    deadline: datetime | None = None

    @property
    def band_label(self) -> str:
        return self.band.label


def _home_ids(store: LocalStore, account: Account) -> list[str]:
    """The account's homes that are on this device: a champion's assigned homes, else the account's home."""
    wanted = list(account.assigned_homes) or ([account.home_id] if account.home_id else [])
    on_device = {r.id for r in store.records("care_home")}
    return [h for h in wanted if h in on_device]


def _clock(moment: datetime) -> str:
    return f"{moment.astimezone():%d %b %H:%M}".lstrip("0")


def home_row(checklist: Checklist, home_id: str, now: datetime) -> HomeRow:
    home = checklist.home
    facts = checklist.facts(today=now.date())
    reached = band(facts)
    progress = checklist.nhsmail or nhsmail.start(home_id)
    node = nhsmail.current_node(progress, now)
    chart = nhsmail.flow_chart(progress, now)
    group, deadline = OTHER, None
    if node not in {s.value for s in Step} and chart.node(node).kind == "blocked":
        group, attention = BLOCKED, f"NHSmail blocked: {chart.node(node).label}"
    elif progress.step is Step.AWAIT_REPLY and progress.reply_expected_by is not None:
        group, deadline = CLOCK_RUNNING, progress.reply_expected_by
        attention = f"NHSmail reply expected by {_clock(deadline)}"
    elif progress.step in (Step.MFA, Step.FIRST_LOGIN):
        waiting = [d for d in nhsmail.login_deadlines(progress, now) if d.status in ("ok", "warning")]
        group = CLOCK_RUNNING
        if waiting:
            first = min(waiting, key=lambda d: d.deadline)
            deadline = first.deadline
            attention = f"NHSmail first login due: {first.text}"
        else:
            attention = f"NHSmail: {progress.step.label}"
    else:
        missing = what_next(facts)
        if missing:
            attention = f"For {missing[0].band.label}: {missing[0].label}"
        elif not progress.in_use:
            attention = f"NHSmail next: {progress.step.label}"
        else:
            attention = "Nothing outstanding"
    return HomeRow(
        home_id=home_id,
        name=home.name if home else home_id,
        postcode=home.postcode if home else "",
        band=reached,
        nhsmail_step=step_text(progress) if checklist.nhsmail else "NHSmail not started",
        attention=attention,
        group=group,
        deadline=deadline,
    )


def sort_key(row: HomeRow) -> tuple:
    deadline = row.deadline.timestamp() if row.deadline is not None else float("inf")
    return (row.group, deadline if row.group == CLOCK_RUNNING else 0.0, row.band.rank, row.name.casefold())


class HomeList:
    def __init__(self, store: LocalStore, account: Account, now: Callable[[], datetime] | None = None) -> None:
        self.store, self.account = store, account
        self._now = now or store.server_now
        self.rows: list[HomeRow] = []
        self.reload()

    def reload(self) -> None:
        now = self._now()
        rows = [home_row(load_checklist(self.store, home_id), home_id, now)
                for home_id in _home_ids(self.store, self.account)]
        self.rows = sorted(rows, key=sort_key)

    @property
    def expected(self) -> int:
        """How many homes the account has (some may not be on this device yet)."""
        return len(self.account.assigned_homes) or (1 if self.account.home_id else 0)

    @property
    def heading(self) -> str:
        if not self.rows and self.expected:
            return "Your homes arrive with the first sync..."
        return f"Your homes ({len(self.rows)}), what needs attention first"
