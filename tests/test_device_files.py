"""Nothing personal left readable on the device (issue 10, section 5).

The document shelf (sealed transfer packs and FHIR bundles, owner-only), the
one-time links that hand them to a browser, the codec that refuses personal
data stored in plain text, and, end to end, a whole transfer with sync after
which no file under the data folder holds the resident's name or NHS number
and none is readable by anyone else.
"""

from __future__ import annotations

import logging
import stat
import uuid
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from client.crypto import DataCipher, NotSealed, UnreadableData
from client.document_links import DocumentLinks, document_route
from client.store import DocumentShelf
from client.store.codec import RecordCodec
from domain.residents import Resident
from protocol import MutationResult, MutationStatus
from tests.support.records import HOME_ID

GIVEN, FAMILY, NHS = "Margaret", "Oyelaran-Whitfield", "9434765919"
SECRETS = (GIVEN.encode(), FAMILY.encode(), NHS.encode(), b"943 476 5919")
KEY = DataCipher(b"\1" * 32, persistent=False)
PDF = b"%PDF-1.7 transfer pack of " + GIVEN.encode() + b" " + FAMILY.encode() + b" NHS " + NHS.encode()


def everything_under(folder: Path) -> list[Path]:
    return [folder, *folder.rglob("*")]


def readable_by_others(folder: Path) -> list[str]:
    return [f"{p} {stat.filemode(p.stat().st_mode)}" for p in everything_under(folder) if p.stat().st_mode & 0o077]


def files_holding_personal_data(folder: Path) -> list[str]:
    return [f"{p}: {secret!r}" for p in everything_under(folder) if p.is_file()
            for secret in SECRETS if secret in p.read_bytes()]


# --- the shelf ------------------------------------------------------------------------------------------------


def test_the_shelf_keeps_documents_sealed_and_owner_only(tmp_path):
    shelf = DocumentShelf(tmp_path / "reports", KEY)
    pack = shelf.put("transfer-pack.pdf", PDF, group=f"{HOME_ID}/transfer/t1", media_type="application/pdf")
    assert shelf.read(pack.id) == (pack, PDF)
    assert pack.name == "transfer-pack.pdf" and pack.group == f"{HOME_ID}/transfer/t1"
    assert files_holding_personal_data(tmp_path) == [] and readable_by_others(tmp_path / "reports") == []
    assert all(GIVEN not in p.name and pack.name not in p.name for p in everything_under(tmp_path))
    # Another device's key opens nothing; an id that is not one is not looked up.
    stranger = DocumentShelf(tmp_path / "reports", DataCipher(b"\2" * 32, persistent=False))
    with pytest.raises(UnreadableData):
        stranger.read(pack.id)
    assert shelf.documents(pack.group) == [pack]
    assert stranger.documents(pack.group) == []  # never to be opened again: removed
    with pytest.raises(KeyError):
        shelf.read(pack.id)
    with pytest.raises(KeyError):
        shelf.read("../../carehome-connect.sqlite3")
    with pytest.raises(ValueError):
        shelf.put("../escape.pdf", PDF, group="g", media_type="application/pdf")


def test_a_transfers_documents_go_with_it_and_plain_copies_go_at_the_next_start(tmp_path):
    shelf = DocumentShelf(tmp_path / "reports", KEY)
    first = shelf.put("pack.pdf", PDF, group="home/transfer/1", media_type="application/pdf")
    second = shelf.put("pack.pdf", PDF, group="home/transfer/2", media_type="application/pdf")
    assert shelf.groups() == {"home/transfer/1", "home/transfer/2"}
    assert shelf.documents("home/transfer/1") == [first] and shelf.documents("home/transfer/3") == []

    copy = shelf.open_copy(first.id)  # for the desktop's PDF viewer
    assert copy.read_bytes() == PDF and copy.name == "pack.pdf" and readable_by_others(tmp_path / "reports") == []
    shelf.remove_group("home/transfer/1")
    assert not copy.exists() and shelf.groups() == {"home/transfer/2"}
    with pytest.raises(KeyError):
        shelf.read(first.id)

    left_open = shelf.open_copy(second.id)
    legacy = tmp_path / "reports" / "transfer-0a1b-20261125-091200.pdf"  # as older versions wrote them
    legacy.write_bytes(PDF)
    legacy.with_suffix(".fhir.json").write_bytes(b"{}")
    DocumentShelf(tmp_path / "reports", KEY)  # the app starts again
    assert not left_open.exists() and shelf.read(second.id)[1] == PDF
    assert files_holding_personal_data(tmp_path) == [] and not legacy.with_suffix(".fhir.json").exists()
    shelf.remove_all()
    assert not (tmp_path / "reports").exists()


