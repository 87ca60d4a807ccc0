"""Issue 13 part 1: what each mode offers for a document, the shared control every screen uses, page-one
previews, numbers rounded for people, and one-time links that serve only the browser that asked."""

from __future__ import annotations

import re
import sys
from types import SimpleNamespace

import flet as ft
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient

from client.crypto import DataCipher
from client.document_links import BROWSER_COOKIE, BrowserCookie, DocumentLinks, document_route
from client.reports.numbers import mbps, ms
from client.reports.preview import first_page_png
from client.reports.readiness_pdf import readiness_summary_pdf
from client.state.document_actions import (
    DocumentAction,
    action_label,
    actions_offered,
    done_message,
    failed_message,
    preview_label,
)
from client.store import DocumentShelf
from client.sync import SyncStatus
from client.views import document_opener
from client.views.document_actions import DocumentActions
from client.views.document_opener import DocumentOpener
from domain.readiness import Broadband, stamp
from tests.support import aio
from tests.support.pdf_text import flat
from tests.test_readiness_pdf import T0, checklist, trafford_home, wifi

OPEN, DOWNLOAD, SHARE = DocumentAction.OPEN, DocumentAction.DOWNLOAD, DocumentAction.SHARE
KEY = DataCipher(b"\1" * 32, persistent=False)


# --- what each mode offers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("web", "platform", "offered"), [
    (True, "linux", (OPEN, DOWNLOAD)),  # a browser on a computer
    (True, "windows", (OPEN, DOWNLOAD)),
    (True, "ios", (OPEN, DOWNLOAD)),  # a browser on a tablet: no share sheet from a server round trip
    (True, "android", (OPEN, DOWNLOAD)),
    (False, "windows", (OPEN, DOWNLOAD)),  # desktop app: system viewer, save dialog
    (False, "macos", (OPEN, DOWNLOAD)),
    (False, "linux", (OPEN, DOWNLOAD)),
    (False, "android", (SHARE, DOWNLOAD)),  # phone app: the share sheet
    (False, "ios", (SHARE, DOWNLOAD)),
    (False, None, (OPEN, DOWNLOAD)),
])
def test_each_mode_offers_the_actions_that_work_there(web, platform, offered):
    assert actions_offered(web=web, platform=platform) == offered


FRAMEWORK_WORDS = re.compile(r"[a-z]+_[a-z]+|Error|Exception|None|Value error|src_bytes")


def test_every_button_has_its_own_name_and_every_message_is_in_plain_words():
    assert [action_label(a, "transfer pack") for a in DocumentAction] == [
        "Open transfer pack", "Download transfer pack", "Share transfer pack"]
    messages = [
        done_message(OPEN, "transfer pack", web=True), done_message(OPEN, "transfer pack", web=False),
        done_message(DOWNLOAD, "transfer pack", web=True),
        done_message(DOWNLOAD, "transfer pack", web=False, saved_to="/home/ann/transfer-pack.pdf"),
        done_message(DOWNLOAD, "transfer pack", web=False, saved_to=None),
        *(done_message(SHARE, "transfer pack", web=False, shared=s) for s in ("success", "dismissed", "unavailable")),
        *(failed_message(a, "transfer pack") for a in DocumentAction),
        failed_message(OPEN, "transfer pack", gone=True), preview_label("transfer pack"),
    ]
    assert done_message(DOWNLOAD, "transfer pack", web=False, saved_to="/tmp/p.pdf") == \
        "The transfer pack was saved: /tmp/p.pdf"
    assert done_message(DOWNLOAD, "transfer pack", web=False, saved_to=None) == "Nothing was saved"
    assert done_message(DOWNLOAD, "transfer pack", web=True) == \
        "The transfer pack was downloaded: it is in your browser's downloads"
    assert failed_message(SHARE, "transfer pack", gone=True) == \
        "The transfer pack is no longer on this device: make it again from the app"
    for message in messages:
        assert not FRAMEWORK_WORDS.search(message.replace("/home/ann/transfer-pack.pdf", "")), message


# --- the shared control and the handler ----------------------------------------------------------------------


class Services:
    """Flet's FilePicker, Share and UrlLauncher as a test sees them: what was asked of each."""

    def __init__(self, monkeypatch, *, saved_to: str | None = "/home/ann/pack.pdf", shared: str = "success"):
        self.saved: list[dict] = []
        self.shared: list[list] = []
        self.launched: list[str] = []
        services = self

        class FilePicker:
            async def save_file(self, **kwargs):
                services.saved.append(kwargs)
                return saved_to

        class Share:
            async def share_files(self, files, **kwargs):
                services.shared.append(files)
                return SimpleNamespace(status=SimpleNamespace(value=shared))

        class UrlLauncher:
            async def launch_url(self, url):
                services.launched.append(url)

        for name, cls in (("FilePicker", FilePicker), ("Share", Share), ("UrlLauncher", UrlLauncher)):
            monkeypatch.setattr(document_opener.ft, name, cls)


