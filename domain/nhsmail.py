"""NHSmail registration of a care home, as a resumable state machine (no I/O).

The flow chart (docs: shared domain guide; sources: NHSmail support "Registering
a social care organisation", NHS England "Signing up for NHSmail"):

1. ODS site code (starts with V). None? It comes with the CQC registration; a
   wrong code is fixed through CQC; organisations outside CQC ask the ODS service.
2. CQC location ID and CQC contact ID, or a one-time passcode instead.
3. DSPT published at Approaching Standards or better, otherwise the DSPT first.
4. Route: single site -> national administration service portal; multi-site
   providers may self-manage with their own local administrators.
5. One shared mailbox (usually care.<ODS>@nhs.net) and 2 to 10 named users,
   each with their own email and mobile; at least one owner.
6. Submit the form.
7. Wait for the reply (usually within 48 hours); activation emails.
8. Every user sets up multi-factor authentication.
9. Every user logs in within 30 days of activation or is deactivated; then in use.

``NhsmailProgress`` holds the answers and timestamps; it is a plain pydantic
record, so it can be saved (synced) and resumed on another device. Commands
(``record_ods_code``, ``record_cqc_ids``, ``record_dspt``, ``choose_route``,
``set_users``, ``submit``, ``record_reply``, ``record_mfa``,
``record_first_login``, ``reactivate``) return a new progress or raise
``NhsmailError`` whose message says what to do instead. ``progress.step`` is
derived from the answers (never set by hand); ``current_node(progress, now)``
adds what depends on the clock (no reply after 48 hours, a user deactivated
after 30 days) and the side branches of the chart, for ``flow_chart``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.messages import plain_words
from domain.readiness import USERNAME_PATTERN, DsptLevel, check_dspt_year
from domain.uk_time import uk_day_and_time

REPLY_EXPECTED_WITHIN = timedelta(hours=48)
FIRST_LOGIN_WITHIN = timedelta(days=30)
# Warn a user this long before their account would be deactivated (design).
LOGIN_WARNING_BEFORE = timedelta(days=7)
MIN_USERS, MAX_USERS = 2, 10
MINIMUM_DSPT = DsptLevel.APPROACHING_STANDARDS

ODS_PATTERN = re.compile(r"^V[A-Z0-9]{4,5}$")
CQC_LOCATION_PATTERN = re.compile(r"^1-\d{5,12}$")
CQC_CONTACT_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,64}$")
EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
# Addresses that belong to a role or a team rather than to one person: a common rejection reason.
SHARED_LOCAL_PARTS = frozenset(
    {"info", "admin", "office", "enquiries", "enquiry", "reception", "contact", "hello", "mail", "team", "staff",
     "manager", "care", "carehome", "nurses", "nursing"}
)


class NhsmailError(ValueError):
    """A command refused; the message says what to do instead."""

    def __init__(self, message: str, node: str | None = None):
        super().__init__(message)
        self.node = node


class Step(StrEnum):
    """The main steps of the flow chart, in order."""

    ODS_CODE = "ods_code"
    CQC_IDS = "cqc_ids"
    DSPT = "dspt"
    ROUTE = "route"
    USERS = "users"
    SUBMIT = "submit"
    AWAIT_REPLY = "await_reply"
    MFA = "mfa"
    FIRST_LOGIN = "first_login"
    IN_USE = "in_use"

    @property
    def label(self) -> str:
        return STEP_LABELS[self]

    @property
    def number(self) -> str:
        return STEP_NUMBERS[self]

    @property
    def index(self) -> int:
        return list(Step).index(self)


STEP_LABELS: dict[Step, str] = {
    Step.ODS_CODE: "ODS site code (starts with V)",
    Step.CQC_IDS: "CQC location ID and contact ID (or a one-time passcode)",
    Step.DSPT: "DSPT published at Approaching Standards or better",
    Step.ROUTE: "Choose the registration route",
    Step.USERS: "Shared mailbox and 2 to 10 named users",
    Step.SUBMIT: "Submit the form",
    Step.AWAIT_REPLY: "Wait for the reply (usually within 48 hours)",
    Step.MFA: "Every user sets up multi-factor authentication",
    Step.FIRST_LOGIN: "Every user logs in within 30 days",
    Step.IN_USE: "NHSmail in use",
}
STEP_NUMBERS: dict[Step, str] = {
    Step.ODS_CODE: "1", Step.CQC_IDS: "2", Step.DSPT: "3", Step.ROUTE: "4", Step.USERS: "5", Step.SUBMIT: "6",
    Step.AWAIT_REPLY: "7", Step.MFA: "8", Step.FIRST_LOGIN: "9", Step.IN_USE: "",
}
# How many numbered steps a home goes through ("Step 3 of 9"); each step has its own number (the chart and
# "Step n of 9" must never show two steps with the same number).
STEP_COUNT = max(int(n) for n in STEP_NUMBERS.values() if n)


class OdsProblem(StrEnum):
    """Why a home has no usable ODS site code yet."""

    NO_CODE = "no_code"
    WRONG_CODE = "wrong_code"
    NOT_CQC_REGISTERED = "not_cqc_registered"

    @property
    def node(self) -> str:
        return {"no_code": "ods_from_cqc", "wrong_code": "ods_fix_through_cqc",
                "not_cqc_registered": "ods_service"}[self.value]

    @property
    def advice(self) -> str:
        return ODS_ADVICE[self]


ODS_ADVICE: dict[OdsProblem, str] = {
    OdsProblem.NO_CODE: (
        "No ODS code yet: a CQC-registered home gets its ODS site code (starting with V) from its CQC "
        "registration. Look it up on the home's CQC registration or ask CQC, then record it here."
    ),
    OdsProblem.WRONG_CODE: (
        "The ODS code is wrong: it is corrected through CQC (the code comes from the CQC registration). "
        "Ask CQC to correct it, then record the corrected code here."
    ),
    OdsProblem.NOT_CQC_REGISTERED: (
        "Organisations not registered with CQC ask the ODS service to create an ODS code, "
        "then record it here."
    ),
}


class Route(StrEnum):
    PORTAL = "portal"
    SELF_MANAGED = "self_managed"

    @property
    def label(self) -> str:
        return {
            "portal": "National administration service portal",
            "self_managed": "Self-managed by the provider's local administrators",
        }[self.value]


class UserRole(StrEnum):
    OWNER = "owner"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def normalise_mobile(mobile: str) -> str:
    """A UK mobile as 07xxxxxxxxx ('+44 7700 900123' -> '07700900123'); ValueError if it is not one."""
    digits = re.sub(r"[\s().-]", "", mobile)
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    if not re.fullmatch(r"07\d{9}", digits):
        raise ValueError(f"mobile must be a UK mobile number (07... or +44 7...), got {mobile!r}")
    return digits


# --- one person, checked field by field (the users form shows each message under its field) ----------------------

def name_problem(name: str | None) -> str | None:
    return None if name and name.strip() else "Type the person's name"


def email_problem(email: str | None) -> str | None:
    if not email or not email.strip():
        return "Type the person's own email address"
    if not EMAIL_PATTERN.match(email.strip()):
        return "This is not an email address: it looks like jo.bloggs@example.org"
    return None


def mobile_problem(mobile: str | None) -> str | None:
    if not mobile or not mobile.strip():
        return "Type the person's own mobile number (for the security code when they sign in)"
    try:
        normalise_mobile(mobile)
    except ValueError:
        return "This is not a UK mobile number: it starts 07 (or +44 7) and has 11 digits"
    return None


def users_from_text(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """People typed one a line, 'Name, email, mobile[, owner]' (how older versions took them), and what could not
    be read. Nothing typed is dropped: a line that is not four parts or fewer keeps its whole text as the name,
    so the person sees it in the form and fixes it."""
    people: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, line in enumerate((line.strip() for line in text.splitlines() if line.strip()), start=1):
        parts = [p.strip() for p in line.split(",")]
        if len(parts) > 4:
            parts = [line]
        parts += [""] * (4 - len(parts))
        role = UserRole.OWNER if parts[3].casefold() == "owner" else UserRole.MEMBER
        if parts[3] and parts[3].casefold() not in ("owner", "member"):
            problems.append(f"person {number}: the fourth part is owner or member, not {parts[3]!r}")
        people.append({"name": parts[0], "email": parts[1], "mobile": parts[2], "role": role})
        for problem in (name_problem(parts[0]), email_problem(parts[1]), mobile_problem(parts[2])):
            if problem:
                problems.append(f"person {number}: {problem}")
    if people and not any(p["role"] is UserRole.OWNER for p in people):
        people[0]["role"] = UserRole.OWNER  # the first is the owner when none is marked (as the free text said)
    return people, problems


class NhsmailUser(BaseModel):
    """A named user of the home's NHSmail account, and their own progress (activation, MFA, first login)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    email: str = Field(max_length=200, description="The person's own email (not a shared or team address)")
    mobile: str = Field(max_length=30, description="The person's own UK mobile (for MFA and password resets)")
    role: UserRole = UserRole.MEMBER
    activated_at: AwareDatetime | None = Field(default=None, description="Activation email (or reactivation)")
    mfa_set_up_at: AwareDatetime | None = None
    first_login_at: AwareDatetime | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        name = " ".join(name.split())
        if not name:
            raise ValueError("name must not be blank")
        return name

    @field_validator("email")
    @classmethod
    def _email(cls, email: str) -> str:
        email = email.strip().lower()
        if not EMAIL_PATTERN.match(email):
            raise ValueError(f"email must be an email address, got {email!r}")
        return email

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, mobile: str) -> str:
        return normalise_mobile(mobile)

    @property
    def login_deadline(self) -> datetime | None:
        return self.activated_at + FIRST_LOGIN_WITHIN if self.activated_at else None

    def deactivated(self, now: datetime) -> bool:
        """Activated, never logged in, and the 30 days have passed."""
        deadline = self.login_deadline
        return self.first_login_at is None and deadline is not None and now > deadline


