"""Stored records read as domain models: one this version of the app cannot read is left out, never a crash."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class Stored(Protocol):
    """What the screens read of a stored record (``LocalStore.record`` / ``records``)."""

    data: dict[str, Any]


def readable(model: type[M], row: Stored | None) -> M | None:
    """The record as ``model``; None when there is none, or it cannot be read."""
    if row is None:
        return None
    try:
        return model.model_validate(row.data)
    except ValidationError:
        return None


def all_readable(model: type[M], rows: Iterable[Stored]) -> list[M]:
    return [m for m in (readable(model, row) for row in rows) if m is not None]
