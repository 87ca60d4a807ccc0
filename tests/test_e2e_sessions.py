"""Acceptance (issue 10, web mode): each browser its own sign-in, and every role can sign out.

Real processes (the central API, the app in web mode) and the real UI in headless Chromium.
"""

from __future__ import annotations

import httpx
import pytest

from tests.support.app_process import AppProcess
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER, sign_in
from tests.support.flet_ui import FletPage
from tests.support.server_process import start_server
from tests.support.timing import scaled
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CARER, CARER_PASSWORD = "carer.bea", "a long carer passphrase"


def register_carer(server_url: str) -> None:
    """The demo has no carer account: the demo manager invites one, who registers."""
    invite = httpx.post(f"{server_url}/accounts/invites", json={"home_id": DEMO_HOME}, headers=sign_in(server_url),
                        timeout=scaled(10))
    invite.raise_for_status()
    registered = httpx.post(f"{server_url}/accounts/register", timeout=scaled(10), json={
        "invite_code": invite.json()["invite_code"], "username": CARER, "display_name": "Carer Bea",
        "password": CARER_PASSWORD})
    registered.raise_for_status()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One central API (with a carer) and one app in web mode for the module's tests."""
    root = tmp_path_factory.mktemp("sessions")
    server = start_server(root / "central.sqlite3")
    register_carer(server.url)
    app = AppProcess(root / "app", root / "app-keyring.json", server.url).start()
    yield app
    app.stop()
    server.stop()


# (user name, password, a control on that role's first screen)
ROLES = {
    "manager": (DEMO_USER, DEMO_PASSWORD, "bed-confirm"),
    "carer": (CARER, CARER_PASSWORD, "bed-confirm"),
    "champion": ("champion", DEMO_PASSWORD, "home-list"),
    "commissioner": ("commissioner", DEMO_PASSWORD, "sign-out"),
    "hospital": ("hospital", DEMO_PASSWORD, "sign-out"),
    "admin": ("admin", DEMO_PASSWORD, "sign-out"),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_every_role_finds_sign_out_on_its_first_screen(phone, served, role, artifacts_dir):
    username, password, first_screen = ROLES[role]
    phone.open(served.url)
    phone.sign_in(None, username, password, until=first_screen)
    phone.page.screenshot(path=str(artifacts_dir / f"first-screen-{role}-phone.png"))
    phone.tap_id("sign-out")
    phone.page.get_by_label("User name", exact=True).wait_for()
    phone.wait_text("Signed out")


OTHER_HOME, OTHER_MANAGER = "1-8503184790", "manager-1-8503184790"  # Amberley Care Home


def confirmed_at(server_url: str, home_id: str, username: str) -> str | None:
    answer = httpx.get(f"{server_url}/homes/{home_id}/bed-state", headers=sign_in(server_url, username),
                       timeout=scaled(10))
    answer.raise_for_status()
    status = answer.json()["status"]
    return status and status["confirmed_at"]


def shows_sign_in(tab) -> None:
    tab.page.bring_to_front()  # as a person looks at the tab (a hidden tab's canvas may not repaint)
    tab.page.get_by_label("User name", exact=True).wait_for()
    assert tab.by_id("bed-confirm").count() == 0 and tab.by_id("bed-save").count() == 0  # nothing to save with


@pytest.mark.timeout(300)
def test_each_browser_has_its_own_sign_in(browser, phone, make_app, central_api):
    app = make_app()
    phone.open(app.url)
    phone.sign_in(None, DEMO_USER, DEMO_PASSWORD)
    phone.wait_id_text("home-name", "Allingham House Care Centre")

    # Another browser (no cookies, no storage) opening the same URL: the sign-in screen, no home's data.
    with browser.new_context(viewport={"width": 390, "height": 844}) as other_context:
        other = FletPage(other_context.new_page())
        other.open(app.url)
        shows_sign_in(other)
        assert "Allingham" not in other.page.content()

        # Two people, two accounts at once; each sees only their own home and sends their own change.
        other.sign_in(None, OTHER_MANAGER, DEMO_PASSWORD)
        other.wait_id_text("home-name", "Amberley Care Home")
        phone.wait_id_text("home-name", "Allingham House Care Centre")
        assert "Amberley" not in phone.page.content() and "Allingham" not in other.page.content()
        phone.tap_id("bed-confirm")
        other.tap_id("bed-confirm")
        wait_until(lambda: confirmed_at(central_api.url, DEMO_HOME, DEMO_USER), timeout=15,
                   what="the demo manager's confirmation on the central API")
        wait_until(lambda: confirmed_at(central_api.url, OTHER_HOME, OTHER_MANAGER), timeout=15,
                   what="the other manager's confirmation on the central API")

        # A reload keeps the session; a second tab of the same browser shows it too.
        phone.page.reload()
        phone.open(app.url)
        phone.wait_id_text("home-name", "Allingham House Care Centre")
        second_tab = FletPage(phone.page.context.new_page())
        second_tab.open(app.url)
        second_tab.wait_id_text("home-name", "Allingham House Care Centre")

        # Signing out in one tab signs out the browser's other tab; the other browser stays signed in.
        phone.tap_id("sign-out")
        shows_sign_in(phone)
        shows_sign_in(second_tab)
        second_tab.wait_text("Signed out")
        other.wait_id_text("home-name", "Amberley Care Home")

        # The app restarts: the signed-in browser is still signed in, with no password asked.
        app.stop()
        app.start()
        other.open(app.url)
        other.wait_id_text("home-name", "Amberley Care Home", timeout=30_000)
        other.wait_id_text("sync-status", "Sent ", timeout=20_000)