# --- one-time links (web mode) ------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_link_serves_the_document_once_within_a_minute_and_keeps_no_copy(tmp_path):
    shelf = DocumentShelf(tmp_path / "reports", KEY)
    pack = shelf.put("transfer-pack.pdf", PDF, group="home/transfer/1", media_type="application/pdf")
    fhir = shelf.put("transfer.fhir.json", b"{}", group="home/transfer/1", media_type="application/fhir+json")
    clock = Clock()
    links = DocumentLinks(clock=clock)
    client = TestClient(Starlette(routes=[document_route(links)]))

    path = links.mint(shelf, pack.id)
    assert path.startswith("/documents/") and pack.id not in path
    answer = client.get(path)
    assert answer.status_code == 200 and answer.content == PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == 'inline; filename="transfer-pack.pdf"'
    assert answer.headers["cache-control"] == "no-store" and answer.headers["x-content-type-options"] == "nosniff"
    assert client.get(path).status_code == 404  # used

    answer = client.get(links.mint(shelf, fhir.id))
    assert answer.headers["content-disposition"] == 'attachment; filename="transfer.fhir.json"'

    late = links.mint(shelf, pack.id)
    clock.now += 61
    assert client.get(late).status_code == 404  # expired
    gone = links.mint(shelf, pack.id)
    shelf.remove_group("home/transfer/1")  # the transfer ended meanwhile
    assert client.get(gone).status_code == 404
    assert client.get("/documents/guessed").status_code == 404


def test_the_opener_hands_a_browser_a_one_time_link_and_a_desktop_an_owner_only_copy(tmp_path, monkeypatch):
    from client.views import document_opener

    opened: list[str] = []

    class Launcher:
        async def launch_url(self, url: str) -> None:
            opened.append(url)

    monkeypatch.setattr(document_opener.ft, "UrlLauncher", Launcher)
    shelf = DocumentShelf(tmp_path / "reports", KEY)
    pack = shelf.put("transfer-pack.pdf", PDF, group="home/transfer/1", media_type="application/pdf")
    links = DocumentLinks()
    from tests.support import aio

    aio.run(document_opener.DocumentOpener(SimpleNamespace(web=True), shelf, links)(pack))
    aio.run(document_opener.DocumentOpener(SimpleNamespace(web=False), shelf, links)(pack))
    web, desktop = opened
    assert web.startswith("/documents/") and links.redeem(web.removeprefix("/documents/"))[1] == PDF
    copy = Path(desktop.removeprefix("file://"))
    assert desktop.startswith("file://") and copy.read_bytes() == PDF and readable_by_others(tmp_path / "reports") == []


# --- the codec: personal data in plain text is refused -----------------------------------------------------


def resident(**changes) -> Resident:
    return Resident(home_id=HOME_ID, resident_id=uuid.uuid4().hex, given_name=GIVEN, family_name=FAMILY,
                    date_of_birth=date(1934, 3, 2), nhs_number=NHS).model_copy(update=changes)


def test_a_resident_stored_without_encryption_is_refused_not_read(store, caplog):
    margaret = resident()
    plain = margaret.model_dump_json()
    store.db.execute("INSERT INTO records (kind, id, home_id, data) VALUES ('resident', ?, ?, ?)",
                     [margaret.record_id, HOME_ID, plain])
    store.db.execute("INSERT INTO outbox (mutation_id, kind, record_id, data, client_time) "
                     "VALUES (?, 'resident', ?, ?, '2026-11-25T09:00:00+00:00')",
                     [str(uuid.uuid4()), margaret.record_id, plain])
    with caplog.at_level(logging.WARNING):
        assert store.records("resident", HOME_ID) == []
    assert "refused a resident record stored without encryption" in caplog.text
    assert GIVEN not in caplog.text and FAMILY not in caplog.text and NHS not in caplog.text
    with pytest.raises(NotSealed):
        RecordCodec(KEY).decode("resident", margaret.record_id, plain)
    # Kinds that are not personal data stay plain JSON; a delete carries no data at all.
    codec = RecordCodec(KEY)
    assert codec.decode("bed_count", "x", codec.encode("bed_count", "x", {"a": 1})) == {"a": 1}
    assert codec.decode("resident", margaret.record_id, "null") is None


