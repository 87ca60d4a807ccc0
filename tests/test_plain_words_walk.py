"""Acceptance 2 (issue 13): every validation message a person can trigger is in plain words.

The walk finds its forms and fields by itself, so a new field is walked without editing this file:
- every pydantic model in domain/ and protocol/, each field given bad values (the words every screen and
  the API build their refusals from);
- every form state in client/state: its text fields (a form's attributes) or its save methods' parameters,
  each given bad values in turn, then submitted; what the screen would show is read back;
- every route of the central API that takes a body, each field of the body given bad values; both the
  API's own message and the words the app shows for it (client.sync.api.describe_validation_error).

A message fails on framework wording ("Input should", "Value error", ...), a snake_case name, or Flet's
own words ("Semantics.").
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
import typing
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from types import SimpleNamespace
from typing import Any

import flet as ft
import httpx
import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

import domain
import protocol
from client.state.admin import AdminScreen
from client.state.alert_sender import AlertSender
from client.state.area import AreaData
from client.state.bed_state import BedStateScreen
from client.state.home_settings import HomeSettingsScreen
from client.state.nhsmail_users import NhsmailUsersForm, Person
from client.state.outbreak import OutbreakPanel
from client.state.readiness import ReadinessScreen
from client.state.red_bag import ResidentScreen
from client.state.resident_form import MedicineLine, ResidentForm
from client.state.sign_in import SignInForm
from client.state.sign_in import submit as submit_sign_in
from client.state.staff import RegisterForm, ResetPasswordForm, StaffPanel
from client.sync import ApiError, CentralApi, Offline, SyncStatus
from client.sync.api import describe_validation_error
from client.views.account_forms import RegisterView, ResetPasswordView
from client.views.bed_state_view import BedStateView
from client.views.home_settings_view import OutbreakControl
from client.views.red_bag_view import ResidentView
from client.views.sign_in_view import SignInView
from domain.beds import COUNT_FIELDS
from domain.messages import FIELD_LABELS, label, plain_words
from domain.nhsmail import Step
from domain.workforce import WORKFORCE_FIELDS
from tests.support.aio import run as run_coroutine
from tests.support.auth import sign_in
from tests.support.central_inprocess import serving
from tests.support.records import HOME_ID, bed_record, care_home_record

NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)

FRAMEWORK_WORDS = ("Input should", "String should", "Value error", "Field required", "validation error", "type=",
                   "Semantics.", "should be greater", "should be less", "Extra inputs", "Assertion failed",
                   "valid integer", "Decimal input", "pydantic", "Traceback", "NoneType")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
FUTURE = (NOW + timedelta(days=400)).date()
# Bad input of every sort a person types: empty, blank, far too long, negative, not a number, a date that
# is no date, a date in the future, an address that is none.
BAD_TEXT = ("", "   ", "x" * 5000, "-1", "-5000", "many", "1.55", "99999999", "31/02/2020", "2020-13-45",
            FUTURE.strftime("%d/%m/%Y"), FUTURE.isoformat(), "not-an-email", "0161 496 0000", "http://x")
BAD_VALUES = (*BAD_TEXT, None, -1, 10**9, 1.5, True, [], {}, ["x" * 5000], FUTURE)


def framework_words(text: str) -> list[str]:
    """What in ``text`` a care home manager should never read."""
    found = [words for words in FRAMEWORK_WORDS if words.lower() in text.lower()]
    return found + [f"snake_case {name!r}" for name in SNAKE_CASE.findall(text)]


class Seen:
    """Every message the walk made a screen (or the API) show, with how it got there."""

    def __init__(self) -> None:
        self.messages: dict[str, str] = {}

    def add(self, how: str, *texts: Any) -> None:
        for text in texts:
            if isinstance(text, dict):
                self.add(how, *text.values())
            elif isinstance(text, str) and text.strip():
                self.messages.setdefault(text, how)

    def bad(self) -> list[str]:
        return [f"{how}: {text[:300]!r} -> {framework_words(text)}"
                for text, how in self.messages.items() if framework_words(text)]


# -- 1. the models every refusal is made from --------------------------------------------------------------


def models() -> Iterator[type[BaseModel]]:
    for package in (domain, protocol):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for _, found in inspect.getmembers(module, inspect.isclass):
                if issubclass(found, BaseModel) and found.__module__ == module.__name__:
                    yield found


def test_every_field_of_every_model_is_refused_in_plain_words():
    seen, walked = Seen(), 0
    for model in models():
        for field in model.model_fields:
            for value in BAD_VALUES:
                try:
                    model.model_validate({field: value, "not_a_field": 1})
                except ValidationError as exc:
                    seen.add(f"{model.__name__}.{field}={str(value)[:20]!r}", plain_words(exc))
                walked += 1
    assert walked > 3000  # the walk found the models
    assert seen.bad() == []


def test_every_field_name_has_a_name_a_person_reads():
    names = {field for model in models() for field in model.model_fields}
    unreadable = {name: label(name) for name in names if framework_words(label(name)) or "_" in label(name)}
    assert unreadable == {}
    assert all("_" not in text for text in FIELD_LABELS.values())


# -- 2. every form a person fills in -----------------------------------------------------------------------


def shown(screen: Any) -> list[Any]:
    """What a screen shows a person: its message, its error(s), per field and per section."""
    found = []
    for name, value in getattr(screen, "__dict__", {}).items():
        if name.startswith("_"):
            continue
        if ("message" in name or "error" in name) and isinstance(value, (str, dict)):
            found.append(value)
        elif name in ("categories", "workforce", "people"):
            for part in value if isinstance(value, list) else [value]:
                found.extend(shown(part))
    for name in ("obs_errors",):
        if hasattr(type(screen), name):
            found.append(getattr(screen, name))
    return found


def attempt(seen: Seen, how: str, screen: Any, call: Callable[[], Any]) -> None:
    """Do what the person did; keep what the screen then shows (a refusal raised is shown too)."""
    try:
        result = call()
        if inspect.isawaitable(result):
            result = run_coroutine(result)
    except (ValueError, ValidationError) as exc:  # a view shows such an exception's words
        result = plain_words(exc) if isinstance(exc, ValidationError) else str(exc)
    seen.add(how, result, *shown(screen))


class NoNetwork:
    """A session (and its API) with no network: a form's own checks run, then it says it needs a connection."""

    def new_api(self, server_url: str) -> NoNetwork:
        return self

    def api(self) -> NoNetwork:
        return self

    async def aclose(self) -> None:
        return None

    def __getattr__(self, name: str) -> Callable[..., Any]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            raise Offline("no network")
        return call


