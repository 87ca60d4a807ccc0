"""One signed-in device for the tests of a module: the central API, the app and a browser tab started and signed
in once, instead of once per test (each costs seconds of process start-up, Flutter's start in the tab and a
sign-in).

Only for tests that leave nothing behind that another test of the module reads (a focus moved, a confirmation
that any order of the tests allows); a test that stops the API, kills the app or needs a fresh home keeps its
own processes (``central_api``, ``make_app``).

    @pytest.fixture(scope="module")
    def manager(browser, tmp_path_factory):
        with signed_in_device(browser, tmp_path_factory.mktemp("manager"), DEMO_USER) as device:
            yield device

A failing test that uses it keeps the device's screenshot, app log and API output (``keep_artifacts``, called by
tests/conftest.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.app_process import AppProcess
from tests.support.auth import DEMO_PASSWORD
from tests.support.flet_ui import FletPage, open_tab
from tests.support.server_process import ServerProcess, start_server

PHONE = (390, 844)


@dataclass
class SharedDevice:
    phone: FletPage
    app: AppProcess
    central_api: ServerProcess

    def keep_artifacts(self, directory: Path, test_name: str) -> None:
        try:
            self.phone.page.screenshot(path=str(directory / f"{test_name}-phone.png"))
        except Exception:  # noqa: BLE001 - the browser may be gone
            pass
        if self.app.log_path.exists():
            shutil.copyfile(self.app.log_path, directory / f"{test_name}-{self.app.log_path.name}")
        (directory / f"{test_name}-central-api.log").write_text(self.central_api.output())


@contextmanager
def signed_in_device(browser, root: Path, username: str, *, until: str = "bed-confirm",
                     size: tuple[int, int] = PHONE) -> Iterator[SharedDevice]:
    """The central API (demo data) and the app under ``root``, a tab of ``size`` signed in as ``username`` and
    showing the control ``until``; all stopped afterwards."""
    server = start_server(root / "central.sqlite3")
    app: AppProcess | None = None
    try:
        app = AppProcess(root / "device", root / "device-keyring.json", server.url).start()
        with open_tab(browser, *size) as phone:
            phone.open(app.url)
            phone.sign_in(None, username, DEMO_PASSWORD, until=until)
            yield SharedDevice(phone, app, server)
    finally:
        if app is not None:
            app.stop()
        server.stop()