def test_a_plain_outbox_entry_is_never_sent(store, sync):
    margaret = resident()
    store.db.execute("INSERT INTO outbox (mutation_id, kind, record_id, data, client_time) "
                     "VALUES (?, 'resident', ?, ?, '2026-11-25T09:00:00+00:00')",
                     [str(uuid.uuid4()), margaret.record_id, margaret.model_dump_json()])
    assert sync.pending(10) == [] and store.pending_count() == 0


def test_the_servers_words_about_a_resident_are_sealed_in_the_sync_log(store, sync, tmp_path):
    margaret = resident()
    [mutation_id] = store.save("resident", [margaret])
    refusal = f"{GIVEN} {FAMILY}: the date of birth must not be in the future"
    sync.settle([MutationResult(mutation_id=mutation_id, status=MutationStatus.REJECTED, message=refusal)])
    assert [entry.message for entry in store.sync_log(home_id=HOME_ID)] == [refusal]
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert files_holding_personal_data(tmp_path) == []
    # A message an older version left in plain text is not shown.
    store.db.execute("UPDATE sync_log SET message = ?", [refusal])
    assert [entry.message for entry in store.sync_log()] == ["The details cannot be shown on this device"]


def test_the_data_folder_and_database_are_owner_only_even_if_made_before(tmp_path):
    from client.context import build_context

    folder = tmp_path / "device"
    folder.mkdir(mode=0o755)
    (folder / "carehome-connect.sqlite3").touch(mode=0o644)
    ctx = build_context("http://127.0.0.1:9", folder)
    try:
        ctx.store.set_meta("probe", "1")  # the -wal and -shm files exist now
        assert {p.name for p in folder.iterdir()} >= {"carehome-connect.sqlite3", "carehome-connect.sqlite3-wal"}
        assert readable_by_others(folder) == []
    finally:
        ctx.close()


# --- acceptance 7: a whole transfer, with sync ---------------------------------------------------------------


def test_after_a_transfer_no_file_under_the_data_folder_holds_personal_data_or_is_readable_by_others(
        tmp_path, central_api, memory_keyring):
    from client.state.red_bag import ResidentList, ResidentScreen
    from server_stub.demo_data import DEMO_HOME_ID, DEMO_PASSWORD
    from tests.support import aio
    from tests.support.devices import make_device

    data_dir = tmp_path / "device"
    device = make_device(data_dir, central_api.url)
    links = DocumentLinks()
    try:
        aio.run(device.session.sign_in(central_api.url, "demo", DEMO_PASSWORD))
        assert aio.run(device.engine.sync_once())

        screen = ResidentScreen(device.store, DEMO_HOME_ID, None, "demo", on_saved=device.engine.local_change)
        assert screen.add_resident(GIVEN, FAMILY, "02/03/1934", NHS, allergies="Penicillin",
                                   baseline={"respiration_rate": "16", "spo2": "96", "systolic_bp": "128",
                                             "pulse": "76", "temperature": "36.8"}) is None, screen.message
        # A record the central API refuses, naming her: its answer lands in the sync log.
        unborn = resident(home_id=DEMO_HOME_ID, date_of_birth=date.today() + timedelta(days=2))
        device.store.save("resident", [unborn])
        assert aio.run(device.engine.sync_once())
        assert any(GIVEN in entry.message for entry in device.store.sync_log())

        # Send to hospital: the pack and the FHIR bundle are made; both are opened (web and desktop ways).
        screen.reason = "Fall in the lounge, new hip pain"
        screen.set_belonging("glasses", True)  # belongings start unticked: ticked means packed
        documents = screen.start_transfer()
        assert documents is not None, screen.message
        served = links.redeem(links.mint(device.store.documents, documents.pack.id).removeprefix("/documents/"))
        assert served is not None and served[1].startswith(b"%PDF")
        copies = [device.store.documents.open_copy(d.id) for d in (documents.pack, documents.fhir)]
        assert FAMILY.encode() in copies[1].read_bytes()  # a plain copy for the viewer while she is away
        assert aio.run(device.engine.sync_once())
        assert ResidentList(device.store, DEMO_HOME_ID).summary == "1 resident, 1 in hospital"

        # She comes back: the transfer ends, and its documents with it.
        assert screen.record_return("Bruising only; paracetamol", ["glasses"]) is None, screen.message
        assert aio.run(device.engine.sync_once()) and device.store.pending_count() == 0
        assert not any(copy.exists() for copy in copies) and device.store.documents.groups() == set()
    finally:
        device.close()

    assert files_holding_personal_data(data_dir) == []
    assert readable_by_others(data_dir) == []
