"""The hospitals a home sends residents to: chosen from a list (with search), never typed as an ODS code.

Acute hospitals with an emergency department around Trafford and Greater
Manchester (the demo homes' area). Wythenshawe's ODS site code is the one the
demo data uses; the other sites' codes are left empty until checked against
the NHS Organisation Data Service (an empty code is allowed on the pack).
"""

from __future__ import annotations

from domain.residents import Organisation

HOSPITALS: tuple[Organisation, ...] = (
    Organisation(name="Wythenshawe Hospital", ods_code="R0A07"),
    Organisation(name="Manchester Royal Infirmary"),
    Organisation(name="North Manchester General Hospital"),
    Organisation(name="Trafford General Hospital"),
    Organisation(name="Salford Royal Hospital"),
    Organisation(name="Stepping Hill Hospital"),
    Organisation(name="Tameside General Hospital"),
    Organisation(name="Royal Oldham Hospital"),
    Organisation(name="Royal Bolton Hospital"),
    Organisation(name="Fairfield General Hospital"),
    Organisation(name="Royal Albert Edward Infirmary"),
    Organisation(name="Macclesfield District General Hospital"),
    Organisation(name="Warrington Hospital"),
)
DEFAULT_HOSPITAL = HOSPITALS[0]


def search_hospitals(query: str, hospitals: tuple[Organisation, ...] = HOSPITALS) -> list[Organisation]:
    """Hospitals whose name (or ODS code) holds every word typed, in list order; all of them for no words."""
    words = query.casefold().split()
    return [h for h in hospitals
            if all(w in f"{h.name} {h.ods_code or ''}".casefold() for w in words)]


def hospital_named(name: str) -> Organisation | None:
    return next((h for h in HOSPITALS if h.name == name), None)
