"""Shared fixtures: real central API processes, real app processes, headless Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from client.store import open_device_store
from tests.support.app_process import AppProcess
from tests.support.flet_ui import CHROMIUM_ARGS, FletPage, chromium_path
from tests.support.postgres import postgres_cluster, postgres_url  # noqa: F401 - fixtures
from tests.support.records import bed_record, care_home_record
from tests.support.server_process import start_server

IN_CI = os.environ.get("CI", "").lower() == "true"
DEMO_USER, DEMO_PASSWORD, DEMO_HOME = "demo", "carehome-demo", "1-1938268568"


@pytest.fixture
def device_store(tmp_path):
    """A device database holding the demo home, as after its first pull: its local store and its sync half."""
    opened = open_device_store(tmp_path)
    opened.sync.apply_pull_page([care_home_record(1), bed_record("nursing", 2), bed_record("nursing_dementia", 3)], 3)
    yield opened
    opened.store.close()


@pytest.fixture
def store(device_store):
    """What screens use: records, outbox, meta, sync log."""
    return device_store.store


@pytest.fixture
def sync(device_store):
    """What the sync engine uses: pending batches, settle, pull pages (tests play the engine's part)."""
    return device_store.sync


@pytest.fixture
def memory_keyring():
    """Tokens of in-process devices in memory (a headless test machine has no OS key store)."""
    import keyring

    from tests.support.keyring_backend import MemoryKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        message = "Chromium is not installed (Debian package 'chromium'; `python3 dev.py test` installs it)"
        if IN_CI:
            pytest.fail(message + ": under CI=true browser tests must run")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium):
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A phone-sized browser tab (390x844)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield FletPage(context.new_page())
    context.close()


@pytest.fixture
def tablet(browser):
    """A tablet-sized browser tab (820x1180)."""
    context = browser.new_context(viewport={"width": 820, "height": 1180})
    yield FletPage(context.new_page())
    context.close()


@pytest.fixture
def central_api(tmp_path):
    server = start_server(tmp_path / "central.sqlite3")
    yield server
    server.stop()


@pytest.fixture
def make_app(tmp_path, central_api):
    """Start the app (web mode) against the central API; stopped after the test."""
    apps: list[AppProcess] = []

    def make(name: str = "device", server_url: str | None = None, **kwargs) -> AppProcess:
        app = AppProcess(tmp_path / name, tmp_path / f"{name}-keyring.json", server_url or central_api.url, **kwargs)
        apps.append(app)
        return app.start()

    yield make
    for app in apps:
        app.stop()


class ApiReader:
    """Reads what the central API holds, as the demo manager."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            response = httpx.post(f"{self.url}/auth/sign-in", json={"username": DEMO_USER, "password": DEMO_PASSWORD})
            response.raise_for_status()
            self._token = response.json()["token"]
        return self._token

    def bed_state(self, home_id: str = DEMO_HOME) -> dict:
        response = httpx.get(f"{self.url}/homes/{home_id}/bed-state",
                             headers={"Authorization": f"Bearer {self.token()}"}, timeout=5)
        response.raise_for_status()
        return response.json()

    def beds(self, category: str, home_id: str = DEMO_HOME) -> dict:
        return next(b for b in self.bed_state(home_id)["beds"] if b["category"] == category)


@pytest.fixture
def api(central_api) -> ApiReader:
    return ApiReader(central_api.url)


def demo_login(server_url: str) -> tuple[str, str, str]:
    return server_url, DEMO_USER, DEMO_PASSWORD


@pytest.fixture
def artifacts_dir() -> Path:
    path = Path(__file__).resolve().parents[1] / ".ci-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failing browser test, keep a screenshot of what the user would have seen."""
    outcome = yield
    report = outcome.get_result()
    funcargs = getattr(item, "funcargs", {})
    if report.when != "call" or not report.failed:
        return
    for device in ("phone", "tablet"):
        if device not in funcargs:
            continue
        path = Path(__file__).resolve().parents[1] / ".ci-artifacts" / f"{item.name}-{device}.png"
        path.parent.mkdir(exist_ok=True)
        try:
            funcargs[device].page.screenshot(path=str(path))
        except Exception:  # noqa: BLE001 - the browser may be gone
            pass


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty central database: a SQLite file, then a PostgreSQL database (same test, both engines)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.sqlite3'}"
    return request.getfixturevalue("postgres_url")
