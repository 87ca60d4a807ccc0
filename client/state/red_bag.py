"""The digital red bag: a home's residents, one resident's record and the transfer to hospital.

UI-free, like ``ReadinessScreen``: the views show what these objects say and
forward taps; tests drive them directly. Every save validates through the
domain models (``domain.residents``, ``domain.transfer``), stamps who saved it
and when (``stamp``) and goes through ``LocalStore.save_together`` (resident
and transfer records are encrypted on the device), so a transfer can be sent
with no connection and syncs later. Actions never raise for bad input: they
return the message to show and keep it in ``message`` / ``message_is_error``.

"Send to hospital" is one save: the transfer is started and departs at once
(status ``in_hospital``), so the home sees at once who is in hospital. Then the
transfer pack PDF (``client.reports.transfer_pdf``) and its FHIR bundle are put
on the device's document shelf (``LocalStore.documents``: sealed with the
records' key), from where the view hands them to the person. A transfer's
documents are removed when it ends, here or on another device.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from client.state.records import all_readable, readable
from client.state.resident_form import ResidentForm
from client.store import Document, LocalStore
from domain.homes import CareHome
from domain.hospitals import DEFAULT_HOSPITAL, hospital_named, search_hospitals
from domain.messages import plain_words
from domain.news2 import (
    CONSCIOUSNESS_LABELS,
    OBSERVATION_FIELDS,
    Consciousness,
    News2Score,
    Observations,
    news2,
    reading_problem,
)
from domain.residents import (
    Allergy,
    BaselineObservations,
    Dnacpr,
    Organisation,
    Resident,
    Resuscitation,
    new_resident,
    resident_record_id,
    stamp,
)
from domain.transfer import (
    BelongingItem,
    Belongings,
    SoftSign,
    Transfer,
    active_transfers,
    depart,
    record_return,
    start_transfer,
)
from domain.uk_time import uk_day_and_time

PDF, FHIR_JSON = "application/pdf", "application/fhir+json"

OBSERVATION_LABELS = {f.name: f.label for f in OBSERVATION_FIELDS}
# Where -/+ starts on an empty observation: an adult's usual values.
USUAL_VALUES = {"respiration_rate": "16", "spo2": "96", "systolic_bp": "120", "pulse": "80", "temperature": "37.0"}


def parse_date(text: str) -> date:
    """'1938-04-12', '12/04/1938' or '12-04-1938' -> a date; ValueError saying how to write it."""
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if not text:
        raise ValueError("Date of birth is required: write it as DD/MM/YYYY, e.g. 12/04/1938")
    raise ValueError(f"Date of birth: write it as DD/MM/YYYY, e.g. 12/04/1938 (not {text!r})")


def _in_hospital(store: LocalStore, home_id: str) -> dict[str, Transfer]:
    """resident_id -> the transfer the resident is in hospital on."""
    return active_transfers(all_readable(Transfer, store.records("transfer", home_id)))


def _tidy_documents(store: LocalStore, home_id: str, active: dict[str, Transfer]) -> None:
    """Documents of this home's transfers that ended (here or on another device) are removed."""
    keep = {t.record_id for t in active.values()}
    for group in store.documents.groups():
        if group.startswith(f"{home_id}/transfer/") and group not in keep:
            store.documents.remove_group(group)


log = logging.getLogger(__name__)
PACK_NOT_MADE = ("Sent to hospital (saved). The transfer pack PDF could not be made: tap Transfer pack PDF to try "
                 "again")


def _when(moment: datetime | None) -> str:
    return uk_day_and_time(moment, year=False) if moment else ""


# --- the list of residents --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentRow:
    resident_id: str
    name: str
    line: str  # 'Born 12 Apr 1938 (86) - NHS 943 476 5919'
    in_hospital: bool
    status: str  # 'In hospital since 3 May 09:12 (Wythenshawe Hospital)' or 'At home'


