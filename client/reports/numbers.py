"""Numbers as a document prints them for people: the one rule screens use too (domain/numbers.py)."""

from domain.numbers import mbps, ms

__all__ = ["mbps", "ms"]
