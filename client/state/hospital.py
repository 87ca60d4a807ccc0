"""A hospital user's first screen: the transfers to her hospital, each opening its transfer pack.

The packs come from the central API (``GET /hospital/transfers``, every read
audited there) and stay in memory only: this device never writes a resident's
details to disk in plain form. Opening one makes its PDF on the device
(``client.reports.transfer_pdf``) and seals it on the document shelf, grouped
by transfer, so it goes when the transfer ends (the next refresh) and at
sign-out. With no connection there is nothing to show, and the screen says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from client.reports.transfer_pdf import transfer_pack_pdf
from client.store import Document, DocumentShelf
from client.sync.api import ApiError, AuthExpired, CentralApi, Offline
from domain.uk_time import uk_clock, uk_day_and_time, uk_local
from protocol.hospital import TransferPack

PDF = "application/pdf"
# Sent this recently: "arriving" (the ward may not have seen the resident yet); older: in hospital.
ARRIVING_WITHIN = timedelta(hours=24)
NEEDS_CONNECTION = "Transfers need a connection to the central API; none is available now. Try again when online."


@dataclass(frozen=True)
class TransferRow:
    transfer_id: str
    name: str
    line: str  # from which home, when sent
    detail: str  # why, and the NEWS2 score
    arriving: bool


class HospitalTransfers:
    def __init__(self, api: Callable[[], CentralApi | None], shelf: DocumentShelf, *,
                 now: Callable[[], datetime]) -> None:
        self._api, self.shelf, self._now = api, shelf, now
        self._packs: dict[str, TransferPack] = {}  # transfer_id -> pack; memory only
        self.loaded_at: datetime | None = None
        self.loading = False
        self.message: str | None = None
        self.message_is_error = False

    @property
    def rows(self) -> list[TransferRow]:
        """Arriving first, then in hospital; the most recently sent first within each."""
        now = self._now()
        packs = sorted(self._packs.values(), key=lambda p: p.transfer.sent_at or now, reverse=True)
        rows = [_row(pack, now) for pack in packs]
        return [r for r in rows if r.arriving] + [r for r in rows if not r.arriving]

    @property
    def summary(self) -> str:
        if self.loaded_at is None:
            return "Loading transfers..." if self.loading else "Transfers have not been loaded yet"
        if not self._packs:
            return f"No residents are on a transfer to your hospital (checked {_clock(self.loaded_at)})"
        arriving = sum(r.arriving for r in self.rows)
        count = len(self._packs)
        return (f"{count} resident{'s' if count != 1 else ''} on a transfer to your hospital, "
                f"{arriving} arriving (checked {_clock(self.loaded_at)})")

    async def refresh(self) -> bool:
        """Ask the central API for the transfers now; True if it answered."""
        api = self._api()
        if api is None:
            return self._failed("Please sign in again to see transfers")
        self.loading = True
        try:
            packs = await api.hospital_transfers()
        except Offline:
            return self._failed(NEEDS_CONNECTION, keep=True)
        except AuthExpired:
            return self._failed("Please sign in again to see transfers")
        except ApiError as exc:
            return self._failed(f"Transfers could not be loaded: {exc}")
        finally:
            self.loading = False
        self._packs = {p.transfer.transfer_id: p for p in packs}
        self.loaded_at = self._now()
        self.message, self.message_is_error = None, False
        # A transfer no longer listed has ended: its pack goes from this device.
        listed = {p.transfer.record_id for p in packs}
        for group in self.shelf.groups() - listed:
            self.shelf.remove_group(group)
        return True

    def _failed(self, message: str, *, keep: bool = False) -> bool:
        """Say why; offline, the list already shown stays (it is in memory only), otherwise it goes."""
        if not keep:
            self._packs = {}
            self.loaded_at = None
        self.message, self.message_is_error = message, True
        return False

    def pack_document(self, transfer_id: str) -> Document:
        """The transfer pack PDF, made on this device and sealed on the shelf (made once per refresh)."""
        pack = self._packs[transfer_id]
        group = pack.transfer.record_id
        for document in self.shelf.documents(group):
            if document.media_type == PDF:
                return document
        now = self._now()
        pdf = transfer_pack_pdf(pack.home, pack.resident, pack.transfer, now=now, home_phone=pack.home.phone,
                                prepared_by=pack.transfer.changed_by or pack.home.name)
        return self.shelf.put(f"transfer-pack-{now:%Y%m%d-%H%M}.pdf", pdf, group=group, media_type=PDF)


def _row(pack: TransferPack, now: datetime) -> TransferRow:
    transfer, resident = pack.transfer, pack.resident
    sent = transfer.sent_at
    arriving = sent is not None and now - sent <= ARRIVING_WITHIN
    when = f"sent {_day_clock(sent, now)}" if sent else "sent (time not recorded)"
    risk = ("NEWS2 not calculated" if transfer.news2_total is None else
            f"NEWS2 {transfer.news2_total}" + (f" ({transfer.news2_risk.label})" if transfer.news2_risk else ""))
    return TransferRow(
        transfer_id=transfer.transfer_id, name=resident.display_name,
        line=f"From {pack.home.name}, {when}", detail=f"{_short(transfer.reason)} - {risk}", arriving=arriving)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 3].rstrip() + "..."


def _clock(moment: datetime) -> str:
    return uk_clock(moment)


def _day_clock(moment: datetime, now: datetime) -> str:
    same_day = uk_local(moment).date() == uk_local(now).date()
    return f"today {uk_clock(moment)}" if same_day else uk_day_and_time(moment, year=False)
