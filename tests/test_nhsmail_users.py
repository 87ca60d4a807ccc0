"""The NHSmail users as a list of people: each field checked in plain words; an older free-text record still reads."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from client.state.nhsmail_users import NhsmailUsersForm
from client.state.readiness import ReadinessScreen
from client.store import open_device_store
from domain import nhsmail
from domain.nhsmail import NhsmailProgress, Step, UserRole
from protocol import Record
from tests.support.records import HOME_ID, care_home_record

NOW = datetime(2026, 11, 25, 9, 12, tzinfo=timezone.utc)


@pytest.fixture
def device(tmp_path):
    opened = open_device_store(tmp_path)
    opened.sync.apply_pull_page([care_home_record()], 1)
    yield opened
    opened.store.close()


@pytest.fixture
def store(device):
    return device.store


def at_users_step(screen: ReadinessScreen) -> None:
    assert screen.record_ods_code("VM4R7") is None
    assert screen.record_cqc_ids(one_time_passcode=True) is None
    assert screen.record_dspt("Standards Met", "26/27") is None
    assert screen.choose_route("1") is None
    assert screen.nhsmail_step is Step.USERS


def test_each_person_is_checked_field_by_field_in_plain_words(store):
    screen = ReadinessScreen(store, HOME_ID, "champion", lambda: NOW)
    at_users_step(screen)
    form = screen.users_form
    assert len(form.people) == 2 and form.people[0].owner and not form.people[1].owner
    form.update(0, "name", "Ann Smith")
    form.update(0, "email", "ann.smith")
    form.update(0, "mobile", "01632 960123")  # a landline
    form.update(1, "email", "bob@example.org")
    error = screen.save_users_form()
    assert error == "Not saved: check the details marked under each person"
    assert form.error(0, "email") == "This is not an email address: it looks like jo.bloggs@example.org"
    assert form.error(0, "mobile") == "This is not a UK mobile number: it starts 07 (or +44 7) and has 11 digits"
    assert form.error(0, "name") is None
    assert form.error(1, "name") == "Type the person's name"
    assert form.error(1, "mobile").startswith("Type the person's own mobile number")
    assert screen.nhsmail_step is Step.USERS and store.record("nhsmail_progress", f"{HOME_ID}/nhsmail").data[
        "users"] == []
    form.update(0, "email", "ann.smith@example.org")
    assert form.error(0, "email") is None  # the old message goes when the field is edited
    form.update(0, "mobile", "+44 7700 900123")
    form.update(1, "name", "Bob Jones")
    form.update(1, "mobile", "07700 900456")
    form.update(1, "owner", True)
    assert screen.save_users_form() is None
    saved = screen.progress
    assert saved.step is Step.SUBMIT
    assert [(u.name, u.mobile, u.role) for u in saved.users] == [
        ("Ann Smith", "07700900123", UserRole.OWNER), ("Bob Jones", "07700900456", UserRole.OWNER)]
    # Opened again: the saved people fill the form.
    assert [p.name for p in screen.users_form.people] == ["Ann Smith", "Bob Jones"]


def test_people_are_added_up_to_ten_and_removed(store):
    form = NhsmailUsersForm()
    for _ in range(12):
        form.add()
    assert len(form.people) == nhsmail.MAX_USERS and not form.can_add
    form.update(3, "name", "Dee")
    form.update(4, "email", "nope")
    form.check()
    form.remove(2)
    assert form.people[2].name == "Dee" and form.error(3, "email") is not None


def older_record(users_text: str, step: str) -> dict:
    progress = nhsmail.choose_route(nhsmail.record_dspt(nhsmail.record_cqc_ids(
        nhsmail.record_ods_code(nhsmail.start(HOME_ID), "VM4R7"), HOME_ID, "CT-1"), "Standards Met", "26/27"), 1)
    data = progress.model_dump(mode="json")
    data.update(users=users_text, shared_mailbox="care.vm4r7@nhs.net", step=step)
    return data


def test_an_older_record_with_free_text_users_is_read_as_people():
    text = "Ann Smith, ann.smith@example.org, 07700 900123, owner\nBob Jones, bob@example.org, 07700900456"
    progress = NhsmailProgress.model_validate(older_record(text, "submit"))
    assert progress.step is Step.SUBMIT and progress.users_text is None
    assert [(u.name, u.role) for u in progress.users] == [("Ann Smith", UserRole.OWNER), ("Bob Jones", UserRole.MEMBER)]


def test_an_older_record_whose_free_text_cannot_be_read_keeps_it_for_the_form(device, store):
    text = "Ann Smith, ann.smith@example, 07700 900123\nBob Jones bob@example.org 07700900456"
    progress = NhsmailProgress.model_validate(older_record(text, "submit"))
    assert progress.users == () and progress.users_text == text and progress.step is Step.USERS
    form = NhsmailUsersForm.from_progress(progress)
    assert [(p.name, p.email, p.mobile) for p in form.people] == [
        ("Ann Smith", "ann.smith@example", "07700 900123"), ("Bob Jones bob@example.org 07700900456", "", "")]
    assert form.error(0, "email") is not None and form.error(1, "email") is not None
    # Pulled onto a device as the older version saved it: the screen reads it and shows what was typed.
    device.sync.apply_pull_page([Record(kind="nhsmail_progress", id=f"{HOME_ID}/nhsmail", home_id=HOME_ID, version=2,
                                        updated_at=NOW, data=older_record(text, "submit"))], 2)
    screen = ReadinessScreen(store, HOME_ID, "champion", lambda: NOW)
    assert screen.nhsmail_step is Step.USERS
    assert screen.users_form.people[0].email == "ann.smith@example"
    screen.users_form.update(0, "email", "ann.smith@example.org")
    screen.users_form.update(1, "name", "Bob Jones")
    screen.users_form.update(1, "email", "bob@example.org")
    screen.users_form.update(1, "mobile", "07700900456")
    assert screen.save_users_form() is None
    assert screen.progress.users_text is None and len(screen.progress.users) == 2


def test_the_view_draws_one_card_per_person_and_shows_each_message_under_its_field(store, monkeypatch):
    import flet as ft

    from client.sync import SyncStatus
    from client.views.readiness_view import ReadinessView

    class Engine:
        status = SyncStatus()

    async def measure():  # not used here
        raise AssertionError

    screen = ReadinessScreen(store, HOME_ID, "champion", lambda: NOW)
    at_users_step(screen)
    monkeypatch.setattr(ReadinessView, "update", lambda self: None)  # no page in a unit test
    view = ReadinessView(screen, Engine(), measure=measure, now=lambda: NOW)
    fields = {c.identifier: c.content for c in _walk(view.nhsmail_section) if isinstance(c, ft.Semantics) and c.identifier}
    assert {"nhsmail-user-1-name", "nhsmail-user-2-mobile", "nhsmail-user-1-owner", "nhsmail-user-add"} <= set(fields)
    assert not any(isinstance(c, ft.TextField) and c.multiline for c in _walk(view.nhsmail_section))  # no free-text box
    screen.users_form.update(0, "email", "not an address")
    view._save_users(None)
    fields = {c.identifier: c.content for c in _walk(view.nhsmail_section) if isinstance(c, ft.Semantics) and c.identifier}
    assert fields["nhsmail-user-1-email"].error == "This is not an email address: it looks like jo.bloggs@example.org"
    assert fields["nhsmail-user-1-email"].value == "not an address"


def _walk(control):
    yield control
    for attr in ("controls", "content"):
        child = getattr(control, attr, None)
        for c in child if isinstance(child, list) else [child] if child is not None else []:
            if hasattr(c, "__dict__"):
                yield from _walk(c)
