"""Stored records read as domain models: one this version of the app cannot read is left out, never a crash.

The reading itself is shared with the central API (``protocol.area_records``); screens use these names.
"""

from __future__ import annotations

from protocol.area_records import HasData as Stored
from protocol.area_records import all_read_as as all_readable
from protocol.area_records import read_as as readable

__all__ = ["Stored", "all_readable", "readable"]