class ResidentList:
    """A home's residents sorted by name, who is in hospital first noted on each row."""

    def __init__(self, store: LocalStore, home_id: str, now: Callable[[], datetime] | None = None) -> None:
        self.store, self.home_id = store, home_id
        self._now = now or store.server_now
        self.rows: list[ResidentRow] = []
        self.reload()

    def reload(self) -> None:
        residents = sorted(all_readable(Resident, self.store.records("resident", self.home_id)),
                           key=lambda r: (r.family_name.casefold(), r.given_name.casefold(), r.resident_id))
        active = _in_hospital(self.store, self.home_id)
        _tidy_documents(self.store, self.home_id, active)
        today = self._now().date()
        rows = []
        for r in residents:
            transfer = active.get(r.resident_id)
            status = "At home"
            if transfer is not None:
                where = f" ({transfer.destination_hospital.name})" if transfer.destination_hospital else ""
                status = f"In hospital since {_when(transfer.sent_at)}{where}"
            line = f"Born {r.date_of_birth:%d %b %Y} ({r.age_on(today)}) - NHS {r.nhs_number_text}".lstrip("0")
            rows.append(ResidentRow(r.resident_id, r.sort_name, line, transfer is not None, status))
        self.rows = rows

    @property
    def in_hospital(self) -> list[ResidentRow]:
        return [row for row in self.rows if row.in_hospital]

    @property
    def summary(self) -> str:
        if not self.rows:
            return "No residents on this device yet"
        count = len(self.in_hospital)
        return f"{len(self.rows)} resident{'s' if len(self.rows) != 1 else ''}, {count} in hospital"


# --- one resident's red bag -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferDocuments:
    """A transfer's pack for people (PDF) and for the hospital's record system (FHIR), on the shelf."""

    pack: Document
    fhir: Document


