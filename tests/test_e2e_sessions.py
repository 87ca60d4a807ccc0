"""Acceptance (issue 10, web mode): every role can sign out from its first screen.

Real processes (the central API, the app in web mode) and the real UI in headless Chromium.
"""

from __future__ import annotations

import httpx
import pytest

from tests.support.app_process import AppProcess
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER, sign_in
from tests.support.server_process import start_server
from tests.support.timing import scaled

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
    "commissioner": ("commissioner", DEMO_PASSWORD, "sync-status"),
    "hospital": ("hospital", DEMO_PASSWORD, "sync-status"),
    "admin": ("admin", DEMO_PASSWORD, "sync-status"),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_every_role_finds_sign_out_on_its_first_screen(phone, served, role):
    username, password, first_screen = ROLES[role]
    phone.open(served.url)
    phone.sign_in(None, username, password, until=first_screen)
    phone.tap_id("sign-out")
    phone.page.get_by_label("User name", exact=True).wait_for()
    phone.wait_text("Signed out")
