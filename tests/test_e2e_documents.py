"""Acceptance 3 (issue 13): a document downloads in the browser that asked for it, and in no other.

In headless Chromium (the real app and central API processes) a carer sends a
resident to hospital; on the red bag's transfer pack screen she taps Download:
the browser receives the PDF (sent over her own session's connection) and
pdftotext shows the resident. The Open link her tap makes answers 404 to
another browser (signed in as another person) and to one never signed in,
and still serves her browser, once.
"""

import time

import pytest

from tests.support.auth import DEMO_PASSWORD, DEMO_USER
from tests.support.pdf_text import flat
from tests.support.timing import scaled_ms

pytestmark = pytest.mark.browser


def send_a_resident_to_hospital(phone) -> None:
    """The demo manager adds Margaret Smith and sends her to hospital: the transfer pack is made."""
    phone.sign_in(None, DEMO_USER, DEMO_PASSWORD)
    phone.wait_id_text("home-name", "Allingham House Care Centre")
    phone.tap_id("open-red-bag")
    phone.wait_id_text("resident-summary", "No residents")
    phone.tap_id("add-resident")
    phone.type_in("new-given", "Margaret")
    phone.type_in("new-family", "Smith")
    phone.type_in("new-dob", "12/04/1938")
    phone.type_in("new-nhs", "943 476 5919")
    phone.type_in("new-allergies", "Penicillin")
    for name, value in (("respiration_rate", "16"), ("spo2", "96"), ("systolic_bp", "128"), ("pulse", "76"),
                        ("temperature", "36.8")):
        phone.type_in(f"baseline-{name}", value)  # her usual observations fill in the transfer's
    phone.tap_id("new-save")
    phone.wait_id_text("resident-name", "Margaret Smith")
    phone.tap_id("start-transfer")
    phone.wait_id_text("news2", "NEWS2 0 (Low)")
    phone.tap_id("transfer-reason")
    phone.page.keyboard.type("Fall in the lounge, new hip pain", delay=5)
    phone.page.wait_for_timeout(300)
    phone.tap_id("send-to-hospital")
    phone.wait_id_text("transfer-pack", "Transfer pack ready", timeout=20_000)


def link_the_open_button_makes(phone, identifier: str) -> str:
    """Tap Open; the one-time link the app opened in a new tab. The tab is stopped before it fetches (from
    now on this browser fetches document links only by script, never by opening them)."""
    links: list[str] = []

    def hold(route):
        if route.request.is_navigation_request():
            links.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    phone.page.context.route("**/documents/**", hold)
    phone.tap_id(identifier)
    deadline = time.monotonic() + scaled_ms(15_000) / 1000
    while not links and time.monotonic() < deadline:
        phone.page.wait_for_timeout(100)  # lets Playwright run the route handler
    assert links, f"{identifier}: no link was opened"
    return links[0]


def test_the_transfer_pack_downloads_in_the_browser_that_asked_and_no_other_browser_can_fetch_it(
        phone, browser, make_app, read_pdf, artifacts_dir):
    app = make_app()
    phone.open(app.url)
    send_a_resident_to_hospital(phone)
    phone.by_id("transfer-pack-preview").first.wait_for(timeout=scaled_ms(10_000))  # page one, as a picture
    assert phone.by_id("transfer-pack-share").count() == 0  # a browser: Open and Download

    # Download: a real browser download, over this session's own connection.
    with phone.page.expect_download(timeout=scaled_ms(20_000)) as downloading:
        phone.tap_id("transfer-pack-download")
    download = downloading.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = open(download.path(), "rb").read()
    assert pdf.startswith(b"%PDF-")
    assert "Margaret Smith" in flat(read_pdf(pdf, name="downloaded.pdf"))
    phone.wait_id_text("transfer-pack-message", "downloaded")
    phone.page.screenshot(path=str(artifacts_dir / "documents-pack-phone.png"))

    # Open: a one-time link for this browser only.
    link = link_the_open_button_makes(phone, "transfer-pack-open")
    assert "/documents/" in link

    stranger = browser.new_context()  # never signed in
    answer = stranger.request.get(link)
    assert answer.status == 404 and "expired" in answer.text()
    stranger.close()

    other = browser.new_context(viewport={"width": 390, "height": 844})  # another person, signed in
    try:
        from tests.support.flet_ui import FletPage

        colleague = FletPage(other.new_page())
        colleague.open(app.url)
        colleague.sign_in(None, "hospital", DEMO_PASSWORD, until="transfer-list")
        assert other.cookies(app.url), "the app gave the other browser its own cookie"
        answer = other.request.get(link)
        assert answer.status == 404 and answer.headers["cache-control"] == "no-store"
    finally:
        other.close()

    # The browser that asked still gets it (the others' tries did not use it up), once, never cached.
    fetch = """async url => {
        const answer = await fetch(url);
        const start = new Uint8Array(await answer.arrayBuffer()).slice(0, 5);
        return [answer.status, answer.headers.get("content-type"), answer.headers.get("cache-control"),
                String.fromCharCode(...start)];
    }"""
    assert phone.page.evaluate(fetch, link) == [200, "application/pdf", "no-store", "%PDF-"]
    assert phone.page.evaluate(fetch, link)[0] == 404  # used
