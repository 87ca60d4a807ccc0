"""The device's one clock (client/sync/clock.py) and the bounds of a confirmation's time (domain/freshness.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from client.sync.clock import ServerClock, measured_offset
from domain.freshness import confirmation_time

NINE = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def test_the_offset_is_measured_at_the_middle_of_the_request():
    # Asked at 11:00:00 and answered at 11:00:02 on a clock two hours fast; the server said 09:00:01.
    sent, received = NINE + timedelta(hours=2), NINE + timedelta(hours=2, seconds=2)
    assert measured_offset(NINE + timedelta(seconds=1), sent, received) == timedelta(hours=-2)


def test_the_corrected_clock_of_a_fast_device_is_the_servers():
    device_now = NINE + timedelta(hours=2)
    clock = ServerClock(lambda: device_now, lambda: -7200.0)
    assert clock.measured and clock.offset == timedelta(hours=-2)
    assert clock.now() == NINE
    assert clock.correct(device_now - timedelta(minutes=5)) == NINE - timedelta(minutes=5)


def test_never_measured_the_device_clock_is_all_there_is():
    clock = ServerClock(lambda: NINE)
    assert not clock.measured and clock.offset == timedelta(0) and clock.now() == NINE


def test_a_confirmation_is_the_managers_time_within_the_last_contact_and_the_arrival():
    contact, arrived = NINE - timedelta(minutes=30), NINE + timedelta(hours=2)
    assert confirmation_time(NINE, arrived, contact) == NINE
    assert confirmation_time(arrived + timedelta(hours=1), arrived, contact) == arrived  # never in the future
    assert confirmation_time(contact - timedelta(days=1), arrived, contact) == contact  # never before the contact
    assert confirmation_time(None, arrived, contact) == arrived  # an older app sends none
    assert confirmation_time(NINE, arrived, None) == arrived  # no contact known: nothing to bound it by
    assert confirmation_time(NINE.replace(tzinfo=None), arrived, contact) == arrived  # a time without a zone
