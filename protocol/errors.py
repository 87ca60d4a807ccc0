"""The body of every error answer of the central API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorResponse(BaseModel):
    """Every error answer: a message for a person (a list of field errors for a 422)."""

    detail: str | list[dict[str, Any]]
