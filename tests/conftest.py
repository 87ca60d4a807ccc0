"""Shared fixtures (real central API processes, real app processes, headless Chromium, PDF text) and the
rules every test follows: its marks and its time limit.

Marks (the fast lane is ``-m "not slow and not browser"``):
- ``browser``: a test that uses a browser fixture (``chromium``, ``browser``, ``phone``, ``tablet``) must say so;
  collection fails otherwise.
- ``slow``: set here on every test that uses a fixture starting real processes (``PROCESS_FIXTURES``); a
  module whose tests start processes themselves marks them with ``pytestmark = pytest.mark.slow``.

Time limits: each test's budget (pyproject's ``timeout``, or the test's own ``timeout`` mark) is what it
needs on an idle 2-core machine; it is stretched by the machine's slowness when the test starts
(tests/support/timing.py), so a loaded machine gives more time instead of failing.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from client.store import open_device_store
from tests.support import central_inprocess, timing
from tests.support.app_process import AppProcess, keep_process_logs
from tests.support.auth import DEMO_HOME, sign_in
from tests.support.availability import unavailable
from tests.support.demo_database import with_cheap_demo_passwords
from tests.support.flet_ui import CHROMIUM_ARGS, chromium_path, open_tab
from tests.support.pdf_text import PdfReader, pdftotext_path
from tests.support.postgres import postgres_cluster, postgres_url  # noqa: F401 - fixtures
from tests.support.records import bed_record, care_home_record
from tests.support.scheduling import longest_scopes_first
from tests.support.server_process import start_server
from tests.support.shared_device import SharedDevice

BROWSER_FIXTURES = frozenset({"chromium", "browser", "phone", "tablet"})
PROCESS_FIXTURES = frozenset({"central_api", "make_app", "postgres_cluster", "postgres_url"})


# -- marks and time limits ------------------------------------------------------------------------------


def pytest_sessionstart(session) -> None:
    timing.calibration()  # once, before any test loads the machine


def pytest_report_header(config) -> str:
    return timing.describe()


@pytest.hookimpl(tryfirst=True)  # before -m deselects: the marks set here must count
def pytest_collection_modifyitems(config, items) -> None:
    unmarked = []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & PROCESS_FIXTURES:
            item.add_marker(pytest.mark.slow)
        if fixtures & BROWSER_FIXTURES and item.get_closest_marker("browser") is None:
            unmarked.append(item.nodeid)
    if unmarked:
        raise pytest.UsageError("these tests use the browser but are not marked browser "
                                "(pytestmark = pytest.mark.browser):\n  " + "\n  ".join(unmarked))
    # Longest modules first, so that xdist's workers finish together (tests/support/scheduling.py).
    given = config.getoption("timeout", None)
    longest_scopes_first(items, float(given if given is not None else config.getini("timeout") or 0))


def _budget(item) -> float:
    """What the test needs on an idle machine: its own timeout mark, else the run's default (0: no limit)."""
    marker = item.get_closest_marker("timeout")
    if marker is not None:
        return float(marker.args[0] if marker.args else marker.kwargs.get("timeout", 0))
    given = item.config.getoption("timeout", None)
    return float(given if given is not None else item.config.getini("timeout") or 0)


@pytest.hookimpl(wrapper=True, tryfirst=True)  # before pytest-timeout reads the mark
def pytest_runtest_protocol(item, nextitem):
    budget = _budget(item)
    if budget > 0:
        item.add_marker(pytest.mark.timeout(timing.scaled(budget)), append=False)
    return (yield)


# -- fixtures -------------------------------------------------------------------------------------------


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
        unavailable("Chromium is not installed (Debian package 'chromium'; `python3 dev.py test` installs it)")
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
    with open_tab(browser, 390, 844) as tab:
        yield tab


@pytest.fixture
def tablet(browser):
    """A tablet-sized browser tab (820x1180)."""
    with open_tab(browser, 820, 1180) as tab:
        yield tab


@pytest.fixture
def central(tmp_path, demo_database):
    """The central API in-process (``central_inprocess.serving``) on a copy of the demo database, with the small
    area of tests/support/area_homes.py seeded as each home's manager would push it. A test module that needs
    another in-process API defines its own ``central``."""
    from tests.support.area_homes import seed_area

    path = tmp_path / "central.sqlite3"
    with central_inprocess.serving(path, template=demo_database) as client:
        seed_area(client, f"sqlite:///{path}")
        yield client


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
        self._headers: dict[str, str] | None = None

    def headers(self) -> dict[str, str]:
        if self._headers is None:
            self._headers = sign_in(self.url)
        return self._headers

    def bed_state(self, home_id: str = DEMO_HOME) -> dict:
        response = httpx.get(f"{self.url}/homes/{home_id}/bed-state", headers=self.headers(),
                             timeout=timing.scaled(5))
        response.raise_for_status()
        return response.json()

    def beds(self, category: str, home_id: str = DEMO_HOME) -> dict:
        return next(b for b in self.bed_state(home_id)["beds"] if b["category"] == category)


@pytest.fixture
def api(central_api) -> ApiReader:
    return ApiReader(central_api.url)


@pytest.fixture
def artifacts_dir() -> Path:
    path = Path(__file__).resolve().parents[1] / ".ci-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failing test, keep what explains it in .ci-artifacts: a screenshot of what the user would have seen
    (browser tests), and the logs of the app and central API processes it started (gone with tmp_path otherwise)."""
    outcome = yield
    report = outcome.get_result()
    funcargs = getattr(item, "funcargs", {})
    if report.when != "call" or not report.failed:
        return
    artifacts = Path(__file__).resolve().parents[1] / ".ci-artifacts"
    artifacts.mkdir(exist_ok=True)
    for device in ("phone", "tablet"):
        if device in funcargs:
            funcargs[device].keep_artifacts(artifacts, item.name, device)
    keep_process_logs(artifacts, item.name, funcargs)
    for value in funcargs.values():  # a module's shared device (tests/support/shared_device.py)
        if isinstance(value, SharedDevice):
            value.keep_artifacts(artifacts, item.name)


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """The seeded central database, to copy: ``make_app(path, template=demo_database)`` (tests/support/demo_database.py)."""
    path = tmp_path_factory.mktemp("demo-database") / "central.sqlite3"
    central_inprocess.make_app(path)  # the server's own migrations and demo seeding, once
    return with_cheap_demo_passwords(path)


@pytest.fixture(scope="session")
def pdftotext() -> str:
    return pdftotext_path()


@pytest.fixture
def read_pdf(pdftotext, tmp_path) -> PdfReader:
    """Reads a one-page PDF back as text: ``read_pdf(pdf_bytes)`` (tests/support/pdf_text.py)."""
    return PdfReader(pdftotext, tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def database_url(request, tmp_path) -> str:
    """A fresh, empty central database: a SQLite file, then a PostgreSQL database (same test, both engines)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.sqlite3'}"
    return request.getfixturevalue("postgres_url")