class ResidentScreen:
    """One resident's red bag: the summary, the transfer draft and the return. ``resident_id`` None: a new one."""

    def __init__(
        self,
        store: LocalStore,
        home_id: str,
        resident_id: str | None,
        username: str,
        now: Callable[[], datetime] | None = None,
        *,
        on_saved: Callable[[], None] = lambda: None,
    ) -> None:
        self.store, self.home_id, self.resident_id, self.username = store, home_id, resident_id, username
        self._now = now or store.server_now
        self._on_saved = on_saved
        self.message: str | None = None
        self.message_is_error = False
        self.message_is_warning = False  # done, but something needs following up (belongings missing)
        self.resident: Resident | None = None
        self.transfer: Transfer | None = None  # the one the resident is in hospital on
        self.last_transfer: Transfer | None = None
        self.documents: TransferDocuments | None = None  # of the transfer the resident is in hospital on
        self.reload()
        self.reset_draft()

    # -- reading -------------------------------------------------------------------------------------------

    def reload(self) -> None:
        if self.resident_id is None:
            return
        record_id = resident_record_id(self.home_id, self.resident_id)
        self.resident = readable(Resident, self.store.record("resident", record_id))
        active = _in_hospital(self.store, self.home_id)
        self.transfer = active.get(self.resident_id)
        _tidy_documents(self.store, self.home_id, active)
        if self.transfer is None:
            self.documents = None
        elif self.documents is None or self.documents.pack.group != self.transfer.record_id:
            self.documents = self._documents_of(self.transfer)

    def home(self) -> CareHome | None:
        return readable(CareHome, self.store.record("care_home", self.home_id))

    @property
    def in_hospital(self) -> bool:
        return self.transfer is not None

    @property
    def title(self) -> str:
        return self.resident.display_name if self.resident else "New resident"

    @property
    def summary_lines(self) -> list[tuple[str, str]]:
        """(label, text) pairs in the order a crew reads them."""
        r = self.resident
        if r is None:
            return []
        today = self._now().date()
        lines = [
            ("Born", f"{r.date_of_birth:%d %b %Y} (aged {r.age_on(today)})".lstrip("0")),
            ("NHS number", r.nhs_number_text),
            ("Allergies", r.allergies_text),
            ("Resuscitation", r.resuscitation.text),
        ]
        if r.conditions:
            lines.append(("Conditions", ", ".join(r.conditions)))
        if r.medicines:
            lines.append(("Medicines", "; ".join(m.text for m in r.medicines)))
        if r.gp_practice:
            lines.append(("GP", r.gp_practice.name))
        if r.next_of_kin:
            k = r.next_of_kin
            lines.append(("Next of kin", f"{k.name} ({k.relationship}), {k.phone}"))
        if r.baseline:
            lines.append(("Usual observations", self.baseline_text))
        return lines

    @property
    def baseline_text(self) -> str:
        b = self.resident.baseline if self.resident else None
        if b is None:
            return "Not recorded"
        parts = [f"{f.label} {getattr(b, f.name)}{f.unit}" for f in OBSERVATION_FIELDS
                 if getattr(b, f.name) is not None]
        if b.consciousness is not None:
            parts.append(b.consciousness.label)
        return ", ".join(parts) or "Not recorded"

    @property
    def dnacpr_text(self) -> str:
        return self.resident.resuscitation.dnacpr.label if self.resident else ""

    @property
    def dnacpr_in_place(self) -> bool:
        return bool(self.resident and self.resident.resuscitation.dnacpr is Dnacpr.IN_PLACE)

    @property
    def allergies_text(self) -> str:
        return self.resident.allergies_text if self.resident else ""

    @property
    def hospital_text(self) -> str:
        t = self.transfer
        if t is None:
            return ""
        where = t.destination_hospital.name if t.destination_hospital else "hospital"
        return f"In hospital: {where}, since {_when(t.sent_at)}. {t.reason}"

    @property
    def transfer_news2_text(self) -> str:
        t = self.transfer or self.last_transfer
        if t is None:
            return ""
        return t.news2_text if t.news2 is None else f"{t.news2_text} (observations when sent)"

    # -- a new resident ------------------------------------------------------------------------------------

    def add_resident(self, given_name: str, family_name: str, date_of_birth: str, nhs_number: str = "", *,
                     allergies: str = "", no_known_allergies: bool = False, dnacpr: str | Dnacpr = Dnacpr.UNKNOWN,
                     conditions: str = "", baseline: dict[str, str | float | int | None] | None = None
                     ) -> str | None:
        """Save a new resident (allergies and conditions comma-separated). Returns the message when refused."""
        try:
            born = parse_date(date_of_birth)
            base = None
            values = {k: v for k, v in (baseline or {}).items() if v not in (None, "")}
            if values:
                base = BaselineObservations.model_validate(values)
            resident = new_resident(
                self._now().date(),
                home_id=self.home_id, resident_id=uuid.uuid4().hex, given_name=given_name, family_name=family_name,
                date_of_birth=born, nhs_number=nhs_number or None, no_known_allergies=no_known_allergies,
                allergies=tuple(Allergy(substance=s.strip()) for s in allergies.split(",") if s.strip()),
                conditions=tuple(c.strip() for c in conditions.split(",") if c.strip()),
                resuscitation=Resuscitation(dnacpr=Dnacpr(dnacpr)), baseline=base,
            )
        except ValidationError as exc:
            return self._fail(plain_words(exc))
        except ValueError as exc:
            return self._fail(str(exc))
        self._save([("resident", stamp(resident, self.username, self._now()))])
        self.resident_id = resident.resident_id
        self.reload()
        self.reset_draft()
        self.message, self.message_is_error = f"Saved {resident.display_name}", False
        self.message_is_warning = False
        return None

    # -- the whole record, new or edited (the form the view shows) ----------------------------------------

    def form(self) -> ResidentForm:
        """The resident form: empty for a new resident, filled in from the record to edit one."""
        return ResidentForm.of(self.resident) if self.resident else ResidentForm()

    def save_resident(self, form: ResidentForm) -> str | None:
        """Save the form as a new resident or over this one. Returns the message when refused (nothing saved)."""
        earlier = self.resident
        try:
            born = parse_date(form.date_of_birth)
            problem = form.problem()
            if problem:
                return self._fail(problem)
            fields = {**form.fields(earlier), "date_of_birth": born}
            if earlier is None:
                resident = new_resident(self._now().date(), home_id=self.home_id, resident_id=uuid.uuid4().hex,
                                        **fields)
            else:
                kept = earlier.model_dump(exclude={"changed_by", "changed_at"})
                resident = new_resident(self._now().date(), **{**kept, **fields})
        except ValidationError as exc:
            return self._fail(plain_words(exc))
        except ValueError as exc:
            return self._fail(str(exc))
        self._save([("resident", stamp(resident, self.username, self._now()))])
        self.resident_id = resident.resident_id
        self.reload()
        if earlier is None:
            self.reset_draft()
        self.message, self.message_is_error = f"Saved {resident.display_name}", False
        self.message_is_warning = False
        return None

    # -- the transfer draft --------------------------------------------------------------------------------

    def reset_draft(self) -> None:
        self.reason = ""
        b = self.resident.baseline if self.resident else None
        self.obs_text: dict[str, str] = {
            f.name: ("" if b is None or getattr(b, f.name) is None else str(getattr(b, f.name)))
            for f in OBSERVATION_FIELDS
        }
        self.consciousness = (b.consciousness if b and b.consciousness else Consciousness.ALERT)
        self.on_oxygen = False
        # An ambulance at the door does not wait for observations: the carer says why none were taken.
        self.obs_not_taken = False
        self.obs_not_taken_reason = ""
        self.soft_signs: list[SoftSign] = []
        self.hospital = DEFAULT_HOSPITAL
        self.hospital_query = ""
        # Ticked means packed: nothing is in the bag until someone puts it there.
        self.belongings: dict[BelongingItem, bool] = {item: False for item in BelongingItem}

    @property
    def hospital_name(self) -> str:
        return self.hospital.name

    @property
    def hospital_choices(self) -> list[Organisation]:
        """The hospitals matching what is typed in the search box (all of them when it is empty)."""
        return search_hospitals(self.hospital_query)

    def choose_hospital(self, name: str) -> None:
        chosen = hospital_named(name)
        if chosen is not None:
            self.hospital = chosen

    def set_obs_not_taken(self, not_taken: bool, reason: str | None = None) -> None:
        self.obs_not_taken = bool(not_taken)
        if reason is not None:
            self.obs_not_taken_reason = reason.strip()

    def set_obs(self, name: str, text: str) -> None:
        self.obs_text[name] = (text or "").strip()

    def step_obs(self, name: str, direction: int) -> None:
        """-/+ on one observation (0.1 for the temperature); an empty one starts from the usual value."""
        step = next(f.precision for f in OBSERVATION_FIELDS if f.name == name)
        start = Decimal(USUAL_VALUES[name])
        try:
            value = Decimal(self.obs_text[name]) if self.obs_text[name] else start
        except InvalidOperation:
            value = start
        value += step * direction
        self.obs_text[name] = str(value.quantize(step))

    def set_consciousness(self, value: str | Consciousness) -> None:
        self.consciousness = Consciousness(value)

    def toggle_soft_sign(self, sign: str | SoftSign) -> None:
        sign = SoftSign(sign)
        if sign in self.soft_signs:
            self.soft_signs.remove(sign)
        else:
            self.soft_signs.append(sign)

    def set_belonging(self, item: str | BelongingItem, sent: bool) -> None:
        self.belongings[BelongingItem(item)] = bool(sent)

    def observations(self) -> Observations:
        """The draft's observations; ValueError naming what is missing or wrong."""
        missing = [OBSERVATION_LABELS[n] for n, text in self.obs_text.items() if not text]
        if missing:
            raise ValueError(f"Enter {', '.join(missing)}")
        try:
            return Observations(respiration_rate=self.obs_text["respiration_rate"], spo2=self.obs_text["spo2"],
                                systolic_bp=self.obs_text["systolic_bp"], pulse=self.obs_text["pulse"],
                                temperature=self.obs_text["temperature"], consciousness=self.consciousness,
                                on_oxygen=self.on_oxygen, taken_at=self._now())
        except ValidationError as exc:
            raise ValueError(plain_words(exc)) from None

    @property
    def news2(self) -> News2Score | None:
        if self.obs_not_taken:
            return None
        try:
            return news2(self.observations(), self.resident.spo2_scale if self.resident else 1)
        except ValueError:
            return None

    @property
    def news2_text(self) -> str:
        if self.obs_not_taken:
            return "NEWS2 not calculated: observations not taken"
        score = self.news2
        if score is not None:
            return score.text
        try:
            self.observations()
        except ValueError as exc:
            return f"NEWS2 not yet: {exc}"
        return "NEWS2 not yet"

    @property
    def obs_errors(self) -> dict[str, str]:
        """Per observation: why its typed value is refused (empty ones are not errors here)."""
        problems = {name: reading_problem(name, text) for name, text in self.obs_text.items() if text}
        return {name: problem for name, problem in problems.items() if problem is not None}

    @property
    def consciousness_options(self) -> list[tuple[str, str]]:
        return [(c.value, CONSCIOUSNESS_LABELS[c]) for c in Consciousness]

    def destination(self) -> Organisation:
        return self.hospital

    # -- actions -------------------------------------------------------------------------------------------

    def start_transfer(self) -> TransferDocuments | None:
        """Send to hospital: save the transfer (in hospital) and make its pack (PDF and FHIR) on the shelf.

        None when refused (``message`` says why) or when the pack could not be made (the transfer is saved).
        """
        if self.resident is None:
            self._fail("The resident's record is not on this device")
            return None
        if self.transfer is not None:
            self._fail(f"{self.resident.display_name} is already in hospital")
            return None
        if not self.reason.strip():
            self._fail("Write the reason for the transfer")
            return None
        if self.obs_not_taken and not self.obs_not_taken_reason.strip():
            self._fail("Say why the observations were not taken")
            return None
        now = self._now()
        try:
            observations = None if self.obs_not_taken else self.observations()
            transfer = start_transfer(
                self.resident, self.reason, observations, soft_signs=tuple(self.soft_signs),
                observations_not_taken_reason=self.obs_not_taken_reason.strip() if self.obs_not_taken else "",
                destination_hospital=self.destination(),
                belongings=Belongings(**{item.value: sent for item, sent in self.belongings.items()}),
            )
            transfer = depart(transfer, now)
        except ValidationError as exc:
            self._fail(plain_words(exc))
            return None
        except ValueError as exc:
            self._fail(str(exc))
            return None
        transfer = stamp(transfer, self.username, now)
        self._save([("transfer", transfer)])
        self.last_transfer = transfer
        self.reload()
        try:
            documents = self.make_transfer_pack(transfer)
        except Exception:  # noqa: BLE001 - the transfer is saved; a failed PDF is shown, never lost
            log.exception("the transfer pack could not be made")  # the library's words are for the log
            self._fail(PACK_NOT_MADE)
            return None
        self.message, self.message_is_error = "Transfer pack ready", False
        self.message_is_warning = False
        return documents

    def make_transfer_pack(self, transfer: Transfer | None = None) -> TransferDocuments:
        """The transfer pack (client.reports.transfer_pdf) and its FHIR bundle, sealed on the shelf.

        Made again, it replaces the transfer's earlier pack.
        """
        from client.reports.fhir_bundle import bundle_json, transfer_bundle
        from client.reports.transfer_pdf import transfer_pack_pdf

        transfer = transfer or self.transfer or self.last_transfer
        if transfer is None or self.resident is None:
            raise ValueError("there is no transfer to print")
        home = self.home()
        if home is None:
            raise ValueError("the home's details have not arrived on this device yet")
        now = self._now()
        pdf = transfer_pack_pdf(home, self.resident, transfer, prepared_by=self.username, now=now)
        # The same pack as an HL7 FHIR document, for the hospital's record system.
        fhir = bundle_json(transfer_bundle(home, self.resident, transfer, now=now)).encode()
        shelf, group = self.store.documents, transfer.record_id
        shelf.remove_group(group)
        # Plain file names: the resident's name stays inside the sealed document.
        made = f"{now:%Y%m%d-%H%M}"
        self.documents = TransferDocuments(
            pack=shelf.put(f"transfer-pack-{made}.pdf", pdf, group=group, media_type=PDF),
            fhir=shelf.put(f"transfer-{made}.fhir.json", fhir, group=group, media_type=FHIR_JSON),
        )
        return self.documents

    def _documents_of(self, transfer: Transfer) -> TransferDocuments | None:
        """The pack made earlier on this device for the transfer (the screen was opened again), if any."""
        found = {d.media_type: d for d in self.store.documents.documents(transfer.record_id)}
        if PDF not in found or FHIR_JSON not in found:
            return None
        return TransferDocuments(pack=found[PDF], fhir=found[FHIR_JSON])

    @property
    def returnable_items(self) -> list[BelongingItem]:
        """Belongings that went with the resident (any may be recorded missing on return)."""
        return list(self.transfer.belongings.sent) if self.transfer else []

    def record_return(self, summary: str = "", missing: list[str | BelongingItem] | tuple = ()) -> str | None:
        """The resident is back: the discharge summary and which belongings did not come back."""
        if self.transfer is None:
            return self._fail("The resident is not in hospital")
        now = self._now()
        try:
            back = record_return(self.transfer, now, discharge_summary=summary,
                                 missing_items=tuple(BelongingItem(m) for m in missing))
        except ValidationError as exc:
            return self._fail(plain_words(exc))
        except ValueError as exc:
            return self._fail(str(exc))
        self._save([("transfer", stamp(back, self.username, now))])
        # The transfer has ended: its pack is no longer needed on this device.
        self.store.documents.remove_group(back.record_id)
        self.documents = None
        name = self.resident.display_name if self.resident else "The resident"
        self.last_transfer = back
        self.reload()
        self.reset_draft()
        missing_text = f"; missing: {', '.join(i.label for i in back.missing_items)}" if back.missing_items else ""
        self.message, self.message_is_error = f"{name} is back home{missing_text}", False
        self.message_is_warning = bool(back.missing_items)
        return None

    # -- helpers ------------------------------------------------------------------------------------------

    def _save(self, edits: list[tuple[str, Any]]) -> None:
        self.store.save_together(edits)
        self._on_saved()

    def _fail(self, message: str) -> str:
        self.message, self.message_is_error, self.message_is_warning = message, True, False
        return message