def pack_pdf() -> bytes:
    return readiness_summary_pdf(trafford_home(), **checklist())


@pytest.fixture
def shelf(tmp_path):
    return DocumentShelf(tmp_path / "reports", KEY)


def buttons(actions: DocumentActions) -> dict[str, ft.Control]:
    row = actions.controls[0]
    return {semantics.identifier: semantics.content for semantics in row.controls}


def test_a_browser_gets_open_and_download_each_named_and_as_tall_as_its_words_and_the_bytes_go_to_that_browser(
        shelf, monkeypatch):
    services = Services(monkeypatch)
    pdf = pack_pdf()
    pack = shelf.put("transfer-pack.pdf", pdf, group="home/transfer/1", media_type="application/pdf")
    opener = DocumentOpener(SimpleNamespace(web=True, platform=ft.PagePlatform.LINUX), shelf, DocumentLinks())
    actions = DocumentActions("transfer-pack", "transfer pack", lambda: pack, opener, preview=True)

    shown = buttons(actions)
    assert list(shown) == ["transfer-pack-open", "transfer-pack-download"]
    assert [b.content for b in shown.values()] == ["Open transfer pack", "Download transfer pack"]
    assert all(b.height is None for b in shown.values())  # grows with its words (the theme makes it 48 px at least)

    aio.run(actions.run(DOWNLOAD))
    [saved] = services.saved
    assert saved["src_bytes"] == pdf and saved["file_name"] == "transfer-pack.pdf"
    assert actions.message.value == "The transfer pack was downloaded: it is in your browser's downloads"

    aio.run(actions.run(OPEN))
    [link] = services.launched
    assert link.startswith("/documents/") and opener.links.redeem(link.removeprefix("/documents/"))[1] == pdf
    assert actions.message.value == "The transfer pack opened in a new tab"

    # Page one as a picture, with words for a screen reader.
    actions.refresh()
    assert actions.preview_box.visible
    image = actions.preview_box.content.content
    assert isinstance(image, ft.Image) and image.src.startswith(b"\x89PNG")
    assert image.semantics_label == "Preview of page one of the transfer pack"

    # The transfer ended meanwhile: said plainly, nothing breaks.
    shelf.remove_group("home/transfer/1")
    aio.run(actions.run(DOWNLOAD))
    assert actions.message.value == "The transfer pack is no longer on this device: make it again from the app"


def test_a_phone_shares_through_the_share_sheet_and_a_desktop_saves_where_the_person_chose(shelf, monkeypatch):
    services = Services(monkeypatch)
    fhir = shelf.put("transfer.fhir.json", b"{}", group="home/transfer/1", media_type="application/fhir+json")

    phone = DocumentOpener(SimpleNamespace(web=False, platform=ft.PagePlatform.ANDROID), shelf, DocumentLinks())
    actions = DocumentActions("transfer-fhir", "FHIR file", lambda: fhir, phone, preview=True)
    assert list(buttons(actions)) == ["transfer-fhir-share", "transfer-fhir-download"]
    aio.run(actions.run(SHARE))
    [[shared]] = services.shared
    assert shared.data == b"{}" and shared.name == "transfer.fhir.json" and shared.mime_type == "application/fhir+json"
    assert actions.message.value == "The FHIR file was shared"
    actions.refresh()
    assert not actions.preview_box.visible  # not a PDF: no preview

    desktop = DocumentOpener(SimpleNamespace(web=False, platform=ft.PagePlatform.WINDOWS), shelf, DocumentLinks())
    actions = DocumentActions("transfer-fhir", "FHIR file", lambda: fhir, desktop)
    assert list(buttons(actions)) == ["transfer-fhir-open", "transfer-fhir-download"]
    aio.run(actions.run(DOWNLOAD))
    assert services.saved[-1]["src_bytes"] == b"{}"
    assert actions.message.value == "The FHIR file was saved: /home/ann/pack.pdf"


def test_a_failed_action_is_said_in_plain_words(shelf, monkeypatch):
    class Broken:
        async def save_file(self, **kwargs):
            raise ValueError('"src_bytes" is required when saving a file in web mode')

    monkeypatch.setattr(document_opener.ft, "FilePicker", Broken)
    pack = shelf.put("transfer-pack.pdf", b"%PDF-1.7", group="g", media_type="application/pdf")
    opener = DocumentOpener(SimpleNamespace(web=True, platform=None), shelf, DocumentLinks())
    actions = DocumentActions("transfer-pack", "transfer pack", lambda: pack, opener)
    aio.run(actions.run(DOWNLOAD))
    assert actions.message.value == "The transfer pack could not be saved. Please try again"


