"""Reading a PDF back as text (poppler's pdftotext and pdfinfo), for the report tests.

The ``read_pdf`` fixture (tests/conftest.py) writes the bytes to the test's own
directory, checks the document is exactly one page and returns its text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.support.availability import unavailable
from tests.support.timing import scaled

TOOL_TIMEOUT_S = 10


def pdftotext_path() -> str:
    path = shutil.which("pdftotext")
    if path is None:
        unavailable("pdftotext is not installed (Debian package 'poppler-utils'; `python3 dev.py test` installs it)")
    return path


class PdfReader:
    def __init__(self, pdftotext: str, directory: Path) -> None:
        self.pdftotext = pdftotext
        self.pdfinfo = shutil.which("pdfinfo")
        self.directory = directory

    def __call__(self, pdf: bytes, *, layout: bool = True, name: str = "document.pdf") -> str:
        """The text of a one-page PDF: with ``layout`` in its columns (pdftotext -layout), else in reading order."""
        assert pdf.startswith(b"%PDF-")
        path = self.directory / name
        path.write_bytes(pdf)
        text = self._run(self.pdftotext, *(["-layout"] if layout else []), "-enc", "UTF-8", str(path), "-")
        if self.pdfinfo is not None:
            info = self._run(self.pdfinfo, str(path))
            assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info
        assert "\f" not in text.rstrip("\f"), "more than one page"
        return text

    @staticmethod
    def _run(*command: str) -> str:
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=scaled(TOOL_TIMEOUT_S)).stdout


def flat(text: str) -> str:
    """The text with its spacing squeezed, so phrases can be found whatever the column widths."""
    return " ".join(text.split())
