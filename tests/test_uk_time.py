"""Times shown to people are UK local time: GMT in winter, BST in summer."""

from datetime import UTC, date, datetime

from domain.uk_time import from_iso, uk_clock, uk_day, uk_day_and_time, uk_local, uk_when
from server_stub.services.auth import locked_message


def test_summer_is_bst_and_winter_is_gmt():
    assert uk_clock(datetime(2026, 7, 1, 3, 4, tzinfo=UTC)) == "04:04"
    assert uk_clock(datetime(2026, 1, 15, 3, 4, tzinfo=UTC)) == "03:04"


def test_the_clock_change_nights():
    # Clocks go forward at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on 25 October 2026.
    assert uk_clock(datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) == "00:59"
    assert uk_clock(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "02:00"
    assert uk_clock(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "01:30"
    assert uk_clock(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == "01:30"


def test_a_naive_stamp_is_utc_and_an_iso_stamp_reads_back():
    assert uk_local(datetime(2026, 7, 1, 23, 30)).date() == date(2026, 7, 2)
    assert uk_clock(from_iso("2026-07-01T03:04:00Z")) == "04:04"


def test_days_and_relative_times():
    now = datetime(2026, 5, 3, 12, 0, tzinfo=UTC)
    assert uk_day(datetime(2026, 5, 3, 8, 12, tzinfo=UTC)) == "3 May 2026"
    assert uk_day_and_time(datetime(2026, 5, 3, 8, 12, tzinfo=UTC), year=False) == "3 May 09:12"
    assert uk_when(datetime(2026, 5, 3, 8, 12, tzinfo=UTC), now) == "09:12 today"
    assert uk_when(datetime(2026, 5, 2, 17, 40, tzinfo=UTC), now) == "18:40 yesterday"
    assert uk_when(datetime(2026, 4, 20, 8, 12, tzinfo=UTC), now) == "20 Apr 09:12"
    assert uk_when(datetime(2025, 12, 20, 8, 12, tzinfo=UTC), now) == "20 Dec 2025 08:12"


def test_the_lockout_message_says_the_uk_time_not_utc():
    message = locked_message("2026-07-01T03:04:00+00:00")
    assert "04:04" in message and "UTC" not in message
    assert "03:04" in locked_message("2026-01-15T03:04:00+00:00")
