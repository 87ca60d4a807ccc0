"""A one-page PDF summary of a home's digital readiness, for a champion to leave with the manager.

``readiness_summary_pdf`` turns the home and its checklist records into the
bytes of one A4 page: the home, the Digital Maturity band and what the next
band needs (``domain.maturity``), the checklist with who changed each item and
when, WiFi coverage per location, and the NHSmail step with what to do next
(``domain.nhsmail``).

Made on the device, offline (design), on ``client.reports.pdf_document``'s
set-up (DejaVu Sans embedded, text cleaned and cut to fit):

* **One page.** Every text is cut to a fixed number of lines (ending "...").
  WiFi locations are listed worst first; when they do not all fit, the last
  row says "and N more" with their coverage counts. The page is laid out
  again with fewer locations until it fits on one page.
* **Deterministic.** The PDF's creation date is midnight UTC on ``today`` and
  its file identifier derives from the content, so the same inputs give the
  same bytes (for a given fpdf2 version and font file).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from fpdf.table import Table

from client.reports.checks import check_one_home
from client.reports.numbers import mbps as _mbps
from client.reports.numbers import ms as _ms
from client.reports.pdf_document import BLACK, FOOTER, GREY, Colour, Document, on_one_page
from domain.homes import CareHome
from domain.maturity import Band, Missing, band, facts_from_checklist, what_next
from domain.nhsmail import STEP_NUMBERS, NhsmailProgress, Step, what_to_do
from domain.nhsmail import start as start_nhsmail
from domain.readiness import (
    CHECKLIST_LABELS,
    Broadband,
    ChecklistItem,
    Coverage,
    DeviceKind,
    DeviceProvision,
    DigitalSocialCareRecord,
    DsptStatus,
    GpRecordAccess,
    LocationCoverage,
    WifiSurveyResult,
    laptops_and_tablets,
    location_key,
    summarise_wifi,
)
from domain.uk_time import uk_day_and_time

MAX_WIFI_ROWS = 14  # locations listed at most, before "and N more"

# Layout (mm, A4 portrait).
_MARGIN_X, _MARGIN_TOP = 14.0, 12.0
_CONTENT_BOTTOM = 18.0  # space kept free for the footer
_FOOTER_FROM_BOTTOM = 12.0
_PAD_X, _PAD_Y = 1.6, 0.7
_LINE = 4.0  # table line height
_COLUMNS = (48.0, 82.0, 52.0)  # item, status, last changed (sum: the 182 mm between the margins)
_INDENT = 4.0  # WiFi location rows, under the WiFi row
_BAND_TINT = {
    Band.MINIMUM: (246, 221, 218),
    Band.CORE: (252, 234, 196),
    Band.ENHANCED: (220, 238, 214),
    Band.ENHANCED_PLUS: (196, 228, 200),
}
_COVERAGE_ORDER = {Coverage.NONE: 0, Coverage.POOR: 1, Coverage.GOOD: 2, Coverage.NOT_SURVEYED: 3}
_LAST_STEP = max(int(n) for n in STEP_NUMBERS.values() if n)


def readiness_summary_pdf(
    home: CareHome,
    *,
    broadband: Broadband | None,
    dspt: DsptStatus | None,
    gp: GpRecordAccess | None,
    dscr: DigitalSocialCareRecord | None,
    devices: Iterable[DeviceProvision],
    wifi_results: Iterable[WifiSurveyResult],
    nhsmail: NhsmailProgress | None,
    prepared_by: str,
    today: date,
    now: datetime | None = None,
) -> bytes:
    """The home's readiness on one A4 page (PDF bytes).

    ``None`` for an item means nothing is recorded yet; ``nhsmail`` None means
    the registration has not started. ``today`` dates the page, decides whether
    a DSPT publication has expired and fixes the PDF's creation date.
    ``now`` (default: noon UTC on ``today``) is the clock the NHSmail advice
    uses (a reply overdue after 48 hours, a login deadline close).
    """
    devices, wifi_results = list(devices), list(wifi_results)
    check_one_home(home, [broadband, dspt, gp, dscr, nhsmail, *devices, *wifi_results])
    content = _content(home, broadband=broadband, dspt=dspt, gp=gp, dscr=dscr, devices=devices,
                       wifi_results=wifi_results, nhsmail=nhsmail, prepared_by=prepared_by, today=today,
                       now=now or datetime.combine(today, time(12), timezone.utc))
    return on_one_page(lambda rows: _render(content, rows), min(len(content.wifi_locations), MAX_WIFI_ROWS),
                       lambda rows: rows - 1 if rows else None,  # too long for one page: list one location fewer
                       f"readiness summary of {home.id}")


# --- what the page says (plain text, before any font) --------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    item: str
    status: str
    changed: str
    location: bool = False  # a WiFi location under the WiFi row


@dataclass(frozen=True)
class _Content:
    title: str
    address: str
    ids: str
    prepared: str
    prepared_by: str
    band: Band
    missing: tuple[Missing, ...]
    rows_before_wifi: tuple[_Row, ...]
    wifi_row: _Row
    wifi_locations: tuple[_Row, ...]
    wifi_coverages: tuple[Coverage, ...]  # of wifi_locations, for "and N more"
    rows_after_wifi: tuple[_Row, ...]
    nhsmail_step: str
    nhsmail_next: str
    nhsmail_details: str
    footer: str
    today: date


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _moment(moment: datetime) -> str:
    return uk_day_and_time(moment)  # the UK wall clock, as every time a person reads


def _changed(record: object | None) -> str:
    """'alice, 3 May 2025 09:12', or '-' when nobody is recorded."""
    by, at = getattr(record, "changed_by", None), getattr(record, "changed_at", None)
    if by is None or at is None:
        return "-"
    return f"{by}, {_moment(at)}"


def _latest_changed(records: Iterable[object]) -> str:
    stamped = [r for r in records if getattr(r, "changed_by", None) and getattr(r, "changed_at", None)]
    return _changed(max(stamped, key=lambda r: r.changed_at)) if stamped else "-"  # type: ignore[attr-defined]


def _natural(location: str) -> tuple[tuple[int, str], ...]:
    """Sort key: 'Room 9' before 'Room 10', ignoring case and spacing."""
    return tuple((int(part), "") if part.isdigit() else (-1, part)
                 for part in re.split(r"(\d+)", location_key(location)) if part)


def _broadband_text(broadband: Broadband | None) -> str:
    if broadband is None:
        return "Not recorded"
    if broadband.no_broadband:
        return "No broadband contract"
    assert broadband.contracted_down_mbps is not None
    speed = f"{_mbps(broadband.contracted_down_mbps)} Mbps down"
    if broadband.contracted_up_mbps is not None:
        speed += f", {_mbps(broadband.contracted_up_mbps)} Mbps up"
    return f"{broadband.provider}, {speed} (contracted)"


def _devices_text(devices: Sequence[DeviceProvision]) -> str:
    if not devices:
        return "None recorded"
    counts = Counter[DeviceKind]()
    for device in devices:
        counts[device.kind] += device.count
    parts = []
    for kind, one, many in ((DeviceKind.LAPTOP, "laptop", "laptops"), (DeviceKind.TABLET, "tablet", "tablets"),
                            (DeviceKind.OTHER, "other device", "other devices")):
        if counts[kind]:
            parts.append(f"{counts[kind]} {one if counts[kind] == 1 else many}")
    total = laptops_and_tablets(devices)
    latest = max(devices, key=lambda d: d.provided_on)
    return (f"{total} {'laptop or tablet' if total == 1 else 'laptops or tablets'} ({', '.join(parts)}); "
            f"latest delivered {_day(latest.provided_on)}")


def _dspt_text(dspt: DsptStatus | None, today: date) -> str:
    if dspt is None:
        return "Not recorded (counts as Not Published)"
    text = dspt.text
    if dspt.published_on is not None:
        text += f", published {_day(dspt.published_on)}"
    expires = dspt.expires_on
    if expires is not None:
        if dspt.effective_on(today) is not dspt.status:
            text += f"; expired {_day(expires)}, so it counts as Not Published"
        else:
            text += f"; counts until {_day(expires)}"
    return text


def _gp_text(gp: GpRecordAccess | None) -> str:
    if gp is None:
        return "Not recorded (counts as No)"
    text = gp.access.label
    if gp.system is not None:
        text += f" - {gp.system.label}"
    if gp.note:
        text += f" ({gp.note})"
    return text


def _dscr_text(dscr: DigitalSocialCareRecord | None) -> str:
    if dscr is None:
        return "Not recorded"
    if not dscr.in_use:
        return "Not in use"
    return f"In use - {dscr.supplier}" if dscr.supplier else "In use"


def _location_row(loc: LocationCoverage) -> _Row:
    result = loc.latest
    if loc.coverage is Coverage.NONE:
        status = "No connection"
    else:
        status = (f"{loc.coverage.label}: {_mbps(result.download_mbps or 0)} Mbps down, "
                  f"{_mbps(result.upload_mbps or 0)} up, {_ms(result.latency_ms or 0)} ms")
    if not loc.area.is_care:
        status += " (not a care area)"
    changed = _changed(result)
    if changed == "-":
        changed = f"measured {_moment(result.measured_at)}"
    return _Row(loc.location, status, changed, location=True)


def _nhsmail_texts(nhsmail: NhsmailProgress | None, home: CareHome, now: datetime) -> tuple[str, str, str, str]:
    """(checklist status, step line, what to do, details)."""
    progress = nhsmail if nhsmail is not None else start_nhsmail(home.id)
    step = progress.step
    if step is Step.IN_USE:
        return ("Live (in use)", "NHSmail in use: every step done",
                "Nothing to register. Keep every user's account active (log in regularly).",
                f"Shared mailbox: {progress.shared_mailbox}" if progress.shared_mailbox else "")
    step_line = f"Step {step.number} of {_LAST_STEP}: {step.label}"
    if nhsmail is None:
        step_line = f"Not started - {step_line}"
    status = "Not started" if nhsmail is None else f"Not yet: at step {step.number} of {_LAST_STEP} (see below)"
    details = []
    if progress.shared_mailbox:
        details.append(f"Shared mailbox: {progress.shared_mailbox}")
    if progress.users:
        details.append(f"{len(progress.users)} named users")
    if nhsmail is not None and _changed(nhsmail) != "-":
        details.append(f"last changed by {_changed(nhsmail)}")
    advice = what_to_do(progress, now)
    return status, step_line, advice.removeprefix("Next: "), "; ".join(details)


def _content(home: CareHome, *, broadband: Broadband | None, dspt: DsptStatus | None, gp: GpRecordAccess | None,
             dscr: DigitalSocialCareRecord | None, devices: list[DeviceProvision],
             wifi_results: list[WifiSurveyResult], nhsmail: NhsmailProgress | None, prepared_by: str,
             today: date, now: datetime) -> _Content:
    facts = facts_from_checklist(broadband=broadband, wifi_results=wifi_results, devices=devices, dspt=dspt, gp=gp,
                                 dscr=dscr, nhsmail=nhsmail, today=today)
    wifi = summarise_wifi(wifi_results)
    locations = sorted(wifi.locations, key=lambda loc: (not loc.area.is_care, _COVERAGE_ORDER[loc.coverage],
                                                        _natural(loc.location)))
    nhsmail_status, step_line, next_text, details = _nhsmail_texts(nhsmail, home, now)

    place = home.address if home.postcode in home.address else f"{home.address}, {home.postcode}"
    area = " | ".join(p for p in (home.local_authority, home.icb) if p)
    ods = home.ods_code or (nhsmail.ods_code if nhsmail is not None else None) or "not recorded"
    label = CHECKLIST_LABELS
    return _Content(
        title=f"Digital readiness - {home.name}",
        address=f"{place} | {area}" if area else place,
        ids=f"CQC location ID: {home.cqc_location_id} | ODS code: {ods}",
        prepared=f"Prepared by {prepared_by} on {_day(today)}" if prepared_by.strip() else f"Prepared on {_day(today)}",
        prepared_by=prepared_by,
        band=band(facts),
        missing=tuple(what_next(facts)),
        rows_before_wifi=(
            _Row(label[ChecklistItem.BROADBAND], _broadband_text(broadband), _changed(broadband)),
        ),
        wifi_row=_Row(label[ChecklistItem.WIFI], wifi.text, _latest_changed(wifi_results)),
        wifi_locations=tuple(_location_row(loc) for loc in locations),
        wifi_coverages=tuple(loc.coverage for loc in locations),
        rows_after_wifi=(
            _Row("Laptops and tablets", _devices_text(devices), _latest_changed(devices)),
            _Row("DSPT", _dspt_text(dspt, today), _changed(dspt)),
            _Row(label[ChecklistItem.GP_RECORD_ACCESS], _gp_text(gp), _changed(gp)),
            _Row(label[ChecklistItem.DSCR], _dscr_text(dscr), _changed(dscr)),
            _Row(label[ChecklistItem.NHSMAIL], nhsmail_status, _changed(nhsmail)),
        ),
        nhsmail_step=step_line,
        nhsmail_next=next_text,
        nhsmail_details=details,
        footer=f"{FOOTER} on {_day(today)}. Bands: see the Digital Maturity rules in the app.",
        today=today,
    )


# --- drawing --------------------------------------------------------------------------------------------------


class _Page(Document):
    """The summary's page: paragraphs and headings on the shared document set-up."""

    def __init__(self, content: _Content):
        super().__init__(title=content.title, author=content.prepared_by,
                         created=datetime.combine(content.today, time(), timezone.utc),
                         margin_x=_MARGIN_X, margin_top=_MARGIN_TOP, bottom=_CONTENT_BOTTOM)

    def paragraph(self, text: str, *, size: float, line: float, max_lines: int = 1, bold: bool = False,
                  color: Colour = BLACK, indent: float = 0.0) -> None:
        self.font(size, bold, color)
        width = self.pdf.epw - indent
        self.pdf.set_x(self.pdf.l_margin + indent)
        self.pdf.multi_cell(width, line, self.fit(text, width, max_lines), align="L", new_x=XPos.LMARGIN,
                            new_y=YPos.NEXT)

    def heading(self, text: str) -> None:
        self.pdf.ln(2.5)
        self.paragraph(text, size=11.5, line=6, bold=True)