def walk_fields(seen: Seen, make: Callable[[], Any], submit: Callable[[Any], Any],
                skip: tuple[str, ...] = ()) -> int:
    """A form whose fields are its attributes: each text or number field bad in turn, then submitted."""
    walked = 0
    for name, value in vars(make()).items():
        if name.startswith("_") or name in skip or "message" in name or "error" in name \
                or isinstance(value, bool) or not isinstance(value, (str, int)):
            continue
        for bad in BAD_TEXT if isinstance(value, str) else [text for text in BAD_TEXT if _is_int(text)]:
            form = make()
            setattr(form, name, bad if isinstance(value, str) else int(bad))
            attempt(seen, f"{type(form).__name__}.{name}={bad[:20]!r}", form, lambda form=form: submit(form))
            walked += 1
    return walked


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


# Good values for a form method's parameters, by name: the walk makes one parameter bad at a time.
GOOD = {"provider": "BT", "down": "80", "up": "20", "level": "Standards Met", "year": "24/25",
        "access": "yes", "system": "systmone", "problem": "no_code", "kind": "laptop", "count": "2", "site_count": "1",
        "email": "ann.smith@example.org", "ods_code": "VM4R7", "location": "Lounge", "given_name": "Margaret",
        "family_name": "Smith", "date_of_birth": "12/04/1938", "username": "ann", "icb_code": "QOP",
        "home_id": HOME_ID, "role": "home_manager", "text": "ann"}
NOT_WALKED = {"reload", "write_summary_pdf", "make_transfer_pack", "form", "save_resident", "set_users",
              "record_wifi", "load", "open", "remind", "send"}