# --- previews -------------------------------------------------------------------------------------------------


def test_page_one_previews_as_a_png_and_nothing_where_it_cannot_be_drawn(monkeypatch):
    png = first_page_png(pack_pdf(), width_px=300)
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(png[16:20], "big") in (300, 301)  # the IHDR width
    assert first_page_png(b"not a pdf") is None
    monkeypatch.setitem(sys.modules, "pypdfium2", None)  # a build without the renderer (a phone)
    assert first_page_png(pack_pdf()) is None


# --- numbers rounded for people ---------------------------------------------------------------------------


def test_speeds_print_to_one_decimal_and_times_to_whole_milliseconds(read_pdf):
    assert (mbps(4.56789), mbps(80), mbps(0.04), ms(120.6), ms(29.4)) == ("4.6", "80.0", "0.0", "121", "29")
    fields = checklist(
        broadband=stamp(Broadband(home_id=trafford_home().id, provider="BT Business", contracted_down_mbps=72.3456,
                                  contracted_up_mbps=18.04), "alice", T0),
        wifi_results=[wifi("Office", down=43.21987, up=9.87654, latency=31.4159),
                      wifi("Room 12", 10, down=4.56789, up=0.98765, latency=120.6)],
    )
    text = flat(read_pdf(readiness_summary_pdf(trafford_home(), **fields)))
    assert "BT Business, 72.3 Mbps down, 18.0 Mbps up" in text
    assert "Good: 43.2 Mbps down, 9.9 up, 31 ms" in text
    assert "Poor: 4.6 Mbps down, 1.0 up, 121 ms" in text
    assert not re.search(r"\d\.\d{2,}", text), "a number printed with more than one decimal"


# --- a link serves only the browser that asked -------------------------------------------------------------


def app_minting(links: DocumentLinks, shelf: DocumentShelf, document_id: str) -> BrowserCookie:
    """Web mode's server in small: a page, a connection whose handler mints a link, and the document route."""

    async def page(request):
        return PlainTextResponse("the app")

    async def connection(websocket):  # as Flet's: the page's handlers run while the connection is answered
        await websocket.accept()
        await websocket.receive_text()
        await websocket.send_text(links.mint(shelf, document_id))
        await websocket.close()

    return BrowserCookie(Starlette(routes=[document_route(links), Route("/", page),
                                           WebSocketRoute("/ws", connection)]))


def test_a_link_serves_only_the_browser_that_minted_it_and_others_do_not_use_it_up(shelf):
    pdf = pack_pdf()
    pack = shelf.put("transfer-pack.pdf", pdf, group="home/transfer/1", media_type="application/pdf")
    app = app_minting(DocumentLinks(), shelf, pack.id)
    mine, another = TestClient(app), TestClient(app)

    first = mine.get("/")
    cookie = first.cookies[BROWSER_COOKIE]
    set_cookie = first.headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie and len(cookie) >= 32
    assert another.get("/").cookies[BROWSER_COOKIE] != cookie  # each browser its own
    assert "set-cookie" not in mine.get("/").headers  # kept, not replaced

    with mine.websocket_connect("/ws", headers={"cookie": f"{BROWSER_COOKIE}={cookie}"}) as ws:
        ws.send_text("tap Open")
        link = ws.receive_text()

    refused = another.get(link)  # another signed-in browser
    assert refused.status_code == 404 and refused.json()["detail"] == \
        "This link has expired: open the document again from the app"
    assert TestClient(app).get(link).status_code == 404  # a browser that never opened the app
    served = mine.get(link)
    assert served.status_code == 200 and served.content == pdf and served.headers["cache-control"] == "no-store"
    assert mine.get(link).status_code == 404  # once


# --- the screens that show a document use the shared control ---------------------------------------------------


class Engine:
    status = SyncStatus()


def semantics(control) -> dict[str, ft.Control]:
    """Every identified control under ``control``, by identifier."""
    found, stack = {}, [control]
    while stack:
        node = stack.pop()
        if isinstance(node, ft.Semantics) and node.identifier:
            found[node.identifier] = node.content
        for name in ("content", "controls", "title"):
            child = getattr(node, name, None)
            stack.extend(child if isinstance(child, list) else [child] if isinstance(child, ft.Control) else [])
    return found