def _render(content: _Content, wifi_rows: int) -> FPDF:
    page = _Page(content)
    pdf = page.pdf

    # The home.
    page.paragraph(content.title, size=17, line=7.5, max_lines=2, bold=True)
    pdf.ln(0.5)
    page.paragraph(content.address, size=9.5, line=4.8, max_lines=2)
    page.paragraph(content.ids, size=9.5, line=4.8)
    page.paragraph(content.prepared, size=9.5, line=4.8, color=GREY)
    pdf.ln(3)

    # The band, and what the next one needs.
    _band_box(page, content.band)
    following = content.band.next
    if following is None:
        page.heading(f"{content.band.label} is the highest band")
        page.paragraph("Keep the DSPT published every year and the checklist up to date.", size=9, line=4.4)
    else:
        page.heading(f"To reach {following.label}:")
        for missing in content.missing:
            page.paragraph(f"- {missing.label}", size=9, line=4.4, bold=True, indent=1)
            page.paragraph(missing.reason, size=8.5, line=4, max_lines=2, color=GREY, indent=4)

    # The checklist.
    page.heading("Readiness checklist")
    _checklist(page, content, wifi_rows)

    # NHSmail.
    page.heading("NHSmail registration")
    page.paragraph(content.nhsmail_step, size=10, line=5, max_lines=2, bold=True)
    page.paragraph(f"What to do next: {content.nhsmail_next}", size=9, line=4.4, max_lines=4)
    if content.nhsmail_details:
        page.paragraph(content.nhsmail_details, size=8.5, line=4.2, color=GREY)

    page.footer(content.footer, _FOOTER_FROM_BOTTOM)
    return pdf


