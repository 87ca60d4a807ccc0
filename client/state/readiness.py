"""The digital readiness screen of one home: checklist, WiFi survey, maturity band, NHSmail guide.

UI-free, like ``BedStateScreen``: the view shows what this object says and
forwards taps to it; tests drive it directly. Every action validates through
the domain models (``domain.readiness``, ``domain.nhsmail``), stamps who saved
it and when (``domain.readiness.stamp``) and saves through
``LocalStore.save_together``, so it works with no connection and syncs later.
Actions never raise for bad input: they return the message to show (None when
saved) and keep it in ``message`` / ``message_is_error`` for the view.

The clock (``now``) defaults to the store's estimate of the server's clock
(``LocalStore.server_now``): the device's clock corrected by the last measured
offset, so a "changed at" or an NHSmail deadline does not trust a wrong device
clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from client.state.nhsmail_users import NhsmailUsersForm
from client.state.records import all_readable, readable
from client.store import Document, DocumentShelf, LocalStore
from domain import nhsmail
from domain.homes import CareHome
from domain.maturity import Band, Checklist, ChecklistFacts, Missing, band, item_done, what_next
from domain.messages import plain_words
from domain.nhsmail import (
    FlowChart,
    NhsmailError,
    NhsmailProgress,
    NhsmailUser,
    OdsProblem,
    Step,
    UserRole,
    step_text,
)
from domain.numbers import mbps, ms
from domain.readiness import (
    Broadband,
    ChecklistItem,
    DeviceKind,
    DeviceProvision,
    DigitalSocialCareRecord,
    DsptLevel,
    DsptStatus,
    GpAccess,
    GpRecordAccess,
    GpSystem,
    WifiSummary,
    WifiSurveyResult,
    laptops_and_tablets,
    stamp,
    summarise_wifi,
)
from domain.uk_time import uk_day_and_time, uk_local

M = TypeVar("M", bound=BaseModel)
SUMMARY_GROUP = "readiness-summary"  # the home's latest summary PDF on the document shelf (all go at sign-out)

WEB_MODE_WIFI_NOTE = ("In the browser, the WiFi test measures from the computer running the app, "
                      "not from this tablet or phone.")


class MeasurementLike(Protocol):
    """What ``client.sync.speedtest.Measurement`` offers (structural: the view measures, the screen records)."""

    latency_ms: float | None
    download_mbps: float | None
    upload_mbps: float | None
    no_connection: bool


# --- reading a home's checklist ---------------------------------------------------------------------------------


def load_checklist(store: LocalStore, home_id: str) -> Checklist:
    def one(kind: str, model: type[M]) -> M | None:
        found = store.records(kind, home_id)
        if found and found[0].pending:
            checklist.pending.add(kind)
        return readable(model, found[0]) if found else None  # unreadable: shown as not recorded

    def many(kind: str, model: type[M]) -> list[M]:
        rows = store.records(kind, home_id)
        if any(r.pending for r in rows):
            checklist.pending.add(kind)
        return all_readable(model, rows)

    checklist = Checklist()
    checklist.home = readable(CareHome, store.record("care_home", home_id))
    checklist.broadband = one("broadband", Broadband)
    checklist.wifi_results = many("wifi_result", WifiSurveyResult)
    checklist.devices = many("device_provision", DeviceProvision)
    checklist.dspt = one("dspt_status", DsptStatus)
    checklist.gp = one("gp_record_access", GpRecordAccess)
    checklist.dscr = one("social_care_record", DigitalSocialCareRecord)
    checklist.nhsmail = one("nhsmail_progress", NhsmailProgress)
    return checklist


# --- what the screen shows --------------------------------------------------------------------------------------


def changed_line(changed_by: str | None, changed_at: datetime | None, now: datetime | None = None) -> str:
    """'changed by alice, 25 Nov 09:12' (UK time; the year too when it is not this year)."""
    if changed_by is None or changed_at is None:
        return "Not recorded yet"
    same_year = now is None or uk_local(changed_at).year == uk_local(now).year
    return f"changed by {changed_by}, {uk_day_and_time(changed_at, year=not same_year)}"


def _latest(items: Iterable[Any]) -> Any | None:
    stamped = [i for i in items if i.changed_at is not None]
    return max(stamped, key=lambda i: i.changed_at) if stamped else None


def _mbps(value: float | None) -> str:
    return mbps(value) if value is not None else "?"  # the summary PDF's rule: the same figure on both


@dataclass(frozen=True)
class ChecklistRow:
    item: ChecklistItem
    label: str
    value: str
    changed: str
    done: bool
    pending: bool = False  # saved on this device, not sent yet


@dataclass(frozen=True)
class WifiRow:
    location: str
    area: str
    coverage: str
    detail: str


def parse_users(text: str) -> list[dict[str, Any]]:
    """Users typed one per line: 'Name, email, mobile[, owner]' (the first line is the owner if none is marked).

    Raises NhsmailError naming the line that cannot be read.
    """
    users: list[dict[str, Any]] = []
    for number, line in enumerate((line for line in text.splitlines() if line.strip()), start=1):
        parts = [p.strip() for p in line.split(",")]
        if len(parts) not in (3, 4) or not all(parts[:3]):
            raise NhsmailError(f"user {number}: write 'Name, email, mobile' (add ', owner' for an owner), "
                               f"got {line.strip()!r}")
        role = UserRole.MEMBER
        if len(parts) == 4:
            if parts[3].lower() not in ("owner", "member"):
                raise NhsmailError(f"user {number}: the fourth part is 'owner' or 'member', got {parts[3]!r}")
            role = UserRole(parts[3].lower())
        users.append({"name": parts[0], "email": parts[1], "mobile": parts[2], "role": role})
    if users and not any(u["role"] is UserRole.OWNER for u in users):
        users[0]["role"] = UserRole.OWNER
    return users


def _number(text: str | float | int | None, what: str) -> float | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        return float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {text!r}") from None


class ReadinessScreen:
    def __init__(
        self,
        store: LocalStore,
        home_id: str,
        username: str,
        now: Callable[[], datetime] | None = None,
        *,
        on_saved: Callable[[], None] = lambda: None,
        web_mode: bool = False,
    ) -> None:
        self.store, self.home_id, self.username = store, home_id, username
        # From the composition root (AppContext.web_mode): in web mode the speed test runs on the computer
        # running the app, so the survey must say so rather than pretend it measured the tablet's spot.
        self.web_mode = web_mode
        self._now = now or store.server_now
        self._on_saved = on_saved
        self.message: str | None = None
        self.message_is_error = False
        self.checklist = Checklist()
        self._users_form: NhsmailUsersForm | None = None
        self.reload()

    def moved_on(self) -> None:
        """The person opened another section: a message about the last one no longer applies."""
        self.message, self.message_is_error = None, False

    def reload(self) -> None:
        self.checklist = load_checklist(self.store, self.home_id)

    # -- what the screen shows ------------------------------------------------------------------------

    @property
    def home_name(self) -> str:
        return self.checklist.home.name if self.checklist.home else "Waiting for the first sync"

    @property
    def home_line(self) -> str:
        home = self.checklist.home
        return f"{home.address}, {home.postcode}" if home else ""

    @property
    def facts(self) -> ChecklistFacts:
        return self.checklist.facts(today=self._now().date())

    @property
    def band(self) -> Band:
        return band(self.facts)

    @property
    def band_text(self) -> str:
        return f"Digital maturity: {self.band.label}"

    @property
    def next_band_text(self) -> str:
        upcoming = self.band.next
        return f"For {upcoming.label} the home needs:" if upcoming else "The highest band: nothing more needed"

    @property
    def what_next(self) -> list[Missing]:
        return what_next(self.facts)

    @property
    def wifi_summary(self) -> WifiSummary:
        return summarise_wifi(self.checklist.wifi_results)

    @property
    def wifi_text(self) -> str:
        return self.wifi_summary.text

    @property
    def wifi_instructions(self) -> str:
        if self.web_mode:
            return (f"{WEB_MODE_WIFI_NOTE} To survey the rooms, run the test from the app installed on the tablet "
                    "or laptop, standing where care happens.")
        return "Stand where care happens, name the place, then test. No connection is saved as a result too."

    @property
    def wifi_rows(self) -> list[WifiRow]:
        rows = []
        for loc in self.wifi_summary.locations:
            latest = loc.latest
            if latest.no_connection:
                detail = "No connection"
            else:
                detail = (f"{_mbps(latest.download_mbps)} Mbps down, {_mbps(latest.upload_mbps)} up, "
                          f"{ms(latest.latency_ms)} ms")
            if loc.reasons and not latest.no_connection:
                detail += " - " + "; ".join(loc.reasons)
            detail += f" ({changed_line(latest.changed_by, latest.changed_at, self._now())})"
            rows.append(WifiRow(loc.location, loc.area.label, loc.coverage.label, detail))
        return rows

    @property
    def checklist_rows(self) -> list[ChecklistRow]:
        c, now, facts = self.checklist, self._now(), self.facts
        rows = []

        def add(item: ChecklistItem, value: str, source: Any | None, kinds: Sequence[str]) -> None:
            changed = changed_line(source.changed_by, source.changed_at, now) if source is not None \
                else "Not recorded yet"
            pending = any(k in c.pending for k in kinds)
            if pending:
                changed += " - on this device, not sent yet"
            rows.append(ChecklistRow(item, item.label, value, changed, item_done(item, facts), pending))

        bb = c.broadband
        if bb is None:
            value = "Not recorded"
        elif bb.no_broadband:
            value = "No broadband"
        else:
            up = f" / {_mbps(bb.contracted_up_mbps)} up" if bb.contracted_up_mbps else ""
            value = f"{bb.provider}, {_mbps(bb.contracted_down_mbps)} Mbps down{up}"
        add(ChecklistItem.BROADBAND, value, bb, ["broadband"])
        add(ChecklistItem.WIFI, self.wifi_text, _latest(c.wifi_results), ["wifi_result"])
        count = laptops_and_tablets(c.devices)
        deliveries = len(c.devices)
        value = (f"{count} laptop{'s' if count != 1 else ''} or tablet{'s' if count != 1 else ''}"
                 f" ({deliveries} deliver{'ies' if deliveries != 1 else 'y'})") if deliveries else "None recorded"
        add(ChecklistItem.DEVICES, value, _latest(c.devices), ["device_provision"])
        if c.dspt is None:
            value = "Not recorded"
        else:
            value = c.dspt.text + (f" - counts as Not Published ({facts.dspt_note})" if facts.dspt_note else "")
            if not facts.dspt_note and not facts.dspt.met and facts.dspt is not DsptLevel.NOT_PUBLISHED:
                value += " - not yet met (needs Standards Met)"
        add(ChecklistItem.DSPT, value, c.dspt, ["dspt_status"])
        add(ChecklistItem.NHSMAIL, step_text(c.nhsmail) if c.nhsmail else "Not started", c.nhsmail,
            ["nhsmail_progress"])
        if c.gp is None:
            value = "Not recorded"
        else:
            value = c.gp.access.label + (f" ({c.gp.system.label})" if c.gp.system else "")
        add(ChecklistItem.GP_RECORD_ACCESS, value, c.gp, ["gp_record_access"])
        if c.dscr is None:
            value = "Not recorded"
        else:
            value = ("In use" + (f" ({c.dscr.supplier})" if c.dscr.supplier else "")) if c.dscr.in_use \
                else "Not in use"
        add(ChecklistItem.DSCR, value, c.dscr, ["social_care_record"])
        return rows

    # NHSmail -------------------------------------------------------------------------------------------

    @property
    def progress(self) -> NhsmailProgress:
        return self.checklist.nhsmail or nhsmail.start(self.home_id)

    @property
    def nhsmail_step(self) -> Step:
        return self.progress.step

    @property
    def nhsmail_step_text(self) -> str:
        return step_text(self.progress)

    @property
    def nhsmail_what_to_do(self) -> str:
        return nhsmail.what_to_do(self.progress, self._now())

    @property
    def nhsmail_blocked(self) -> str | None:
        return nhsmail.blocked_reason(self.progress, self._now())

    @property
    def flow_chart(self) -> FlowChart:
        return nhsmail.flow_chart(self.progress, self._now())

    @property
    def nhsmail_changed(self) -> str:
        p = self.checklist.nhsmail
        return changed_line(p.changed_by, p.changed_at, self._now()) if p else "Not started"

    @property
    def login_deadlines(self) -> list[str]:
        return [d.text for d in nhsmail.login_deadlines(self.progress, self._now())]

    @property
    def checklist_dspt(self) -> DsptStatus | None:
        return self.checklist.dspt

    # -- actions: the checklist ---------------------------------------------------------------------------

    def save_broadband(self, provider: str | None, down: str | float | None, up: str | float | None = None,
                       none: bool = False) -> str | None:
        """The contracted broadband (speeds in Mbps, typed text is fine), or that the home has none."""
        def build() -> Broadband:
            if none:
                return Broadband(home_id=self.home_id, no_broadband=True)
            return Broadband(home_id=self.home_id, provider=provider or None,
                             contracted_down_mbps=_number(down, "Contracted download speed"),
                             contracted_up_mbps=_number(up, "Contracted upload speed"))
        return self._save("broadband", build, "Saved: broadband")

    def save_dspt(self, export_text: str | None = None, *, level: DsptLevel | str | None = None,
                  year: str | None = None) -> str | None:
        """The DSPT status, from the DSPT site's export text ('24/25 Standards Met') or as level and year."""
        def build() -> DsptStatus:
            if export_text and export_text.strip():
                return DsptStatus.from_export(self.home_id, export_text)
            if not level:
                raise ValueError("choose the DSPT status, or paste it as shown on the DSPT site (e.g. 24/25 Standards Met)")
            return DsptStatus(home_id=self.home_id, status=DsptLevel(level), year=(year or "").strip() or None)
        return self._save("dspt_status", build, "Saved: DSPT status")

    def save_gp(self, access: GpAccess | str | None, system: GpSystem | str | None = None, note: str = "") -> str | None:
        def build() -> GpRecordAccess:
            if not access:
                raise ValueError("choose whether care staff can see residents' GP records")
            return GpRecordAccess(home_id=self.home_id, access=GpAccess(access),
                                  system=GpSystem(system) if system else None, note=note or "")
        return self._save("gp_record_access", build, "Saved: access to the GP record")

    def save_dscr(self, in_use: bool, supplier: str | None = None) -> str | None:
        return self._save("social_care_record",
                          lambda: DigitalSocialCareRecord(home_id=self.home_id, in_use=in_use, supplier=supplier),
                          "Saved: digital social care records")

    def add_device(self, kind: DeviceKind | str | None, count: str | int = 1, description: str = "",
                   provided_on: date | None = None) -> str | None:
        def build() -> DeviceProvision:
            if not kind:
                raise ValueError("choose the kind of device (laptop, tablet or other)")
            number = _number(count, "Number of devices")
            if number is None or number != int(number):
                raise ValueError("Number of devices must be a whole number")
            return DeviceProvision(home_id=self.home_id, provision_id=uuid.uuid4().hex, kind=DeviceKind(kind),
                                   count=int(number), description=description or "",
                                   provided_on=provided_on or self._now().date())
        return self._save("device_provision", build, "Saved: devices provided")

    def wifi_location_error(self, location: str | None) -> str | None:
        """Why a location cannot be surveyed as typed (None: fine) - checked before measuring."""
        if not location or not location.strip():
            return "Type where you are first, e.g. Office, Lounge or Room 12"
        if len(" ".join(location.split())) > 100:
            return "The location name is too long (100 characters at most)"
        return None

    def record_wifi(self, location: str, measurement: MeasurementLike) -> str | None:
        """A WiFi test at ``location``: the speeds, or that there was no connection there."""
        problem = self.wifi_location_error(location)
        if problem:
            return self._refuse(problem)

        def build() -> WifiSurveyResult:
            common = {"home_id": self.home_id, "result_id": uuid.uuid4().hex, "location": location,
                      "measured_at": self._now()}
            if measurement.no_connection:
                return WifiSurveyResult(**common, no_connection=True)
            return WifiSurveyResult(**common, latency_ms=measurement.latency_ms,
                                    download_mbps=measurement.download_mbps, upload_mbps=measurement.upload_mbps)

        error = self._save("wifi_result", build, "")
        if error is None:
            place = " ".join(location.split())
            if measurement.no_connection:
                self.message = f"Saved: no connection at {place}"
            else:
                self.message = (f"Saved: {place} - {_mbps(measurement.download_mbps)} Mbps down, "
                                f"{_mbps(measurement.upload_mbps)} up, {ms(measurement.latency_ms)} ms")
            if self.web_mode:
                self.message += " (measured from the computer running the app, not from this device)"
        return error

    # -- actions: NHSmail -----------------------------------------------------------------------------

    def record_ods_code(self, ods_code: str, cqc_registered: bool | None = None) -> str | None:
        return self._nhsmail(lambda p: nhsmail.record_ods_code(p, ods_code or "", cqc_registered=cqc_registered),
                             "ODS code recorded")

    def record_no_ods_code(self, problem: OdsProblem | str | None) -> str | None:
        def command(p: NhsmailProgress) -> NhsmailProgress:
            if not problem:
                raise NhsmailError("choose why the home has no usable ODS code")
            return nhsmail.record_no_ods_code(p, problem)
        return self._nhsmail(command, "Recorded: no usable ODS code yet")

    def record_cqc_ids(self, cqc_location_id: str | None = None, cqc_contact_id: str | None = None, *,
                       one_time_passcode: bool = False) -> str | None:
        location = (cqc_location_id or "").strip() or self.home_id
        contact = (cqc_contact_id or "").strip() or None
        return self._nhsmail(
            lambda p: nhsmail.record_cqc_ids(p, location, contact, one_time_passcode=one_time_passcode),
            "CQC IDs recorded" + (" (one-time passcode asked for)" if one_time_passcode and not contact else ""))

    def record_dspt(self, level: DsptLevel | str | None = None, year: str | None = None) -> str | None:
        """The DSPT step; with no level, the checklist's DSPT (as it counts today) is used."""
        def command(p: NhsmailProgress) -> NhsmailProgress:
            chosen, chosen_year = level, (year or "").strip() or None
            if not chosen:
                dspt = self.checklist.dspt
                if dspt is None:
                    raise NhsmailError("record the home's DSPT status first (in the checklist), or choose it here")
                chosen, chosen_year = dspt.effective_on(self._now().date()), dspt.year
                if chosen is DsptLevel.NOT_PUBLISHED:
                    chosen_year = None
            return nhsmail.record_dspt(p, chosen, chosen_year)
        return self._nhsmail(command, "DSPT recorded")

    def choose_route(self, site_count: str | int | None, self_manage: bool = False) -> str | None:
        """Step 4: the number of sites is required (it decides which routes the home may take)."""
        def command(p: NhsmailProgress) -> NhsmailProgress:
            typed = "" if site_count is None else str(site_count).strip()
            try:
                sites = int(typed) if typed else None
            except ValueError:
                raise NhsmailError(f"Number of sites must be a whole number, like 1 or 3 (not {typed!r})") from None
            return nhsmail.choose_route(p, sites, self_manage=self_manage)
        return self._nhsmail(command, "Route chosen")

    def set_users(self, users: str | Iterable[NhsmailUser | dict[str, Any]],
                  shared_mailbox: str | None = None) -> str | None:
        """The shared mailbox and users; ``users`` may be typed text, one 'Name, email, mobile[, owner]' a line."""
        def command(p: NhsmailProgress) -> NhsmailProgress:
            parsed = parse_users(users) if isinstance(users, str) else list(users)
            return nhsmail.set_users(p, parsed, (shared_mailbox or "").strip() or None)
        return self._nhsmail(command, "Mailbox and users recorded")

    @property
    def users_form(self) -> NhsmailUsersForm:
        """The people being entered at the users step (kept while the screen is open, until saved)."""
        if self._users_form is None:
            self._users_form = NhsmailUsersForm.from_progress(self.progress)
        return self._users_form

    def save_users_form(self, shared_mailbox: str | None = None) -> str | None:
        """Save the people in ``users_form``: each field is checked first, its message shown under it."""
        form = self.users_form
        if not form.check():
            return self._refuse("check the details marked under each person")
        error = self.set_users(form.people_to_save(), shared_mailbox)
        if error is None:
            self._users_form = None
        return error

    def submit(self, at: datetime | None = None) -> str | None:
        return self._nhsmail(lambda p: nhsmail.submit(p, at or self._now()), "Recorded: form submitted")

    def record_reply(self, accepted: bool = True, reason: str | None = None, at: datetime | None = None) -> str | None:
        return self._nhsmail(lambda p: nhsmail.record_reply(p, at or self._now(), accepted=accepted, reason=reason),
                             "Recorded: accepted, activation emails sent" if accepted else "Recorded: refused")

    def record_mfa(self, email: str, at: datetime | None = None) -> str | None:
        return self._nhsmail(lambda p: nhsmail.record_mfa(p, email, at or self._now()), "Recorded: MFA set up")

    def record_first_login(self, email: str, at: datetime | None = None) -> str | None:
        return self._nhsmail(lambda p: nhsmail.record_first_login(p, email, at or self._now()),
                             "Recorded: first login")

    # -- saving ------------------------------------------------------------------------------------------

    def _refuse(self, message: str) -> str:
        self.message = f"Not saved: {message}"
        self.message_is_error = True
        return self.message

    def _save(self, kind: str, build: Callable[[], BaseModel], done: str) -> str | None:
        try:
            model = stamp(build(), self.username, self._now())
        except ValidationError as exc:
            return self._refuse(plain_words(exc))
        except ValueError as exc:  # NhsmailError too
            return self._refuse(str(exc))
        self.store.save_together([(kind, model)])
        self.message, self.message_is_error = done, False
        self.reload()
        self._on_saved()
        return None

    def _nhsmail(self, command: Callable[[NhsmailProgress], NhsmailProgress], done: str) -> str | None:
        def build() -> NhsmailProgress:
            return command(self.progress)
        error = self._save("nhsmail_progress", build, done)
        if error is None:
            step = self.nhsmail_step
            self.message = f"{done} - " + ("NHSmail is in use" if step is Step.IN_USE else f"now at step {step.number}")
        return error

    # -- the summary PDF -------------------------------------------------------------------------------

    def put_summary_pdf(self, shelf: DocumentShelf) -> Document:
        """The one-page readiness summary (client.reports.readiness_pdf), sealed on the device's document shelf
        (the home's earlier summary goes: one at a time), to be opened, downloaded or shared."""
        from client.reports.readiness_pdf import readiness_summary_pdf

        c, now = self.checklist, self._now()
        if c.home is None:
            raise ValueError("the home's details have not arrived on this device yet")
        data = readiness_summary_pdf(c.home, broadband=c.broadband, dspt=c.dspt, gp=c.gp, dscr=c.dscr,
                                     devices=c.devices, wifi_results=c.wifi_results, nhsmail=c.nhsmail,
                                     prepared_by=self.username, today=now.date(), now=now)
        group = f"{self.home_id}/{SUMMARY_GROUP}"
        shelf.remove_group(group)
        return shelf.put(f"readiness-{self.home_id}-{now:%Y-%m-%d}.pdf", data, group=group,
                         media_type="application/pdf")
