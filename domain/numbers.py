"""Numbers as people read them, on screens and in documents alike: speeds to one decimal, times to whole ms."""

from __future__ import annotations


def mbps(value: float) -> str:
    """'4.6' for 4.5678 Mbps (one decimal, always shown, so a column of speeds reads alike)."""
    return f"{value:.1f}"


def ms(value: float) -> str:
    """'121' for 120.6 ms (whole milliseconds)."""
    return f"{value:.0f}"