def check_users(users: Iterable[NhsmailUser], shared_mailbox: str | None = None) -> list[str]:
    """Every reason the NHSmail team would refuse this list of users (empty: acceptable)."""
    users = list(users)
    problems = []
    if not MIN_USERS <= len(users) <= MAX_USERS:
        problems.append(f"a home registers {MIN_USERS} to {MAX_USERS} named users, not {len(users)}")
    if users and not any(u.role is UserRole.OWNER for u in users):
        problems.append("at least one user must be an owner (owners manage the shared mailbox and its members)")
    for field in ("email", "mobile"):
        seen: dict[str, str] = {}
        for user in users:
            value = getattr(user, field)
            if value in seen:
                problems.append(
                    f"{seen[value]} and {user.name} have the same {field} {value}: each user needs their own "
                    f"{field} (shared or duplicate contact details are a common reason for refusal)"
                )
            else:
                seen[value] = user.name
    for user in users:
        local = user.email.split("@", 1)[0]
        if local in SHARED_LOCAL_PARTS:
            problems.append(
                f"{user.name}'s email {user.email} looks like a shared or team address: each user needs their own "
                "(shared contact details are a common reason for refusal)"
            )
        if shared_mailbox and user.email == shared_mailbox:
            problems.append(f"{user.name}'s email is the shared mailbox {shared_mailbox}: use the person's own email")
    return problems


