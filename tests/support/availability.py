"""What a test needs from the machine (Chromium, PostgreSQL, poppler): skipped when missing, a failure under CI."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(message: str) -> None:
    """Skip the test; under CI=true fail it instead (there everything must run)."""
    if IN_CI:
        pytest.fail(f"{message}\n(under CI=true this must run)", pytrace=False)
    pytest.skip(message)