def _band_box(page: _Page, current: Band) -> None:
    pdf = page.pdf
    x, y, height = pdf.l_margin, pdf.y, 17.0
    pdf.set_fill_color(*_BAND_TINT[current])
    pdf.rect(x, y, pdf.epw, height, style="F")
    pdf.set_xy(x + 4, y + 2)
    page.font(8.5, color=GREY)
    pdf.cell(80, 4, "Digital Maturity band")
    pdf.set_xy(x + 4, y + 6.5)
    page.font(22, bold=True)
    pdf.cell(90, 9, current.label)
    # The ladder of bands on the right, this one in bold.
    ladder = list(Band)
    page.font(9)
    widths = []
    for step in ladder:
        page.font(9, bold=step is current)
        widths.append(pdf.get_string_width(step.label))
    separator = "  >  "
    page.font(9)
    total = sum(widths) + pdf.get_string_width(separator) * (len(ladder) - 1)
    pdf.set_xy(x + pdf.epw - 4 - total, y + 9)
    for index, (step, width) in enumerate(zip(ladder, widths, strict=True)):
        if index:
            page.font(9, color=GREY)
            pdf.cell(pdf.get_string_width(separator), 5, separator)
        page.font(9, bold=step is current, color=BLACK if step is current else GREY)
        pdf.cell(width, 5, step.label)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_xy(x, y + height + 1)