def suggested_mailbox(ods_code: str) -> str:
    """The usual shared mailbox name: care.<ODS>@nhs.net."""
    return f"care.{ods_code.lower()}@nhs.net"


class NhsmailProgress(BaseModel):
    """One home's way through the NHSmail flow chart: the answers so far and when things happened."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    home_id: str = Field(min_length=1, max_length=64, description="CQC location ID of the home")
    # 1. ODS
    ods_code: str | None = Field(default=None, pattern=ODS_PATTERN.pattern)
    ods_problem: OdsProblem | None = None
    cqc_registered: bool = True
    # 2. CQC
    cqc_location_id: str | None = Field(default=None, pattern=CQC_LOCATION_PATTERN.pattern)
    cqc_contact_id: str | None = Field(default=None, pattern=CQC_CONTACT_PATTERN.pattern)
    one_time_passcode: bool = Field(default=False, description="Asked for a one-time passcode instead of the contact ID")
    # 3. DSPT
    dspt_level: DsptLevel | None = None
    dspt_year: str | None = None
    # 4. route
    site_count: int | None = Field(default=None, ge=1, le=1000)
    route: Route | None = None
    # 5. mailbox and users
    shared_mailbox: str | None = Field(default=None, max_length=200)
    users: tuple[NhsmailUser, ...] = ()
    users_text: str | None = Field(
        default=None, max_length=5000,
        description="An older record's free-text users that could not all be read as people: kept (never lost) "
                    "until the users are saved as a list")
    # 6. submission and reply
    submitted_at: AwareDatetime | None = None
    rejected_at: AwareDatetime | None = None
    rejection_reason: str | None = Field(default=None, max_length=500)
    activated_at: AwareDatetime | None = None
    # derived from the above, kept in the record so a server can list homes by step without this module
    step: Step = Field(default=Step.ODS_CODE, description="Derived from the answers; commands keep it up to date")
    # who saved it and when, as on the checklist records (domain.readiness.stamp sets them on save)
    changed_by: str | None = Field(default=None, min_length=1, max_length=100, pattern=USERNAME_PATTERN)
    changed_at: AwareDatetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _users_from_free_text(cls, data: Any) -> Any:
        """Migrate on read: older versions held the users as free text, one 'Name, email, mobile[, owner]' a
        line. Read into people when every line is fine; otherwise keep the text (users_text) and go back to the
        users step, so what was typed is never lost."""
        if not isinstance(data, dict) or not isinstance(data.get("users"), str):
            return data
        data = dict(data)
        text = data["users"]
        people, problems = users_from_text(text)
        if people and not problems:
            try:
                problems = check_users([NhsmailUser.model_validate(p) for p in people], data.get("shared_mailbox"))
            except ValidationError:
                problems = ["a person could not be read"]
        if people and not problems:
            data["users"] = people
            return data
        data["users"], data["users_text"] = (), text if text.strip() else None
        step = data.get("step")
        if step is not None and Step(step).index > Step.USERS.index:
            data["step"] = Step.USERS.value  # the answers before the users were complete; the users are now due
        return data

    @field_validator("dspt_year")
    @classmethod
    def _year(cls, year: str | None) -> str | None:
        return check_dspt_year(year) if year is not None else None

    @model_validator(mode="after")
    def _consistent(self) -> NhsmailProgress:
        if self.users:
            problems = check_users(self.users, self.shared_mailbox)
            if problems:
                raise ValueError("users: " + "; ".join(problems))
        derived = derive_step(self)
        if self.step is not derived:
            raise ValueError(f"step must be {derived.value} given the answers recorded, not {self.step.value}")
        return self

    @property
    def record_id(self) -> str:
        return f"{self.home_id}/nhsmail"

    @property
    def dspt_ok(self) -> bool:
        return self.dspt_level is not None and self.dspt_level.at_least(MINIMUM_DSPT)

    @property
    def in_use(self) -> bool:
        return self.step is Step.IN_USE

    @property
    def reply_expected_by(self) -> datetime | None:
        return self.submitted_at + REPLY_EXPECTED_WITHIN if self.submitted_at else None

    def user(self, email: str) -> NhsmailUser:
        wanted = email.strip().lower()
        for user in self.users:
            if user.email == wanted:
                return user
        raise NhsmailError(f"no user with email {wanted} in this registration")


def derive_step(progress: NhsmailProgress) -> Step:
    """The first main step whose answer is missing (ignores the clock)."""
    p = progress
    if p.ods_code is None:
        return Step.ODS_CODE
    if p.cqc_registered and (p.cqc_location_id is None or (p.cqc_contact_id is None and not p.one_time_passcode)):
        return Step.CQC_IDS
    if not p.dspt_ok:
        return Step.DSPT
    if p.route is None or p.site_count is None:  # the route depends on the number of sites: both are needed
        return Step.ROUTE
    if not p.users or p.shared_mailbox is None:
        return Step.USERS
    if p.submitted_at is None:
        return Step.SUBMIT
    if p.activated_at is None:
        return Step.AWAIT_REPLY
    if any(u.mfa_set_up_at is None for u in p.users):
        return Step.MFA
    if any(u.first_login_at is None for u in p.users):
        return Step.FIRST_LOGIN
    return Step.IN_USE


def step_text(progress: NhsmailProgress) -> str:
    """'Step 3 of 9: DSPT published at Approaching Standards or better' or 'NHSmail in use'."""
    step = progress.step
    if step is Step.IN_USE:
        return "NHSmail in use"
    return f"Step {step.number} of {STEP_COUNT}: {step.label}"


def start(home_id: str) -> NhsmailProgress:
    return NhsmailProgress(home_id=home_id)


def _update(progress: NhsmailProgress, **changes: Any) -> NhsmailProgress:
    draft = progress.model_copy(update=changes)
    data = {**draft.model_dump(), "step": derive_step(draft)}
    try:
        return NhsmailProgress.model_validate(data)
    except ValidationError as exc:
        raise NhsmailError(plain_words(exc)) from None


def _require(progress: NhsmailProgress, step: Step, now: datetime | None = None) -> None:
    """Refuse a command for a step the home has not reached, saying what comes first."""
    if progress.step.index < step.index:
        reason = blocked_reason(progress, now)
        first = reason or f"first: {progress.step.label} (step {progress.step.number})"
        raise NhsmailError(f"not yet at '{step.label}'; {first}", node=current_node(progress, now))


def _before_submission(progress: NhsmailProgress) -> None:
    if progress.submitted_at is not None:
        raise NhsmailError(
            "the form was already submitted; to change the registration details now, contact the NHSmail "
            "helpdesk (or your local administrator if you self-manage)"
        )


# --- commands --------------------------------------------------------------------------------------------------


def record_ods_code(
    progress: NhsmailProgress, ods_code: str, *, cqc_registered: bool | None = None
) -> NhsmailProgress:
    """Step 1: the home's ODS site code (``cqc_registered`` None: as recorded before, by default registered)."""
    _before_submission(progress)
    code = ods_code.strip().upper()
    if not ODS_PATTERN.match(code):
        raise NhsmailError(
            f"{ods_code!r} is not an ODS site code: a care home's code starts with V followed by 4 or 5 letters or "
            "digits (e.g. VM4R7). If the home's code is wrong, it is corrected through CQC.",
            node=OdsProblem.WRONG_CODE.node,
        )
    registered = progress.cqc_registered if cqc_registered is None else cqc_registered
    return _update(progress, ods_code=code, ods_problem=None, cqc_registered=registered)


