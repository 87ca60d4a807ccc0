"""Where the device keeps its data."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DB_FILENAME = "carehome-connect.sqlite3"
REPORTS_DIR = "reports"  # PDFs and FHIR documents made on the device, beside the database


def default_data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """An explicit override, else Flet's app storage (set on packaged apps), else the per-user data dir."""
    if override:
        return Path(override)
    flet_dir = os.environ.get("FLET_APP_STORAGE_DATA")
    if flet_dir:
        return Path(flet_dir)
    return Path(platformdirs.user_data_dir("carehome-connect", appauthor=False))