def test_the_red_bag_pack_screen_offers_both_documents_with_a_preview_of_the_pack(store, monkeypatch):
    from client.state.red_bag import ResidentScreen
    from client.views.red_bag_view import ResidentView
    from tests.support.records import HOME_ID

    services = Services(monkeypatch)
    screen = ResidentScreen(store, HOME_ID, None, "carer1")
    assert screen.add_resident("Margaret", "Smith", "12/04/1938", "943 476 5919", allergies="Penicillin", baseline={
        "respiration_rate": "16", "spo2": "96", "systolic_bp": "128", "pulse": "76", "temperature": "36.8"}) is None
    screen.reason = "Fall in the lounge"
    documents = screen.start_transfer()
    assert documents is not None, screen.message
    monkeypatch.setattr(ResidentView, "update", lambda self: None)  # no page in a unit test
    opener = DocumentOpener(SimpleNamespace(web=True, platform=None), store.documents, DocumentLinks())
    view = ResidentView(screen, Engine(), open_document=opener)

    shown = semantics(view)
    assert {"transfer-pack-open", "transfer-pack-download", "transfer-fhir-open", "transfer-fhir-download",
            "transfer-pack-preview"} <= set(shown)
    assert shown["transfer-pack-download"].content == "Download transfer pack"
    assert shown["transfer-fhir-download"].content == "Download FHIR file"
    assert isinstance(shown["transfer-pack-preview"], ft.Image)
    aio.run(view.pack_actions.run(DOWNLOAD))
    assert services.saved[-1]["src_bytes"] == store.documents.read(documents.pack.id)[1]


def test_a_pack_that_cannot_be_opened_or_made_again_is_said_in_words_not_the_exception(store, monkeypatch):
    """The ward read "Could not open the transfer pack: KeyError"; the carer "No PDF: <the library's words>"."""
    from datetime import datetime, timezone

    from client.state.hospital import HospitalTransfers
    from client.state.red_bag import ResidentScreen
    from client.views.account_bar import AccountBar
    from client.views.hospital_view import HospitalView
    from client.views.red_bag_view import ResidentView
    from tests.support.records import HOME_ID

    async def nothing(*args):
        return None

    monkeypatch.setattr(HospitalView, "update", lambda self: None)
    engine = SimpleNamespace(status=SyncStatus(), request_sync=lambda: None)
    ward = HospitalView(HospitalTransfers(lambda: None, store.documents, now=lambda: datetime.now(timezone.utc)),
                        account_bar=AccountBar(engine, account_line="Signed in as Ward 7", on_sign_in_again=lambda: None,
                                               on_sign_out=nothing), open_document=nothing)
    aio.run(ward._open("a-transfer-the-list-no-longer-has"))  # refreshed away meanwhile: a KeyError inside
    assert ward.transfers.message == "The transfer pack could not be opened: tap Refresh, then try again"

    monkeypatch.setattr(ResidentView, "update", lambda self: None)
    screen = ResidentScreen(store, HOME_ID, None, "carer1")
    assert screen.add_resident("Margaret", "Smith", "12/04/1938", "943 476 5919", allergies="Penicillin") is None

    def broken():
        raise RuntimeError("Not enough horizontal space to render a single character")

    screen.make_transfer_pack = broken
    view = ResidentView(screen, Engine(), open_document=nothing)
    view._pack_again(None)
    assert screen.message == "The transfer pack PDF could not be made: try again" and screen.message_is_error


def test_the_readiness_summary_is_offered_once_made_with_a_preview(store, monkeypatch):
    from client.state.readiness import ReadinessScreen
    from client.views.readiness_view import ReadinessView
    from tests.support.records import HOME_ID

    services = Services(monkeypatch)

    async def measure():  # not used here
        raise AssertionError

    monkeypatch.setattr(ReadinessView, "update", lambda self: None)
    opener = DocumentOpener(SimpleNamespace(web=False, platform=ft.PagePlatform.MACOS), store.documents,
                            DocumentLinks())
    view = ReadinessView(ReadinessScreen(store, HOME_ID, "champion"), Engine(), measure=measure,
                         make_pdf=lambda screen: screen.put_summary_pdf(store.documents), open_document=opener)
    assert not view.summary_actions.visible  # nothing to hand over yet
    view._summary_pdf(None)
    assert view.pdf_result.value == "Readiness summary ready" and view.summary_actions.visible
    shown = semantics(view.maturity_section)
    assert {"summary-pdf-open", "summary-pdf-download", "summary-pdf-preview"} <= set(shown)
    aio.run(view.summary_actions.run(DOWNLOAD))
    assert services.saved[-1]["src_bytes"].startswith(b"%PDF-")
    assert view.summary_actions.message.value == "The readiness summary was saved: /home/ann/pack.pdf"