def record_no_ods_code(progress: NhsmailProgress, problem: OdsProblem | str) -> NhsmailProgress:
    """Step 1, no usable code: the home stops at the advice for its case (see ``blocked_reason``)."""
    _before_submission(progress)
    problem = OdsProblem(problem)
    return _update(progress, ods_code=None, ods_problem=problem,
                   cqc_registered=problem is not OdsProblem.NOT_CQC_REGISTERED)


def record_cqc_ids(
    progress: NhsmailProgress, cqc_location_id: str, cqc_contact_id: str | None = None, *,
    one_time_passcode: bool = False,
) -> NhsmailProgress:
    """Step 2: the CQC location ID and the CQC contact ID, or a one-time passcode asked for instead."""
    _require(progress, Step.CQC_IDS)
    _before_submission(progress)
    location = cqc_location_id.strip()
    if not CQC_LOCATION_PATTERN.match(location):
        raise NhsmailError(f"{cqc_location_id!r} is not a CQC location ID (it looks like 1-1938268568)")
    if CQC_LOCATION_PATTERN.match(progress.home_id) and location != progress.home_id:
        raise NhsmailError(f"CQC location ID {location} is not this home's ({progress.home_id})")
    contact = cqc_contact_id.strip() if cqc_contact_id else None
    if contact is None and not one_time_passcode:
        raise NhsmailError(
            "give the CQC contact ID, or ask for a one-time passcode instead if you do not have it"
        )
    if contact is not None and not CQC_CONTACT_PATTERN.match(contact):
        raise NhsmailError(f"{cqc_contact_id!r} is not a CQC contact ID (letters, digits and dashes)")
    return _update(progress, cqc_location_id=location, cqc_contact_id=contact, cqc_registered=True,
                   one_time_passcode=one_time_passcode and contact is None)