def typed(method: Callable[..., Any], name: str) -> bool:
    """A parameter a person types text into: str, not a choice from a list (an Enum the view offers)."""
    annotation = typing.get_type_hints(method).get(name)
    choices = typing.get_args(annotation) or (annotation,)
    return str in choices and not any(isinstance(c, type) and issubclass(c, Enum) for c in choices)


def walk_methods(seen: Seen, screen: Any, only: tuple[str, ...] = ()) -> int:
    """A screen whose forms are methods: each text parameter of each public method bad in turn."""
    walked = 0
    for name, method in inspect.getmembers(screen, inspect.ismethod):
        if name.startswith("_") or name in NOT_WALKED or (only and name not in only):
            continue
        every = list(inspect.signature(method).parameters.values())
        parameters = [p for p in every if typed(method, p.name)]
        # What must be given: yes to a yes/no question, else a good answer.
        answered = {p.name: True if str(p.annotation) == "bool" else GOOD.get(p.name)
                    for p in every if p.default is p.empty}
        for parameter in parameters:
            for bad in BAD_TEXT:
                arguments = {p.name: GOOD[p.name] for p in parameters if p.name in GOOD and p is not parameter}
                arguments = {**answered, **arguments, parameter.name: bad}
                attempt(seen, f"{type(screen).__name__}.{name}({parameter.name}={bad[:20]!r})", screen,
                        lambda method=method, arguments=arguments: method(**arguments))
                walked += 1
    return walked


@pytest.fixture
def home_store(store, sync):
    """The demo home with two bed categories, as after a pull."""
    sync.apply_pull_page([care_home_record(1), bed_record("nursing", 2), bed_record("nursing_dementia", 3)], 3)
    return store


