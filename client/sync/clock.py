"""One clock for everything a device shows: its own clock corrected by its measured offset from the server's.

A device clock can be hours off (a tablet never set, a phone after travel). Every answer of the central API
that carries the server's time lets the device measure the offset (server minus device, taken at the middle of
the request so the network's delay counts half each way). Every time a screen shows (last confirmed, sent,
waiting since) and every time the device claims for a person's action (when a manager confirmed) is the
device's clock plus that offset, so a device two hours fast shows what a correct one shows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta


def measured_offset(server_time: datetime, sent_at: datetime, received_at: datetime) -> timedelta:
    """Server minus device, from an answer stamped ``server_time``, asked at ``sent_at`` and answered at
    ``received_at`` (both on the device's clock): the server stamped it somewhere in between, most likely
    half way."""
    return server_time - (sent_at + (received_at - sent_at) / 2)


class ServerClock:
    """The device's clock corrected by the offset last measured (stored where ``read_offset`` finds it)."""

    def __init__(self, device_now: Callable[[], datetime],
                 read_offset: Callable[[], float | None] = lambda: None) -> None:
        self.device_now = device_now
        self._read_offset = read_offset

    @property
    def measured(self) -> bool:
        """Whether the offset was ever measured (until then the device's own clock is all there is)."""
        return self._read_offset() is not None

    @property
    def offset(self) -> timedelta:
        return timedelta(seconds=self._read_offset() or 0.0)

    def now(self) -> datetime:
        """The server's time as this device best knows it."""
        return self.correct(self.device_now())

    def correct(self, device_time: datetime) -> datetime:
        """A moment read on this device's clock, on the server's clock."""
        return device_time + self.offset