def record_dspt(progress: NhsmailProgress, level: DsptLevel | str, year: str | None = None) -> NhsmailProgress:
    """Step 3: the home's DSPT status. Below Approaching Standards the home stops at "complete the DSPT first"."""
    _require(progress, Step.DSPT)
    _before_submission(progress)
    return _update(progress, dspt_level=DsptLevel(level), dspt_year=year)


def choose_route(progress: NhsmailProgress, site_count: int | None, *, self_manage: bool = False) -> NhsmailProgress:
    """Step 4: single-site homes use the portal; multi-site providers may self-manage."""
    _require(progress, Step.ROUTE)
    _before_submission(progress)
    if site_count is None:
        raise NhsmailError("Number of sites is required: how many homes (sites) the provider runs, 1 for a "
                           "single home")
    if site_count < 1:
        raise NhsmailError("Number of sites must be at least 1")
    if self_manage and site_count == 1:
        raise NhsmailError(
            "a single-site home registers through the national administration service portal; only multi-site "
            "providers may self-manage with their own local administrators"
        )
    return _update(progress, site_count=site_count, route=Route.SELF_MANAGED if self_manage else Route.PORTAL)


def set_users(
    progress: NhsmailProgress, users: Iterable[NhsmailUser | dict[str, Any]], shared_mailbox: str | None = None
) -> NhsmailProgress:
    """Step 5: the shared mailbox (default care.<ODS>@nhs.net) and 2 to 10 named users, at least one owner."""
    _require(progress, Step.USERS)
    _before_submission(progress)
    assert progress.ods_code is not None  # step USERS comes after the ODS code
    mailbox = (shared_mailbox or suggested_mailbox(progress.ods_code)).strip().lower()
    if not (EMAIL_PATTERN.match(mailbox) and mailbox.endswith("@nhs.net")):
        raise NhsmailError(f"the shared mailbox must be an @nhs.net address like {suggested_mailbox(progress.ods_code)}")
    try:
        parsed = tuple(u if isinstance(u, NhsmailUser) else NhsmailUser.model_validate(u) for u in users)
    except ValidationError as exc:
        raise NhsmailError(plain_words(exc)) from None
    parsed = tuple(u.model_copy(update={"activated_at": None, "mfa_set_up_at": None, "first_login_at": None})
                   for u in parsed)
    problems = check_users(parsed, mailbox)
    if problems:
        raise NhsmailError("; ".join(problems))
    return _update(progress, shared_mailbox=mailbox, users=parsed, users_text=None)


