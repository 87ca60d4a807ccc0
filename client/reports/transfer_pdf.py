"""A one-page printable transfer pack for the ambulance crew and the receiving hospital (the paper red bag form).

``transfer_pack_pdf`` turns the home, the resident and the transfer into the
bytes of one A4 page: who the resident is (name, date of birth and age, NHS
number), the home, where they are going and why, soft signs, the observations
with the NEWS2 score and risk (large), the SBARD handover, allergies and
DNACPR / ReSPECT status (in boxes, prominent), medicines, "About me"
essentials (communication, mobility, sensory aids), belongings sent, next of
kin and GP.

Made on the device, offline (design), on ``client.reports.pdf_document``'s
set-up (DejaVu Sans embedded, text cleaned and cut to fit): texts are cut to
a few lines ("..."); lists (medicines, conditions) are cut with "and N more",
and the page is laid out again with shorter lists until it fits on one page. The PDF's creation date is
``now``, so the same inputs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from client.reports.checks import check_transfer_of
from client.reports.pdf_document import BLACK, FOOTER, GREY, RULE, Colour, Document, on_one_page
from domain.homes import CareHome
from domain.news2 import PARAMETER_LABELS, ClinicalRisk
from domain.residents import Dnacpr, Resident
from domain.transfer import SBARD_LABELS, Transfer
from domain.uk_time import uk_day_and_time

MAX_MEDICINES = 14  # listed at most, before "and N more"
MAX_CONDITIONS = 8

_MARGIN_X, _MARGIN_TOP = 12.0, 10.0
_CONTENT_BOTTOM = 16.0
_FOOTER_FROM_BOTTOM = 11.0
_ALERT_TINT = (248, 218, 214)
_CALM_TINT = (228, 236, 244)
_RISK_TINT = {
    ClinicalRisk.LOW: (220, 238, 214),
    ClinicalRisk.LOW_MEDIUM: (252, 234, 196),
    ClinicalRisk.MEDIUM: (250, 214, 170),
    ClinicalRisk.HIGH: (244, 190, 184),
}


def transfer_pack_pdf(home: CareHome, resident: Resident, transfer: Transfer, *, prepared_by: str, now: datetime,
                      home_phone: str | None = None) -> bytes:
    """The transfer pack on one A4 page (PDF bytes). ``now`` dates the page (and ages the resident);
    ``home_phone`` is printed with the home when given (``CareHome`` has no phone number)."""
    check_transfer_of(home, resident, transfer)
    return on_one_page(lambda limits: _render(home, resident, transfer, prepared_by, now, home_phone, limits),
                       _Limits(medicines=MAX_MEDICINES, conditions=MAX_CONDITIONS, text_lines=4), _Limits.shorter,
                       f"transfer pack {transfer.record_id}")


@dataclass(frozen=True)
class _Limits:
    medicines: int
    conditions: int
    text_lines: int  # per SBARD part and other free texts

    def shorter(self) -> _Limits | None:
        """Free texts first (down to 2 lines), then the medicines list, then texts to 1 line, then conditions;
        None when all are as short as they go."""
        if self.medicines <= 3 and self.conditions <= 2 and self.text_lines <= 1:
            return None
        if self.text_lines > 2:
            return _Limits(self.medicines, self.conditions, self.text_lines - 1)
        if self.medicines > 3:
            return _Limits(self.medicines - 1, self.conditions, self.text_lines)
        if self.text_lines > 1:
            return _Limits(self.medicines, self.conditions, self.text_lines - 1)
        return _Limits(self.medicines, max(2, self.conditions - 1), self.text_lines)


def _listed(items: Sequence[str], limit: int) -> list[str]:
    """``items`` up to ``limit`` lines, the last saying "and N more" when some are left out."""
    if len(items) <= limit:
        return list(items)
    shown = items[:max(limit - 1, 0)]
    return [*shown, f"and {len(items) - len(shown)} more"]


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"


# --- drawing ---------------------------------------------------------------------------------------------------


class _Page(Document):
    """The pack's page: texts, labelled lines, headings and boxes on the shared document set-up."""

    def __init__(self, title: str, author: str, now: datetime):
        super().__init__(title=title, author=author, created=now, margin_x=_MARGIN_X, margin_top=_MARGIN_TOP,
                         bottom=_CONTENT_BOTTOM)

    def text(self, text: str, *, size: float = 8.5, line: float = 3.9, max_lines: int = 1, bold: bool = False,
             color: Colour = BLACK, x: float | None = None, width: float | None = None) -> None:
        pdf = self.pdf
        x = pdf.l_margin if x is None else x
        width = pdf.w - pdf.r_margin - x if width is None else width
        self.font(size, bold, color)
        pdf.set_x(x)
        pdf.multi_cell(width, line, self.fit(text, width, max_lines), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)

    def labelled(self, label: str, text: str, *, max_lines: int = 1, size: float = 8.5, line: float = 3.9,
                 x: float | None = None, width: float | None = None, label_width: float = 33.0) -> None:
        pdf = self.pdf
        x = pdf.l_margin if x is None else x
        width = pdf.w - pdf.r_margin - x if width is None else width
        y = pdf.y
        self.font(size, bold=True)
        pdf.set_xy(x, y)
        pdf.cell(label_width, line, self.fit(label, label_width - 1, 1))
        pdf.set_xy(x + label_width, y)
        self.text(text or "-", size=size, line=line, max_lines=max_lines, x=x + label_width,
                  width=width - label_width)

    def heading(self, text: str, *, x: float | None = None, width: float | None = None) -> None:
        pdf = self.pdf
        pdf.ln(1.2)
        x = pdf.l_margin if x is None else x
        width = pdf.w - pdf.r_margin - x if width is None else width
        self.text(text.upper(), size=9, line=4.6, bold=True, x=x, width=width)
        pdf.set_draw_color(*RULE)
        pdf.line(x, pdf.y, x + width, pdf.y)
        pdf.ln(0.8)

    def box(self, x: float, y: float, width: float, height: float, tint: Colour,
            title: str, body: Callable[[float, float], None]) -> None:
        pdf = self.pdf
        pdf.set_fill_color(*tint)
        pdf.set_draw_color(*GREY)
        pdf.rect(x, y, width, height, style="DF")
        pdf.set_xy(x + 2.5, y + 1.5)
        self.text(title, size=8, line=4, bold=True, color=GREY, x=x + 2.5, width=width - 5)
        body(x + 2.5, width - 5)
        pdf.set_fill_color(255, 255, 255)


