"""Research exports (issue 12, part 5): totals only, from the homes that chose to be included.

Like published statistics, a total over fewer than ``SMALLEST_GROUP`` homes is left out, so no single home (or
pair) can be picked out of a row. The central API builds the export; these are its rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

SMALLEST_GROUP = 3  # homes: a row counting fewer is left out of a research export

T = TypeVar("T")


def large_enough(homes: int) -> bool:
    return homes >= SMALLEST_GROUP


def leave_out_small(rows: Iterable[T], homes_of) -> tuple[list[T], int]:
    """The rows counting at least SMALLEST_GROUP homes, and how many rows were left out."""
    kept, left_out = [], 0
    for row in rows:
        if large_enough(homes_of(row)):
            kept.append(row)
        else:
            left_out += 1
    return kept, left_out
