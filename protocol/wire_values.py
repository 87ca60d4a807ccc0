"""What a value on the wire may hold, whatever its model says: finite numbers, and text that is valid
Unicode without NUL.

JSON parsers (Python's included) accept NaN and Infinity, and a ``\\ud800`` escape decodes to a lone
surrogate that no UTF-8 encoder can write back; PostgreSQL text cannot hold NUL. Such a value must be
refused where it arrives, naming where it is, before anything stores or echoes it.
"""

from __future__ import annotations

import math
import re
from typing import Any

# A lone UTF-16 surrogate (never valid text on its own) or NUL.
_UNFIT_CHARACTER = re.compile("[\ud800-\udfff\x00]")
NOT_FINITE = "must be a finite number (NaN and Infinity are not allowed)"
NUL = "must not contain the NUL character"
LONE_SURROGATE = "must be valid text (it holds a lone UTF-16 surrogate)"


def text_problem(text: str) -> str | None:
    """Why a string may not cross the wire, or None."""
    found = _UNFIT_CHARACTER.search(text)
    if found is None:
        return None
    return NUL if found.group() == "\x00" else LONE_SURROGATE


def value_problem(value: Any) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return NOT_FINITE
    if isinstance(value, str):
        return text_problem(value)
    return None


def printable_key(key: str) -> str:
    """A key as it may be echoed in an answer (unfit characters escaped)."""
    return key.encode("utf-8", "backslashreplace").decode("utf-8") if text_problem(key) else key


def unfit_values(document: Any, limit: int = 20) -> list[tuple[tuple[str | int, ...], str]]:
    """Where a parsed JSON document holds values (or keys) no model may receive, and why: at most ``limit``.

    Walked without recursion, so a deeply nested body cannot exhaust the stack.
    """
    found: list[tuple[tuple[str | int, ...], str]] = []
    pending: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    while pending and len(found) < limit:
        path, value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                where = (*path, printable_key(key))
                problem = text_problem(key)
                if problem is not None:
                    found.append((where, f"name {problem}"))
                pending.append((where, item))
        elif isinstance(value, list):
            pending.extend(((*path, index), item) for index, item in enumerate(value))
        else:
            problem = value_problem(value)
            if problem is not None:
                found.append((path, problem))
    return sorted(found[:limit], key=lambda entry: [str(part) for part in entry[0]])
