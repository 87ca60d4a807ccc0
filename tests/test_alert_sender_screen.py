"""The commissioner's alerts screen (the stretch of issue 12 part 1): a draft checked on the device in plain
words, sent through the real API client to the in-process central API, who has answered, reminding the rest,
and plain words when offline or refused."""

from __future__ import annotations

import flet as ft
import pytest

from client.state.alert_sender import NEEDS_CONNECTION, AlertSender
from client.sync import CentralApi
from client.views.alert_sender_view import AlertSenderView
from domain.alerts import HomeAnswer, Priority
from tests.support import aio
from tests.support.area_homes import AREA_HOMES, manager_of, mutation, push_body
from tests.support.auth import sign_in, sign_in_token
from tests.support.central_inprocess import Switchable

SERVER = "http://central.test"


@pytest.fixture
def network(central):
    return Switchable(central.app_ref)


@pytest.fixture
def sender(central, network):
    token = sign_in_token(central, "commissioner")
    return AlertSender(lambda: CentralApi(SERVER, token, transport=network), now=lambda: central.clock.now)


def test_a_draft_that_breaks_a_rule_is_refused_on_the_device_in_plain_words(sender):
    sender.title, sender.message_text, sender.link = "", "Heatwave plan", "http://example.org"
    assert not aio.run(sender.send())
    assert sender.message == ("Not sent: Title can't be empty; "
                              "Link must be a web address starting with https://, e.g. https://www.gov.uk/heatwave")
    assert sender.sent == []


def test_send_see_who_answered_and_remind_the_rest(central, sender):
    sender.title, sender.message_text, sender.priority = "Flu clinic", "Thursday at 10:00", Priority.ACTION_NEEDED
    sender.to = ", ".join(h.id for h in AREA_HOMES[:3])
    assert aio.run(sender.send()), sender.message
    assert sender.message == "Sent to 3 homes (3 chosen homes)"
    alert_id = sender.sent[0].alert_id
    central.post("/sync/push", headers=sign_in(central, manager_of(AREA_HOMES[0])), json=push_body([mutation(
        "alert_ack", f"{alert_id}/{AREA_HOMES[0].id}", {"alert_id": alert_id, "home_id": AREA_HOMES[0].id,
                                                        "acknowledged_at": central.clock.now.isoformat()})]))

    assert aio.run(sender.load()) and sender.summary_line(sender.sent[0]) == (
        "Action needed - Flu clinic: 3 homes, 1 acknowledged, 0 read, 2 not yet")
    assert aio.run(sender.open(alert_id))
    answers = [answer for answer, _ in sender.home_lines]
    assert answers == [HomeAnswer.NOT_YET, HomeAnswer.NOT_YET, HomeAnswer.ACKNOWLEDGED]
    assert sender.home_lines[0][1] == "Sale Dementia Care: Not read yet (call 0161 000 0002)"
    assert sender.home_lines[2][1].startswith(f"Altrincham Nursing Home: Acknowledged (by {manager_of(AREA_HOMES[0])}")

    view = AlertSenderView(sender, on_back=lambda: None)  # no page: built, not shown
    assert view.remind.visible
    assert aio.run(sender.remind()) and sender.message == "Reminded 2 homes"
    assert isinstance(view.homes, ft.Column)


def test_a_home_outside_her_area_is_refused_in_the_servers_words_and_offline_is_said_plainly(sender, network):
    sender.title, sender.message_text, sender.to = "Heatwave", "Keep cool", "1-900000001, 1-900000008"
    assert not aio.run(sender.send())
    assert sender.message == "Homes: Knutsford Manor (1-900000008) is outside your area"
    network.connected = False
    sender.to = "mine"
    assert not aio.run(sender.send()) and sender.message == NEEDS_CONNECTION
    assert not aio.run(sender.load()) and sender.message == NEEDS_CONNECTION