def _render(home: CareHome, resident: Resident, transfer: Transfer, prepared_by: str, now: datetime,
            home_phone: str | None, limits: _Limits) -> FPDF:
    page = _Page(f"Hospital transfer - {resident.display_name}", prepared_by, now)
    pdf = page.pdf
    full = pdf.epw
    obs, score = transfer.observations, transfer.news2

    # Who, from where, to where.
    page.text("HOSPITAL TRANSFER PACK (RED BAG)", size=8.5, line=4, bold=True, color=GREY)
    page.text(f"{resident.family_name.upper()}, {resident.given_name}", size=18, line=8, bold=True)
    page.text(f"Born {_day(datetime.combine(resident.date_of_birth, datetime.min.time()))} "
              f"(aged {resident.age_on(now.date())})    NHS number {resident.nhs_number_text}", size=11, line=5.5,
              bold=True)
    home_line = f"From {home.name}, {', '.join(p for p in (home.address, home.postcode) if p)}"
    if home_phone:
        home_line += f". Phone {home_phone}"
    page.text(home_line, size=9, line=4.3, max_lines=2)
    hospital = transfer.destination_hospital
    to = hospital.name + (f" ({hospital.ods_code})" if hospital and hospital.ods_code else "") if hospital else "-"
    page.text(f"To {to}", size=9, line=4.3, bold=True)
    when = transfer.sent_at or now
    page.text(f"Prepared by {prepared_by}, {uk_day_and_time(now)}. Status: {transfer.status.label}"
              + (f", sent {uk_day_and_time(when)}" if transfer.sent_at else ""), size=8, line=4, color=GREY)
    pdf.ln(1.5)

    # Allergies and resuscitation: prominent, side by side.
    gap = 4.0
    half = (full - gap) / 2
    top, height = pdf.y, 22.0
    allergy_alert = bool(resident.allergies) or not resident.allergies_recorded
    page.box(pdf.l_margin, top, half, height, _ALERT_TINT if allergy_alert else _CALM_TINT, "ALLERGIES",
             lambda x, w: page.text(resident.allergies_text, size=10.5, line=4.8, max_lines=3, bold=True, x=x,
                                    width=w))
    resus = resident.resuscitation
    resus_alert = resus.dnacpr is Dnacpr.IN_PLACE or resus.respect_form

    def resus_body(x: float, w: float) -> None:
        page.text(resus.dnacpr.label, size=10.5, line=4.8, bold=True, x=x, width=w)
        page.text(f"ReSPECT form: {resus.respect_summary}" if resus.respect_form else "No ReSPECT form",
                  size=8.5, line=3.9, max_lines=2, x=x, width=w)

    page.box(pdf.l_margin + half + gap, top, half, height, _ALERT_TINT if resus_alert else _CALM_TINT,
             "DNACPR / RESPECT", resus_body)
    pdf.set_xy(pdf.l_margin, top + height + 1.5)

    # Reason and soft signs.
    page.heading("Reason for transfer")
    page.text(transfer.reason, size=9.5, line=4.4, max_lines=limits.text_lines, bold=True)
    page.labelled("Soft signs", transfer.soft_signs_text, max_lines=2)
    if transfer.actions_taken:
        page.labelled("Actions taken", transfer.actions_taken, max_lines=2)

    # Observations and NEWS2 (large).
    page.heading("Observations and NEWS2")
    if obs is None or score is None:
        # Not taken (the ambulance would not wait): said plainly, never a reason to hold the pack back.
        page.text("NEWS2 not calculated", size=16, line=8, bold=True)
        page.labelled("Observations not taken", transfer.observations_not_taken_reason, max_lines=2)
    else:
        top = pdf.y
        news_width, news_height = 62.0, 33.0

        def news_body(x: float, w: float) -> None:
            page.text(f"NEWS2 {score.total}", size=22, line=11, bold=True, x=x, width=w)
            page.text(f"{score.risk.label} risk", size=12, line=5.5, bold=True, x=x, width=w)
            page.text(score.response, size=8, line=3.6, max_lines=2, x=x, width=w)

        page.box(pdf.l_margin, top, news_width, news_height, _RISK_TINT[score.risk], "NEWS2 SCORE", news_body)
        oxygen = "Oxygen" if obs.on_oxygen else "Air"
        values = {
            "respiration_rate": f"{obs.respiration_rate} /min",
            "spo2": f"{obs.spo2} % (scale {transfer.spo2_scale})",
            "air_or_oxygen": oxygen,
            "systolic_bp": f"{obs.systolic_bp} mmHg",
            "pulse": f"{obs.pulse} /min",
            "consciousness": f"{obs.consciousness.letter} - {obs.consciousness.label}",
            "temperature": f"{obs.temperature} °C",
        }
        x0 = pdf.l_margin + news_width + gap
        columns = (48.0, 48.0, 14.0)
        pdf.set_xy(x0, top)
        page.font(8, bold=True, color=GREY)
        for text, width in zip(("Observation", "Value", "Score"), columns, strict=True):
            pdf.cell(width, 4, text)
        row_y = top + 4.2
        for name, label in PARAMETER_LABELS.items():
            pdf.set_xy(x0, row_y)
            points = score.parameters[name]
            page.font(8.5)
            pdf.cell(columns[0], 4, page.clean(label))
            page.font(8.5, bold=True)
            pdf.cell(columns[1], 4, page.clean(values[name]))
            page.font(8.5, bold=points >= 3)
            pdf.cell(columns[2], 4, str(points))
            row_y += 4.1
        taken = obs.taken_at
        if taken:
            pdf.set_xy(x0, row_y)
            page.font(8, color=GREY)
            pdf.cell(sum(columns), 4, page.clean(f"Taken {uk_day_and_time(taken)}"))
            row_y += 4.1
        pdf.set_xy(pdf.l_margin, max(top + news_height, row_y) + 1)

    # SBARD.
    page.heading("SBARD handover")
    sbard = transfer.sbard
    for name, label in SBARD_LABELS.items():
        page.labelled(label, getattr(sbard, name), max_lines=limits.text_lines)

    # Medicines (left) and conditions, about me (right).
    page.heading("Medicines (MAR chart)")
    medicines = _listed([m.text for m in resident.medicines], limits.medicines) or ["None recorded"]
    for text in medicines:
        page.text(f"- {text}", size=8.5, line=3.9)
    page.labelled("Conditions", "; ".join(_listed(list(resident.conditions), limits.conditions)) or "None recorded",
                  max_lines=2)

    page.heading("About me")
    about = resident.about_me
    page.labelled("Communication", about.communication, max_lines=2)
    page.labelled("Mobility", about.mobility, max_lines=2)
    page.labelled("Sensory aids", about.sensory_aids, max_lines=1)

    page.heading("Belongings, contacts")
    page.labelled("Belongings sent", ", ".join(i.label for i in transfer.belongings.sent) or "None recorded")
    kin = resident.next_of_kin
    page.labelled("Next of kin", f"{kin.name} ({kin.relationship}), {kin.phone}" if kin else "Not recorded")
    gp = resident.gp_practice
    page.labelled("GP", gp.name + (f" ({gp.ods_code})" if gp.ods_code else "") if gp else "Not recorded")

    page.footer(f"{FOOTER}. Special category personal data: share only with the receiving hospital.",
                _FOOTER_FROM_BOTTOM)
    return pdf