def submit(progress: NhsmailProgress, at: datetime) -> NhsmailProgress:
    """Step 6: the form is sent; a reply usually comes within 48 hours."""
    _require(progress, Step.SUBMIT)
    _before_submission(progress)
    if progress.rejected_at is not None and at < progress.rejected_at:
        raise NhsmailError("submitted_at must not be before the refusal it answers")
    return _update(progress, submitted_at=at, rejection_reason=None)


def record_reply(
    progress: NhsmailProgress, at: datetime, *, accepted: bool = True, reason: str | None = None
) -> NhsmailProgress:
    """Step 7: the NHSmail team's answer. Accepted: activation emails went to every user. Refused: fix and resubmit."""
    _require(progress, Step.AWAIT_REPLY)
    if progress.step is not Step.AWAIT_REPLY:
        raise NhsmailError("the reply was already recorded")
    assert progress.submitted_at is not None
    if at < progress.submitted_at:
        raise NhsmailError("the reply cannot come before the form was submitted")
    if accepted:
        users = tuple(u.model_copy(update={"activated_at": at}) for u in progress.users)
        return _update(progress, activated_at=at, users=users, rejection_reason=None)
    if not reason or not reason.strip():
        raise NhsmailError("say why the registration was refused (the reason in the reply), so it can be fixed")
    return _update(progress, submitted_at=None, rejected_at=at, rejection_reason=reason.strip())


def _with_user(progress: NhsmailProgress, email: str, **changes: Any) -> NhsmailProgress:
    target = progress.user(email)
    users = tuple(u.model_copy(update=changes) if u is target else u for u in progress.users)
    return _update(progress, users=users)


def record_mfa(progress: NhsmailProgress, email: str, at: datetime) -> NhsmailProgress:
    """Step 8: one user has set up multi-factor authentication (an authenticator app is recommended)."""
    _require(progress, Step.MFA)
    user = progress.user(email)
    assert user.activated_at is not None
    if user.mfa_set_up_at is not None:
        return progress
    if at < user.activated_at:
        raise NhsmailError("MFA cannot be set up before the account was activated")
    if user.deactivated(at):
        raise NhsmailError(_deactivated_advice([user]), node="deactivated")
    return _with_user(progress, email, mfa_set_up_at=at)


def record_first_login(progress: NhsmailProgress, email: str, at: datetime) -> NhsmailProgress:
    """Step 9: one user's first login, which must be within 30 days of activation and after MFA."""
    _require(progress, Step.MFA)
    user = progress.user(email)
    if user.mfa_set_up_at is None:
        raise NhsmailError(f"{user.name} must set up multi-factor authentication first: without MFA there is no access")
    if user.first_login_at is not None:
        return progress
    if user.deactivated(at):
        raise NhsmailError(_deactivated_advice([user]), node="deactivated")
    if at < user.mfa_set_up_at:
        raise NhsmailError("the first login cannot be before MFA was set up")
    return _with_user(progress, email, first_login_at=at)


def reactivate(progress: NhsmailProgress, email: str, at: datetime) -> NhsmailProgress:
    """A deactivated user was reactivated by the helpdesk (or local administrator): a new 30 days start."""
    _require(progress, Step.MFA)
    user = progress.user(email)
    if not user.deactivated(at):
        raise NhsmailError(f"{user.name}'s account is not deactivated")
    return _with_user(progress, email, activated_at=at)


# --- where the home is, and what to do --------------------------------------------------------------------------


def _who_admin(progress: NhsmailProgress) -> str:
    if progress.route is Route.SELF_MANAGED:
        return "your local administrator"
    return "the NHSmail helpdesk (national administration service)"


