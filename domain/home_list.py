"""A digital champion's homes in the order they need attention (design).

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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from domain import nhsmail
from domain.maturity import Band, Checklist, band, what_next
from domain.nhsmail import Step
from domain.uk_time import uk_day_and_time


class Group(IntEnum):
    """Why a home is where it is in the list, most urgent first."""

    BLOCKED = 0
    CLOCK_RUNNING = 1
    OTHER = 2


BLOCKED, CLOCK_RUNNING, OTHER = Group.BLOCKED, Group.CLOCK_RUNNING, Group.OTHER


@dataclass(frozen=True)
class HomeRow:
    home_id: str
    name: str
    postcode: str
    band: Band
    nhsmail_step: str
    attention: str
    group: Group
    deadline: datetime | None = None

    @property
    def band_label(self) -> str:
        return self.band.label


def _day_and_time(moment: datetime) -> str:
    return uk_day_and_time(moment, year=False)


def home_row(checklist: Checklist, home_id: str, now: datetime) -> HomeRow:
    """Where one home stands at ``now``, and the one reason that puts it there."""
    home = checklist.home
    facts = checklist.facts(today=now.date())
    progress = checklist.nhsmail or nhsmail.start(home_id)
    node = nhsmail.current_node(progress, now)
    chart = nhsmail.flow_chart(progress, now)
    group, deadline = OTHER, None
    if node not in {s.value for s in Step} and chart.node(node).kind == "blocked":
        group, attention = BLOCKED, f"NHSmail blocked: {chart.node(node).label}"
    elif progress.step is Step.AWAIT_REPLY and progress.reply_expected_by is not None:
        group, deadline = CLOCK_RUNNING, progress.reply_expected_by
        attention = f"NHSmail reply expected by {_day_and_time(deadline)}"
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
        band=band(facts),
        nhsmail_step=nhsmail.step_text(progress) if checklist.nhsmail else "NHSmail not started",
        attention=attention,
        group=group,
        deadline=deadline,
    )


def sort_key(row: HomeRow) -> tuple[int, float, int, str]:
    """Group; within the clock group the earliest deadline; then the lowest band; then the name."""
    deadline = row.deadline.timestamp() if row.deadline is not None else float("inf")
    return (row.group, deadline if row.group is CLOCK_RUNNING else 0.0, row.band.rank, row.name.casefold())


def in_attention_order(rows: Iterable[HomeRow]) -> list[HomeRow]:
    return sorted(rows, key=sort_key)
