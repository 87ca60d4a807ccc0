"""One PDF set-up for the documents made on the device: A4, DejaVu Sans embedded, text cut to fit.

Both reports (``readiness_pdf``, ``transfer_pdf``) start from ``Document`` and
add their own drawing to it.

* **Fonts.** DejaVu Sans, regular and bold, shipped with the app as package
  data (``assets/fonts``), embedded in every PDF, so names such as
  "Café Zoë’s – Care" and signs such as "£" and "≥" print as typed on every
  platform. Only if those files are missing or damaged (a broken install) does
  it fall back to fpdf2's core Helvetica (Latin-1), with a warning.
* **Characters.** A character the font cannot show (e.g. Chinese, emoji with
  DejaVu; anything past Latin-1 with Helvetica) is replaced by a plain
  equivalent, the letter without its accent, or "?"; it never stops a report.
* **Fitting.** ``fit`` cuts a text to a number of lines at a width, ending
  "...", so each report can lay its page out again, shorter, until it fits.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from assets import BOLD_FONT, REGULAR_FONT, font_path

log = logging.getLogger(__name__)

UNICODE_FONT = font_path(REGULAR_FONT)
UNICODE_FONT_BOLD = font_path(BOLD_FONT)
CORE_FONT = "Helvetica"
FOOTER = "Generated offline by Care Home Connect"

Layout = TypeVar("Layout")
Colour = tuple[int, int, int]
BLACK: Colour = (0, 0, 0)
GREY: Colour = (90, 90, 90)
RULE: Colour = (170, 170, 170)

# Plain equivalents for characters a font lacks (tried before dropping accents, then "?"); with DejaVu Sans they
# serve only the Helvetica fallback.
_SUBSTITUTES = {
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2026": "...", "\u2022": "-", "\u00b7": "-", "\u2192": "->", "\u2264": "<=", "\u2265": ">=",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u20ac": "EUR", "\u2122": "(TM)",
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0152": "OE", "\u0153": "oe", "\u00df": "ss",
}


def clean_text(text: str, supported: Callable[[str], bool]) -> str:
    """``text`` on one line with only characters the font shows: a plain equivalent, the letter without its accent,
    or "?" for the others; control and invisible format characters are dropped."""
    out = []
    for char in " ".join(text.split()):
        if unicodedata.category(char).startswith("C"):
            continue
        if supported(char):
            out.append(char)
            continue
        substitute = _SUBSTITUTES.get(char)
        if substitute is None:
            substitute = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(substitute if substitute and all(supported(c) for c in substitute) else "?")
    return "".join(out)


class Document:
    """An A4 document of Care Home Connect's, on its first page, with its fonts and text cut to fit."""

    def __init__(self, *, title: str, author: str, created: datetime, margin_x: float, margin_top: float,
                 bottom: float) -> None:
        self.pdf, self.family, self.supported = _new_pdf()
        pdf = self.pdf
        pdf.set_creation_date(created)
        pdf.set_title(self.clean(title))
        pdf.set_author(self.clean(author))
        pdf.set_creator("Care Home Connect")
        pdf.set_lang("en-GB")
        pdf.set_margins(margin_x, margin_top, margin_x)
        pdf.set_auto_page_break(True, margin=bottom)
        pdf.c_margin = 0
        pdf.add_page()

    def clean(self, text: str) -> str:
        return clean_text(text, self.supported)

    def font(self, size: float, bold: bool = False, color: Colour = BLACK) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_text_color(*color)

    def fit(self, text: str, width: float, max_lines: int, padding: tuple[float, float] = (0, 0)) -> str:
        """``text`` cleaned and cut (ending "...") to at most ``max_lines`` lines of ``width`` in the current font;
        ``padding`` is (left, right)."""
        text = self.clean(text)

        def lines(candidate: str) -> int:
            return len(self.pdf.multi_cell(width, text=candidate, dry_run=True, output=MethodReturnValue.LINES,
                                           padding=(0, padding[1], 0, padding[0])))

        if lines(text) <= max_lines:
            return text
        low, high = 0, len(text)  # the longest prefix that fits with "..."
        while low < high:
            middle = (low + high + 1) // 2
            if lines(text[:middle].rstrip() + "...") <= max_lines:
                low = middle
            else:
                high = middle - 1
        cut = text[:low]
        space = cut.rfind(" ")
        if space > 0 and low - space < 20:  # end on a word when one is near
            cut = cut[:space]
        return cut.rstrip(" ,;:-") + "..."

    def footer(self, text: str, from_bottom: float) -> None:
        """A rule and one line of ``text`` at the foot of the first page (drawn last: the body may have run on)."""
        pdf = self.pdf
        pdf.set_auto_page_break(False)
        pdf.page = 1
        y = pdf.h - from_bottom
        pdf.set_draw_color(*RULE)
        pdf.line(pdf.l_margin, y - 1.5, pdf.w - pdf.r_margin, y - 1.5)
        pdf.set_xy(pdf.l_margin, y)
        self.font(8, color=GREY)
        pdf.cell(pdf.epw, 4, self.fit(text, pdf.epw, 1))


def on_one_page(render: Callable[[Layout], FPDF], layout: Layout, shorter: Callable[[Layout], Layout | None],
                name: str) -> bytes:
    """The PDF bytes of ``render(layout)``, laid out again with ever ``shorter`` layouts while it runs past one page,
    until it fits or nothing is left to shorten (``shorter`` gives None)."""
    while True:
        pdf = render(layout)
        following = shorter(layout)
        if pdf.pages_count == 1 or following is None:
            break
        layout = following
    if pdf.pages_count > 1:  # every text is cut to a few lines, so this needs absurd input
        log.warning("%s runs to %d pages", name, pdf.pages_count)
    return bytes(pdf.output())


def _latin1(char: str) -> bool:
    return ord(char) < 256


def _new_pdf() -> tuple[FPDF, str, Callable[[str], bool]]:
    """A PDF with DejaVu Sans (regular and bold), or with the core Helvetica if the font files cannot be used."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    try:
        pdf.add_font("DejaVu", "", str(UNICODE_FONT))
        pdf.add_font("DejaVu", "B", str(UNICODE_FONT_BOLD))
        regular, bold = pdf.fonts["dejavu"].cmap, pdf.fonts["dejavuB"].cmap  # type: ignore[union-attr]
    except Exception as exc:  # a missing or damaged font file (a broken install): the core font still works
        log.warning("cannot use %s (%s); using %s", UNICODE_FONT, exc, CORE_FONT)
        return FPDF(orientation="P", unit="mm", format="A4"), CORE_FONT, _latin1
    return pdf, "DejaVu", lambda char: ord(char) in regular and ord(char) in bold