def test_every_form_on_the_device_refuses_bad_input_in_plain_words(home_store, tmp_path):
    store, seen, walked = home_store, Seen(), 0
    now = lambda: NOW  # noqa: E731

    # signing in, registering, a new password (the checks made before the network)
    walked += walk_fields(seen, lambda: SignInForm(server_url="https://carehome.example.nhs.uk",
                                                   username="ann", password="a good password"),
                          lambda form: form.problem())
    walked += walk_fields(seen, lambda: RegisterForm(server_url="https://x.example", invite_code="ABCD-EFGH",
                                                     display_name="Ann", username="ann", password="a good password"),
                          lambda form: form.request())
    walked += walk_fields(seen, lambda: ResetPasswordForm(server_url="https://x.example", username="ann",
                                                          reset_code="ABCD-EFGH", new_password="short"),
                          lambda form: form.submit(NoNetwork()))

    # the bed state: every count of every category, every workforce headcount, then Save
    for category in ("nursing", "nursing_dementia"):
        for name in COUNT_FIELDS:
            for bad in (*BAD_TEXT, "21", "0"):
                screen = BedStateScreen(store, HOME_ID, now=now)
                attempt(seen, f"bed {category}.{name}={bad[:20]!r}", screen,
                        lambda screen=screen, name=name, bad=bad, category=category: (
                            screen.set_text(category, name, bad), screen.save()))
                walked += 1
    for name in WORKFORCE_FIELDS:
        for bad in BAD_TEXT:
            screen = BedStateScreen(store, HOME_ID, now=now)
            attempt(seen, f"workforce {name}={bad[:20]!r}", screen,
                    lambda screen=screen, name=name, bad=bad: (screen.set_workforce(name, bad), screen.save()))
            walked += 1
    closed = BedStateScreen(store, HOME_ID, now=now)
    attempt(seen, "closed without a reason", closed, lambda: (closed.set_closed(True), closed.save()))

    # home settings, an outbreak, the alert sender, the staff panel
    def settings() -> HomeSettingsScreen:
        screen = HomeSettingsScreen(store, HOME_ID, "demo", now=now)
        screen.categories = set(screen.implied)
        return screen
    not_typed = ("home_id", "username")  # who and which home: the app sets them, not the person
    walked += walk_fields(seen, settings, lambda screen: screen.save(), skip=not_typed)
    walked += walk_fields(seen, lambda: OutbreakPanel(store, HOME_ID, "demo", now=now), lambda panel: panel.start(),
                          skip=not_typed)
    walked += walk_fields(seen, lambda: AlertSender(lambda: None, now=now), lambda sender: sender.send())
    staff = StaffPanel()
    for bad in BAD_TEXT[:2]:
        attempt(seen, "reset a password", staff, lambda bad=bad: staff.reset_password(NoNetwork(), bad))

    # readiness: broadband, WiFi, DSPT, GP access, devices, the NHSmail steps (ODS, MFA, first login...)
    readiness = ReadinessScreen(store, HOME_ID, "champion", now)
    walked += walk_methods(seen, readiness)
    # ... and each NHSmail step again when the flow is at it, so the step's own checks are reached
    users = "Ann Smith, ann.smith@example.org, 07700 900001, owner\nBob Jones, bob.jones@example.org, 07700900002"
    for at_step, step in (
            (("record_ods_code", "record_no_ods_code"), lambda: readiness.record_ods_code("VM4R7")),
            (("record_cqc_ids",), lambda: readiness.record_cqc_ids(one_time_passcode=True)),
            ((), lambda: readiness.save_dspt("26/27 Standards Met")),
            (("record_dspt",), lambda: readiness.record_dspt()),
            (("choose_route",), lambda: readiness.choose_route("1")),
            ((), lambda: readiness.set_users(users)),
            ((), lambda: readiness.submit()),
            (("record_reply",), lambda: readiness.record_reply(accepted=True)),
            (("record_mfa",), lambda: (readiness.record_mfa("ann.smith@example.org"),
                                       readiness.record_mfa("bob.jones@example.org"))),
            (("record_first_login",), lambda: None)):
        if at_step:
            walked += walk_methods(seen, readiness, only=at_step)
        step()  # refused only when the walk's own bad input already moved the flow on
    assert readiness.nhsmail_step in (Step.FIRST_LOGIN, Step.IN_USE)  # the walk went through every step
    walked += walk_methods(seen, ReadinessScreen(store, HOME_ID, "champion", now, web_mode=True),
                           only=("wifi_location_error",))
    for person_field in (f.name for f in dataclasses.fields(Person)):
        for bad in BAD_TEXT:
            users = NhsmailUsersForm([Person(name="Ann Smith", email="ann.smith@example.org", mobile="07700 900001")])
            users.update(0, person_field, bad)
            users.check()
            seen.add(f"NHSmail user {person_field}={bad[:20]!r}", users.error(0, person_field))
            walked += 1

    # the red bag: a new resident, the whole resident form, observations, a transfer, the return
    resident = ResidentScreen(store, HOME_ID, None, "carer1", now)
    walked += walk_methods(seen, resident, only=("add_resident",))
    text_parts = [f.name for f in dataclasses.fields(ResidentForm) if f.type in ("str", str)]
    for part in text_parts:
        for bad in BAD_TEXT:
            form = ResidentForm(given_name="Margaret", family_name="Smith", date_of_birth="12/04/1938")
            setattr(form, part, bad)
            attempt(seen, f"resident form {part}={bad[:20]!r}", resident, lambda form=form: resident.save_resident(form))
            walked += 1
    for part in (f.name for f in dataclasses.fields(MedicineLine)):
        for bad in BAD_TEXT:
            form = ResidentForm(given_name="Margaret", family_name="Smith", date_of_birth="12/04/1938",
                                no_known_allergies=True)
            form.set_medicine(form.add_medicine(), part, bad)
            attempt(seen, f"medicine {part}={bad[:20]!r}", resident, lambda form=form: resident.save_resident(form))
            walked += 1
    assert resident.add_resident("Margaret", "Smith", "12/04/1938", "943 476 5919", no_known_allergies=True,
                                 baseline={"respiration_rate": "16", "spo2": "96", "systolic_bp": "128",
                                           "pulse": "76", "temperature": "36.8"}) is None, resident.message
    for name in list(resident.obs_text):
        for bad in BAD_TEXT:
            resident.reset_draft()
            attempt(seen, f"observation {name}={bad[:20]!r}", resident,
                    lambda name=name, bad=bad: (resident.set_obs(name, bad), resident.start_transfer()))
            walked += 1
    resident.reset_draft()
    attempt(seen, "observations not taken, no reason", resident,
            lambda: (resident.set_obs_not_taken(True, ""), resident.start_transfer()))
    attempt(seen, "a return before the transfer", resident, lambda: resident.record_return("x" * 5000))

    # the administrator's screen (its checks before the network); where a bed search starts from
    walked += walk_methods(seen, AdminScreen(lambda: None, now=now))
    walked += walk_methods(seen, AreaData(store, now=now), only=("district_origin", "home_origin"))

    assert walked > 500  # the walk found the forms
    assert seen.bad() == []