def _checklist(page: _Page, content: _Content, wifi_rows: int) -> None:
    pdf = page.pdf
    shown = content.wifi_locations[:wifi_rows]
    hidden = content.wifi_coverages[wifi_rows:]
    rows = [*content.rows_before_wifi, content.wifi_row, *shown]
    if hidden:
        counts = Counter(hidden)
        summary = ", ".join(f"{counts[c]} {c.label.lower()}" for c in sorted(counts, key=_COVERAGE_ORDER.get))
        more = "more location" if len(hidden) == 1 else "more locations"
        rows.append(_Row(f"and {len(hidden)} {more}", summary, "", location=True))
    rows.extend(content.rows_after_wifi)

    page.font(8.5)
    heading_style = FontFace(emphasis="BOLD", size_pt=8.5, fill_color=(232, 232, 232))
    with pdf.table(col_widths=_COLUMNS, width=sum(_COLUMNS), line_height=_LINE, padding=(_PAD_Y, _PAD_X),
                   text_align="LEFT", v_align="TOP", borders_layout="HORIZONTAL_LINES",
                   headings_style=heading_style) as table:
        header = table.row()
        for text in ("Item", "Status", "Last changed (by, when)"):
            header.cell(page.clean(text))
        for row in rows:
            _table_row(page, table, row)


def _table_row(page: _Page, table: Table, row: _Row) -> None:
    size = 8 if row.location else 8.5
    color = GREY if row.location else BLACK
    left = _PAD_X + (_INDENT if row.location else 0)
    cells = table.row()
    style = FontFace(emphasis="" if row.location else "BOLD", size_pt=size, color=color)
    plain = FontFace(emphasis="", size_pt=size, color=color)
    page.font(size, bold=not row.location)
    cells.cell(page.fit(row.item, _COLUMNS[0], 1 if row.location else 2, (left, _PAD_X)), style=style,
               padding=(_PAD_Y, _PAD_X, _PAD_Y, left))
    page.font(size)
    cells.cell(page.fit(row.status, _COLUMNS[1], 1 if row.location else 3, (_PAD_X, _PAD_X)), style=plain)
    cells.cell(page.fit(row.changed, _COLUMNS[2], 1 if row.location else 2, (_PAD_X, _PAD_X)), style=plain)
