"""Alerts in the domain: what a sender may write (plain words when not), the receipt the server keeps, and the
order a home sees them in."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from domain.alerts import (
    Alert,
    AlertContent,
    AlertReceipt,
    HomeAlert,
    HomeAnswer,
    Priority,
    answer_of,
    check_expiry,
    home_alerts_in_order,
    merge_receipt,
    urgent_unread,
)
from domain.messages import plain_words

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=7)


def content(**fields) -> AlertContent:
    return AlertContent.model_validate({"title": "Heatwave plan", "message": "Keep residents cool.",
                                        "expires_at": LATER, **fields})


def alert(alert_id="a1", priority=Priority.INFORMATION, sent_at=NOW, **fields) -> Alert:
    return Alert(**{"title": f"Alert {alert_id}", "message": "Read me", "priority": priority, "expires_at": LATER,
                    "alert_id": alert_id, "home_id": "1-1", "sent_by": "Trafford commissioning", "sent_at": sent_at,
                    **fields})


@pytest.mark.parametrize("fields, words", [
    ({"title": ""}, "Title can't be empty"),
    ({"title": "   "}, "Title can't be empty"),
    ({"message": "x" * 4001}, "Message can't be longer than 4000 characters"),
    ({"priority": "soon"}, "Priority must be one of: information, action needed or urgent"),
    ({"link": "http://www.gov.uk/heatwave"}, "Link must be a web address starting with https://"),
    ({"link": "https://"}, "Link must be a web address starting with https://"),
    ({"link": "javascript:alert(1)"}, "Link must be a web address starting with https://"),
    ({"expires_at": "2026-12-01T09:00:00"}, "Expiry must include a time zone"),
])
def test_a_bad_alert_is_refused_in_plain_words_naming_the_field(fields, words):
    with pytest.raises(ValidationError) as refused:
        content(**fields)
    assert plain_words(refused.value).startswith(words), plain_words(refused.value)


def test_a_good_alert_keeps_its_https_link_and_an_empty_link_is_none():
    assert content(link=" https://www.gov.uk/heatwave ").link == "https://www.gov.uk/heatwave"
    assert content(link="").link is None
    assert content().priority is Priority.INFORMATION


def test_an_alert_that_has_expired_already_is_refused():
    check_expiry(content(), NOW)
    with pytest.raises(ValueError, match="Expiry must be in the future"):
        check_expiry(content(expires_at=NOW), NOW)


def test_the_server_keeps_the_first_acknowledgement_its_own_clock_and_the_token_account():
    first = merge_receipt(None, AlertReceipt(alert_id="a1", home_id="1-1", read_at=NOW, read_by="claimed",
                                             read_recorded_at=NOW - timedelta(days=9)), "carer", NOW + timedelta(hours=1))
    assert (first.read_by, first.read_recorded_at) == ("carer", NOW + timedelta(hours=1))
    assert answer_of(first) is HomeAnswer.READ and first.acknowledged_recorded_at is None
    acked = merge_receipt(first, AlertReceipt(alert_id="a1", home_id="1-1", acknowledged_at=NOW + timedelta(hours=2),
                                              acknowledged_by="claimed"), "manager", NOW + timedelta(hours=3))
    assert (acked.acknowledged_by, acked.acknowledged_recorded_at) == ("manager", NOW + timedelta(hours=3))
    assert (acked.read_by, acked.read_recorded_at) == ("carer", NOW + timedelta(hours=1))  # the first reading kept
    # A device that never saw the acknowledgement sends a mere reading: still acknowledged, by the same person.
    again = merge_receipt(acked, AlertReceipt(alert_id="a1", home_id="1-1", read_at=NOW), "other", NOW + timedelta(days=1))
    assert answer_of(again) is HomeAnswer.ACKNOWLEDGED
    assert (again.acknowledged_by, again.acknowledged_recorded_at) == ("manager", NOW + timedelta(hours=3))
    assert answer_of(None) is HomeAnswer.NOT_YET


def test_a_home_sees_unread_first_urgent_on_top_and_expired_ones_drop_out():
    read = AlertReceipt(alert_id="read", home_id="1-1", read_at=NOW)
    acked = AlertReceipt(alert_id="acked", home_id="1-1", read_at=NOW, acknowledged_at=NOW)
    items = [
        HomeAlert(alert("info", sent_at=NOW + timedelta(hours=3)), None),
        HomeAlert(alert("read", Priority.URGENT), read),
        HomeAlert(alert("acked", Priority.URGENT), acked),
        HomeAlert(alert("urgent", Priority.URGENT), None),
        HomeAlert(alert("action", Priority.ACTION_NEEDED), None),
        HomeAlert(alert("old", Priority.URGENT, expires_at=NOW + timedelta(minutes=1)), None),
    ]
    order = [item.alert.alert_id for item in home_alerts_in_order(items, NOW + timedelta(minutes=5))]
    assert order == ["urgent", "action", "info", "read", "acked"]
    assert [i.alert.alert_id for i in urgent_unread(items, NOW + timedelta(minutes=5))] == ["urgent"]
    assert {i.alert.alert_id for i in urgent_unread(items, NOW)} == {"old", "urgent"}  # not expired yet


def test_a_reminder_after_reading_makes_it_unread_until_read_again_or_acknowledged():
    reminded = alert("a1", Priority.URGENT, reminded_at=NOW + timedelta(days=1))
    assert HomeAlert(reminded, AlertReceipt(alert_id="a1", home_id="1-1", read_at=NOW)).unread
    assert not HomeAlert(reminded, AlertReceipt(alert_id="a1", home_id="1-1", read_at=NOW + timedelta(days=2))).unread
    assert not HomeAlert(reminded, AlertReceipt(alert_id="a1", home_id="1-1", read_at=NOW, acknowledged_at=NOW)).unread