WALKED_FORMS = {SignInForm, RegisterForm, ResetPasswordForm, StaffPanel, BedStateScreen, HomeSettingsScreen,
                OutbreakPanel, AlertSender, ReadinessScreen, NhsmailUsersForm, ResidentScreen, ResidentForm,
                AdminScreen}


def test_the_walk_knows_every_form_in_client_state():
    """A new form state (a class named ...Form, ...Screen, ...Panel, ...Sender that takes typed text) must be
    walked above; screens a person only reads or taps are listed here as such."""
    read_or_tap_only = {"AlertsScreen"}  # alerts: read and acknowledge, nothing typed
    state = importlib.import_module("client.state")
    found = set()
    for info in pkgutil.iter_modules(state.__path__):
        if info.name == "sync_status":
            continue
        module = importlib.import_module(f"client.state.{info.name}")
        found |= {cls for _, cls in inspect.getmembers(module, inspect.isclass)
                  if cls.__module__ == module.__name__ and cls.__name__.endswith(("Form", "Screen", "Panel", "Sender"))
                  and cls.__name__ not in read_or_tap_only}
    assert {cls.__name__ for cls in found - WALKED_FORMS} == set()


def semantics_over_hidden(control: Any) -> list[str]:
    """Flet shows a red 'Semantics.content must be provided and visible' box for a Semantics over a hidden
    control: hide the Semantics instead."""
    found = []
    if isinstance(control, ft.Semantics) and control.visible is not False and control.content is not None \
            and control.content.visible is False:
        found.append(control.identifier or repr(control))
    for child in [*(getattr(control, "controls", None) or []), getattr(control, "content", None)]:
        if isinstance(child, ft.Control):
            found += semantics_over_hidden(child)
    return found


def test_the_bed_state_form_shows_no_flet_error_box(home_store):
    engine = SimpleNamespace(status=SyncStatus(), request_sync=lambda: None)
    view = BedStateView(BedStateScreen(home_store, HOME_ID, now=lambda: NOW), engine, account_line="Signed in")
    view.refresh(update=False)
    assert semantics_over_hidden(view) == []


def test_the_outbreak_and_transfer_forms_show_no_flet_error_box(home_store):
    panel = OutbreakPanel(home_store, HOME_ID, "demo", now=lambda: NOW)
    control = OutbreakControl(panel, on_saved=lambda: None)  # no outbreak: "New case" and "Close" hidden
    assert semantics_over_hidden(control) == []
    assert panel.start(started_on=NOW.date())
    control.render(update=False)  # an outbreak: "Mark an outbreak" hidden, the others shown again
    assert semantics_over_hidden(control) == []
    [case] = [c for row in control.controls for c in getattr(row, "controls", []) if c.content is control.case]
    assert case.visible is not False and control.case.visible  # shown again with its button

    resident = ResidentScreen(home_store, HOME_ID, None, "carer1", lambda: NOW)
    assert resident.add_resident("Margaret", "Smith", "12/04/1938", no_known_allergies=True) is None
    view = ResidentView(resident, SimpleNamespace(status=SyncStatus()), now=lambda: NOW)
    view.update = lambda: None  # no page
    view.transfer_open = True
    view.refresh(update=False)  # the transfer form: "Why not taken" hidden until observations are not taken
    assert semantics_over_hidden(view) == []


def test_the_register_and_reset_forms_show_no_error_box_before_anything_is_typed():
    for view in (RegisterView(None, "https://x.example", lambda: None, None),
                 ResetPasswordView(None, "https://x.example", lambda: None, None)):
        assert semantics_over_hidden(view) == []
        assert view.error_box.visible is False  # nothing to say yet


