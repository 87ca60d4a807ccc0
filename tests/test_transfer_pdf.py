"""The one-page transfer pack PDF: it renders, stays on one page, and its text (pdftotext) says what matters.

Reading the text back needs poppler-utils (pdftotext, pdfinfo): the read_pdf fixture (tests/support/pdf_text.py)
skips these tests without pdftotext, and under CI=true fails them instead.
"""

from __future__ import annotations

import re
from datetime import timedelta

from client.reports.transfer_pdf import transfer_pack_pdf
from domain.residents import Medicine, Resident
from tests.support.pdf_text import flat
from tests.test_fhir_bundle import HOME, MARGARET, T0, transfer


def test_the_pack_names_the_resident_reason_news2_and_medicines(read_pdf):
    sent = transfer()
    pdf = transfer_pack_pdf(HOME, MARGARET, sent, prepared_by="alice", now=T0 + timedelta(hours=1),
                            home_phone="0161 496 0000")
    text = flat(read_pdf(pdf, layout=False))
    assert "SMITH, Margaret" in text
    assert "943 476 5919" in text
    assert "Short of breath and new confusion since this morning" in text
    assert re.search(r"NEWS2 10\b", text) and "High risk" in text
    for medicine in MARGARET.medicines:
        assert medicine.name in text
    assert "Penicillin" in text and "DNACPR in place" in text
    assert "Wythenshawe Hospital" in text and "0161 496 0000" in text
    assert "Ann Smith" in text and "Manor Surgery" in text
    assert "Generated offline by Care Home Connect" in text


def test_long_lists_stay_on_one_page_with_and_n_more(read_pdf):
    medicines = [Medicine(name=f"Medicine number {i} 10 mg tablets", dose="10 mg", frequency="Once a day")
                 for i in range(40)]
    long_text = "Very long text that goes on and on. " * 50
    resident = Resident.model_validate({
        **MARGARET.model_dump(), "medicines": [m.model_dump() for m in medicines],
        "conditions": [f"Condition {i}" for i in range(30)],
        "about_me": {"communication": long_text, "mobility": long_text, "sensory_aids": long_text},
    })
    sent = transfer(resident)
    sent = sent.model_copy(update={"sbard": sent.sbard.model_copy(update={
        "situation": long_text, "background": long_text, "assessment": long_text, "recommendation": long_text,
        "decision": long_text})})
    text = flat(read_pdf(transfer_pack_pdf(HOME, resident, sent, prepared_by="alice", now=T0), layout=False))
    assert re.search(r"and \d+ more", text)
    assert "SMITH, Margaret" in text and "NEWS2 10" in text


def test_typographic_characters_print_as_typed(read_pdf):
    resident = Resident.model_validate({**MARGARET.model_dump(), "given_name": "Zoë"})
    sent = transfer(resident)
    sent = sent.model_copy(update={"reason": "Fall – lost £20 purse; pain ≥ 7 of 10 in the resident’s hip"})
    text = read_pdf(transfer_pack_pdf(HOME, resident, sent, prepared_by="zoë", now=T0))

    assert "SMITH, Zoë" in text
    assert "Fall – lost £20 purse; pain ≥ 7 of 10 in the resident’s hip" in text