def _deactivated_advice(users: list[NhsmailUser], progress: NhsmailProgress | None = None) -> str:
    names = ", ".join(u.name for u in users)
    who = _who_admin(progress) if progress else "the NHSmail helpdesk (or your local administrator)"
    return (
        f"Deactivated: {names} did not log in within 30 days of activation. Ask {who} to reactivate the "
        "account, then log in (and set up MFA) straight away."
    )


def deactivated_users(progress: NhsmailProgress, now: datetime) -> list[NhsmailUser]:
    return [u for u in progress.users if u.deactivated(now)]


def current_node(progress: NhsmailProgress, now: datetime | None = None) -> str:
    """The flow-chart node to highlight: a main step, or the side branch that holds the home up."""
    step = progress.step
    if step is Step.ODS_CODE and progress.ods_problem is not None:
        return progress.ods_problem.node
    if step is Step.DSPT and progress.dspt_level is not None:
        return "dspt_first"
    if step is Step.SUBMIT and progress.rejection_reason is not None:
        return "rejected"
    if now is not None:
        expected = progress.reply_expected_by
        if step is Step.AWAIT_REPLY and expected is not None and now > expected:
            return "no_reply"
        if step in (Step.MFA, Step.FIRST_LOGIN) and deactivated_users(progress, now):
            return "deactivated"
    return step.value


def blocked_reason(progress: NhsmailProgress, now: datetime | None = None) -> str | None:
    """Why the home cannot go on as things stand, and what to do; None when it simply has the next step to do."""
    node = current_node(progress, now)
    if node in {p.node for p in OdsProblem}:
        assert progress.ods_problem is not None
        return progress.ods_problem.advice
    if node == "dspt_first":
        return (
            f"Complete the DSPT first: the home's DSPT is '{progress.dspt_level}', and NHSmail needs it published "
            "at Approaching Standards or better. Publish the DSPT (deadline 30 June each year), then record it here."
        )
    if node == "rejected":
        return f"The registration was refused: {progress.rejection_reason}. Fix this and submit the form again."
    if node == "no_reply" and now is not None:
        return (
            "No reply within 48 hours: check the junk or spam folder of every user's email, then contact "
            f"{_who_admin(progress)} quoting the ODS code {progress.ods_code}."
        )
    if node == "deactivated" and now is not None:
        return _deactivated_advice(deactivated_users(progress, now), progress)
    if progress.step is Step.MFA:
        missing = [u.name for u in progress.users if u.mfa_set_up_at is None]
        return ("Not in use yet: without multi-factor authentication there is no access. Still to set up MFA "
                f"(an authenticator app is recommended): {', '.join(missing)}.")
    return None


def what_to_do(progress: NhsmailProgress, now: datetime | None = None) -> str:
    """One sentence for the guide screen: the blocked reason, or the next step with its hint."""
    reason = blocked_reason(progress, now)
    if reason:
        return reason
    step = progress.step
    if step is Step.AWAIT_REPLY and progress.reply_expected_by is not None:
        return (f"Submitted {uk_day_and_time(progress.submitted_at)}; a reply usually comes within 48 hours, "
                f"so expect it by {uk_day_and_time(progress.reply_expected_by)}.")
    if step is Step.FIRST_LOGIN and now is not None:
        late = [d for d in login_deadlines(progress, now) if d.status == "warning"]
        if late:
            return "Log in soon or the account is deactivated: " + "; ".join(d.text for d in late) + "."
    if step is Step.USERS and progress.ods_code:
        return (f"{step.label}: the shared mailbox is usually {suggested_mailbox(progress.ods_code)}; each user "
                "needs their own email and mobile; choose at least one owner.")
    return f"Next: {step.label}."