class ForeignServer:
    """A session whose server address answers as some other web server does (the app's own address, say):
    the real API client, no route for the request."""

    ANSWERS = (httpx.Response(405, json={"detail": "Method Not Allowed"}),
               httpx.Response(404, html="<!DOCTYPE html><title>404</title>"))

    def __init__(self, answer: httpx.Response) -> None:
        self.answer = answer

    def new_api(self, server_url: str) -> CentralApi:
        return CentralApi(server_url, transport=httpx.MockTransport(lambda request: self.answer))

    async def sign_in(self, server_url: str, username: str, password: str) -> None:
        api = self.new_api(server_url)
        try:
            await api.sign_in(username, password)
        finally:
            await api.aclose()


# An address a person may type: no scheme, no port that exists, another protocol.
BAD_ADDRESSES = ("127.0.0.1:8000", "http://127.0.0.1:99999", "https://carehome.example.nhs.uk:0", "ftp://x")


@pytest.mark.parametrize("answer", ForeignServer.ANSWERS, ids=["405", "html"])
def test_the_account_forms_answer_every_bad_entry_with_words_not_an_error(answer):
    """Their views catch nothing: a refusal raised in a tap's handler is Flet's "Error running app" screen."""
    forms = {
        "sign in": (lambda: SignInForm(server_url="https://x.example", username="ann", password="a good password"),
                    lambda form, session: submit_sign_in(form, session)),
        "register": (lambda: RegisterForm(server_url="https://x.example", invite_code="ABCD-EFGH",
                                          display_name="Ann", username="ann", password="a good password"),
                     lambda form, session: form.submit(session)),
        "reset": (lambda: ResetPasswordForm(server_url="https://x.example", username="ann", reset_code="ABCD-EFGH",
                                            new_password="a good password"),
                  lambda form, session: form.submit(session)),
    }
    seen = Seen()
    for title, (make, send) in forms.items():
        for name, value in vars(make()).items():
            if not isinstance(value, str) or name == "error":
                continue
            for bad in (*BAD_TEXT, *BAD_ADDRESSES, value):  # value: all good, the server at the address refuses
                form = make()
                setattr(form, name, bad)
                assert run_coroutine(send(form, ForeignServer(answer))) is None
                assert form.error, f"{title} {name}={bad[:20]!r}: refused with nothing said"
                if bad == value:  # all good, and the address answers as no central API does: fix the address
                    assert form.wrong_field == "server_url", f"{title}: {form.error!r} not under the address"
                seen.add(f"{title} {name}={bad[:20]!r}", form.error)
    assert seen.bad() == []
    assert not [text for text in seen.messages if re.search(r"\b[45]\d\d\b|<", text)]  # no status code, no page


