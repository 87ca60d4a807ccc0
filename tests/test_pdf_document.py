"""The PDF set-up both reports share: the shipped DejaVu Sans is embedded, characters are kept or replaced, text fits.

Listing a PDF's fonts needs poppler-utils (pdffonts); without it that test is skipped, under CI=true it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from client.reports import pdf_document
from client.reports.pdf_document import CORE_FONT, Document, clean_text
from client.reports.readiness_pdf import readiness_summary_pdf
from client.reports.transfer_pdf import transfer_pack_pdf
from tests.test_fhir_bundle import HOME, MARGARET, T0, transfer
from tests.test_readiness_pdf import checklist, trafford_home

IN_CI = os.environ.get("CI", "").lower() == "true"
TYPED = "Zoë’s home – £25 a week, ≥ 80 Mbps"


def document() -> Document:
    return Document(title="Test", author="zoë", created=datetime(2026, 11, 3, tzinfo=timezone.utc), margin_x=14,
                    margin_top=12, bottom=18)


def embedded_fonts(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(font name without its subset tag, "yes"/"no" embedded) for each font of the PDF, from pdffonts."""
    pdffonts = shutil.which("pdffonts")
    if pdffonts is None:
        message = "pdffonts is not installed (Debian package 'poppler-utils')"
        if IN_CI:
            pytest.fail(message + ": under CI=true the PDF tests must run", pytrace=False)
        pytest.skip(message)
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run([pdffonts, str(path)], check=True, capture_output=True, text=True, timeout=60).stdout
    fonts = []
    for line in listing.splitlines()[2:]:  # after the header and its rule
        name, *_, embedded, _subset, _unicode, _object, _generation = line.split()
        fonts.append((name.split("+")[-1], embedded))
    return fonts


@pytest.mark.parametrize("report", ["readiness", "transfer"])
def test_both_reports_embed_the_shipped_dejavu_sans(report, tmp_path):
    if report == "readiness":
        pdf = readiness_summary_pdf(trafford_home(), **checklist())
    else:
        pdf = transfer_pack_pdf(HOME, MARGARET, transfer(), prepared_by="alice", now=T0)

    assert embedded_fonts(pdf, tmp_path) == [("DejaVuSansBook", "yes"), ("DejaVuSansBold", "yes")]


def test_the_fonts_come_from_the_app_not_the_system():
    assert pdf_document.UNICODE_FONT.is_file() and pdf_document.UNICODE_FONT_BOLD.is_file()
    assert "/usr/share/fonts" not in str(pdf_document.UNICODE_FONT)
    assert document().family == "DejaVu"


def test_dejavu_keeps_typographic_characters_and_replaces_only_what_it_lacks():
    page = document()

    assert page.clean(TYPED) == TYPED
    assert page.clean("Care \u8001\u4eba\u9662 \U0001f3e0\u200b\x07 home") == "Care ??? ? home"


def test_the_core_font_fallback_turns_text_plain():
    latin1 = clean_text(TYPED, lambda char: ord(char) < 256)

    assert latin1 == "Zoë's home - £25 a week, >= 80 Mbps"


def test_missing_font_files_fall_back_to_the_core_font(monkeypatch):
    monkeypatch.setattr(pdf_document, "UNICODE_FONT", Path("/nonexistent/DejaVuSans.ttf"))

    assert document().family == CORE_FONT


def test_fit_cuts_to_the_lines_given_and_ends_on_a_word():
    page = document()
    page.font(10)
    long = "Short of breath and new confusion since this morning, " * 10

    cut = page.fit(long, 60, 2)
    assert cut.endswith("...") and long.startswith(cut.removesuffix("..."))
    assert not cut.removesuffix("...").endswith((" ", ","))
    assert page.fit("Short", 60, 1) == "Short"