class LoginDeadline(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    email: str
    deadline: datetime
    days_left: int
    status: str = Field(description="logged_in, ok, warning (7 days or fewer left) or deactivated")

    @property
    def text(self) -> str:
        if self.status == "deactivated":
            return f"{self.name}: deactivated on {self.deadline:%d %b %Y}"
        if self.status == "logged_in":
            return f"{self.name}: logged in"
        return f"{self.name}: {self.days_left} days left (by {self.deadline:%d %b %Y})"


def login_deadlines(progress: NhsmailProgress, now: datetime) -> list[LoginDeadline]:
    """Each activated user's 30-day first-login deadline, with a warning in the last 7 days."""
    found = []
    for user in progress.users:
        deadline = user.login_deadline
        if deadline is None:
            continue
        left = deadline - now
        if user.first_login_at is not None:
            status = "logged_in"
        elif left < timedelta(0):
            status = "deactivated"
        elif left <= LOGIN_WARNING_BEFORE:
            status = "warning"
        else:
            status = "ok"
        found.append(LoginDeadline(name=user.name, email=user.email, deadline=deadline,
                                   days_left=max(left.days, 0), status=status))
    return found


# --- the chart, for drawing -------------------------------------------------------------------------------------


class FlowNode(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    label: str
    number: str = Field(default="", description="Step number in the guide ('1'..'8'); empty for side branches")
    kind: str = Field(description="step (main path), branch (an alternative way on), blocked (stops here), end")


class FlowEdge(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    target: str
    label: str = ""


class FlowChart(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    nodes: tuple[FlowNode, ...]
    edges: tuple[FlowEdge, ...]
    current: str | None = Field(default=None, description="Node id to highlight")

    def node(self, node_id: str) -> FlowNode:
        return next(n for n in self.nodes if n.id == node_id)


_SIDE_NODES: tuple[FlowNode, ...] = (
    FlowNode(id="ods_from_cqc", label="No ODS code: it comes from the CQC registration", kind="blocked"),
    FlowNode(id="ods_fix_through_cqc", label="Wrong ODS code: corrected through CQC", kind="blocked"),
    FlowNode(id="ods_service", label="Not CQC-registered: ask the ODS service for a code", kind="blocked"),
    FlowNode(id="one_time_passcode", label="No contact ID: ask for a one-time passcode", kind="branch"),
    FlowNode(id="dspt_first", label="Complete the DSPT first", kind="blocked"),
    FlowNode(id="portal", label="National administration service portal", kind="branch"),
    FlowNode(id="self_managed", label="Self-manage with local administrators", kind="branch"),
    FlowNode(id="rejected", label="Refused: fix the reason and resubmit", kind="blocked"),
    FlowNode(id="no_reply", label="No reply after 48 hours: check junk mail, contact the helpdesk", kind="blocked"),
    FlowNode(id="deactivated", label="Not logged in within 30 days: deactivated, ask for reactivation",
             kind="blocked"),
)
_EDGES: tuple[tuple[str, str, str], ...] = (
    ("ods_code", "cqc_ids", "code starting with V"),
    ("ods_code", "ods_from_cqc", "no code"),
    ("ods_code", "ods_fix_through_cqc", "wrong code"),
    ("ods_code", "ods_service", "not registered with CQC"),
    ("ods_from_cqc", "ods_code", "code found"),
    ("ods_fix_through_cqc", "ods_code", "code corrected"),
    ("ods_service", "ods_code", "code created"),
    ("ods_code", "dspt", "not registered with CQC (no CQC IDs)"),
    ("cqc_ids", "dspt", "location ID and contact ID"),
    ("cqc_ids", "one_time_passcode", "no contact ID"),
    ("one_time_passcode", "dspt", "passcode requested"),
    ("dspt", "route", "Approaching Standards or better"),
    ("dspt", "dspt_first", "Standards Not Met or Not Published"),
    ("dspt_first", "dspt", "DSPT published"),
    ("route", "portal", "single site (or multi-site by choice)"),
    ("route", "self_managed", "multi-site provider"),
    ("portal", "users", ""),
    ("self_managed", "users", ""),
    ("users", "submit", "shared mailbox, 2-10 users with their own email and mobile, an owner"),
    ("submit", "await_reply", "form sent"),
    ("await_reply", "mfa", "accepted: activation emails"),
    ("await_reply", "rejected", "refused"),
    ("rejected", "submit", "fixed"),
    ("await_reply", "no_reply", "nothing after 48 hours"),
    ("no_reply", "await_reply", "chased"),
    ("mfa", "first_login", "every user has MFA"),
    ("first_login", "in_use", "every user logged in within 30 days"),
    ("first_login", "deactivated", "30 days passed"),
    ("deactivated", "first_login", "reactivated"),
)


def flow_chart(progress: NhsmailProgress | None = None, now: datetime | None = None) -> FlowChart:
    """Nodes and edges of the registration flow chart; ``current`` is the node to highlight for ``progress``."""
    main = tuple(
        FlowNode(id=s.value, label=s.label, number=s.number, kind="end" if s is Step.IN_USE else "step")
        for s in Step
    )
    return FlowChart(
        nodes=main + _SIDE_NODES,
        edges=tuple(FlowEdge(source=a, target=b, label=label) for a, b, label in _EDGES),
        current=current_node(progress, now) if progress is not None else None,
    )