def _fails(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc
    return answer


# What the network or a server may do to a sync round: what the sync details panel then says.
NETWORK_TROUBLE = {
    "refused": _fails(httpx.ConnectError("[Errno 111] Connection refused")),
    "hangs": _fails(httpx.ReadTimeout("timed out")),
    "reset": _fails(httpx.RemoteProtocolError("Server disconnected without sending a response.")),
    "503": lambda request: httpx.Response(503, text="Service Unavailable"),
    "login page": lambda request: httpx.Response(200, html="<html>Sign in to the WiFi</html>"),
    "403": lambda request: httpx.Response(403, json={"detail": "This device may not send for this home"}),
    "404 page": lambda request: httpx.Response(404, html="<h1>Not Found</h1>"),
    "409": lambda request: httpx.Response(409, json={"detail": "Not Found"}),
}


def test_what_the_sync_details_say_of_a_network_fault_names_no_exception_and_no_bare_status_code():
    """It said "Cannot reach the central API (ConnectError)" and "Pull failed (404): <h1>Not Found</h1>"."""
    seen = Seen()
    for trouble, answer in NETWORK_TROUBLE.items():
        api = CentralApi("https://central.example", "token", transport=httpx.MockTransport(answer))
        for name, call in (("push", lambda api=api: api.push("0f1e2d3c-4b5a-4697-8899-aabbccddeeff", [])), ("pull", lambda api=api: api.pull(0))):
            try:
                run_coroutine(call())
            except ApiError as exc:  # Offline too: the engine keeps str(exc) as the status's message
                seen.add(f"{name} when {trouble}", str(exc))
            else:
                raise AssertionError(f"{name} when {trouble}: no refusal")
    assert len(seen.messages) >= 5
    assert seen.bad() == []
    assert [text for text in seen.messages if re.search(r"[A-Z][a-z]+[A-Z][a-z]+(Error|Exception)|\(\d{3}\)|<", text)] \
        == []


def test_an_account_form_shows_its_problem_under_the_field_it_is_about_until_that_field_is_edited():
    """It sat at the foot of the form: "Invite code needs at least 8 characters" under the password."""
    register = RegisterView(None, "https://x.example", lambda: None, None)
    reset = ResetPasswordView(None, "https://x.example", lambda: None, None)
    sign_in_view = SignInView(SimpleNamespace(default_server_url="https://x.example"), None)
    for view in (register, reset, sign_in_view):
        view.update = lambda: None  # no page: render without sending
    register.code.value, register.password.value = "ABCD", "a good password"
    reset.username.value, reset.code.value, reset.password.value = "ann", "ABCD-EFGH", "short"
    sign_in_view.server.value = "http://127.0.0.1:99999"
    for view, field, words in ((register, register.code, "Invite code needs at least 8 characters"),
                               (reset, reset.password, "New password needs at least 10 characters"),
                               (sign_in_view, sign_in_view.server, "Server address is not a valid web address")):
        run_coroutine(view._submit(None))
        assert field.error and field.error.startswith(words)
        assert field.error_max_lines > 1  # the whole sentence: one line cut it short on a phone
        assert [f.error for f in view.fields.values() if f is not field] == [None] * (len(view.fields) - 1)
        assert not (view.error_box if hasattr(view, "error_box") else view.error).visible  # said once, there
        field.update = lambda: None
        field.on_change(None)  # she corrects it: the old words go
        assert field.error is None


# -- 3. every API answer a screen can show -----------------------------------------------------------------


def body_routes() -> Iterator[tuple[APIRoute, type[BaseModel]]]:
    """Every route of every router (server_stub/routers) that takes a JSON body, with the body's model."""
    routers = importlib.import_module("server_stub.routers")
    for info in pkgutil.iter_modules(routers.__path__):
        for route in importlib.import_module(f"server_stub.routers.{info.name}").router.routes:
            if isinstance(route, APIRoute) and route.body_field is not None:
                model = route.body_field.field_info.annotation
                if isinstance(model, type) and issubclass(model, BaseModel):
                    yield route, model


def test_every_api_refusal_of_a_bad_body_is_in_plain_words(tmp_path, demo_database):
    seen, walked = Seen(), 0
    with serving(tmp_path / "central.sqlite3", template=demo_database, sign_in_attempts_per_minute=100000) as http:
        tokens = {who: sign_in(http, who) for who in ("demo", "admin", "commissioner")}
        routes = list(body_routes())
        assert len(routes) > 10  # the walk found the routes
        for route, model in routes:
            path = re.sub(r"\{[^}]+\}", HOME_ID, route.path)
            method = sorted(route.methods)[0]
            for field in model.model_fields:
                for bad in ("", "x" * 5000, -1, "many", None, FUTURE.isoformat()):
                    for who, headers in tokens.items():
                        answer = http.request(method, path, json={field: bad}, headers=headers)
                        walked += 1
                        if not 400 <= answer.status_code < 500:
                            continue
                        try:
                            detail = answer.json().get("detail")
                        except ValueError:
                            continue
                        how = f"{method} {route.path} {field}={str(bad)[:20]!r} as {who} ({answer.status_code})"
                        seen.add(how, describe_validation_error(detail))  # what the app shows
                        if isinstance(detail, list):
                            seen.add(how + " msg", *(error.get("msg") for error in detail))  # what the API says
    assert walked > 300
    assert seen.bad() == []


def test_the_walk_catches_framework_words():
    assert framework_words("String should have at least 10 characters")
    assert framework_words("Value error, date_of_birth must not be in the future")
    assert framework_words("Semantics.content must be provided and visible")
    assert framework_words("nhs_number: must be 10 digits")
    assert framework_words("Password needs at least 10 characters") == []
    assert framework_words("Date of birth can't be in the future") == []
    assert date(2026, 1, 1) < FUTURE
