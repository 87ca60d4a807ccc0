"""Acceptance 6 (issue 13): with `dev.py up` running, the central API goes down and comes back
(`dev.py api stop|start`, as README says) and the app keeps running; a change saved meanwhile arrives."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from server_stub.demo_data import DEMO_HOME_ID
from tests.support import aio
from tests.support.auth import DEMO_PASSWORD
from tests.support.devices import make_device
from tests.support.ports import free_port
from tests.support.timing import scaled
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _dev(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "dev.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=scaled(60))


@pytest.mark.slow  # dev.py up and the API twice, as a user starts them
def test_the_api_stops_and_starts_while_the_app_runs_and_a_change_made_meanwhile_arrives(tmp_path, memory_keyring):
    api_port, app_port = free_port(), free_port()
    api_url, app_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{app_port}/"
    env = {
        **os.environ,
        "CHC_SERVER_PORT": str(api_port),
        "CHC_APP_PORT": str(app_port),
        "CHC_DATABASE_URL": f"sqlite:///{tmp_path / 'central.sqlite3'}",
        "CHC_DATA_DIR": str(tmp_path / "app"),
    }
    up = subprocess.Popen([sys.executable, "dev.py", "up"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, start_new_session=True)
    carer = make_device(tmp_path / "carer", api_url)
    office = make_device(tmp_path / "office", api_url)
    try:
        printed = []
        deadline = time.monotonic() + scaled(90)
        while time.monotonic() < deadline and not any("Stop with Ctrl-C" in line for line in printed):
            line = up.stdout.readline()
            if not line and up.poll() is not None:
                break
            printed.append(line)
        assert "python3 dev.py api stop" in "".join(printed), "".join(printed)
        aio.run(carer.session.sign_in(api_url, "demo", DEMO_PASSWORD))
        assert aio.run(carer.engine.sync_once())

        stopped = _dev(env, "api", "stop")
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        assert not _answers(f"{api_url}/health")
        assert up.poll() is None and _answers(app_url)  # the app is still up

        screen = carer.screen(DEMO_HOME_ID)
        before = screen.draft("nursing").counts["occupied"]
        screen.decrement("nursing", "occupied")
        assert screen.save(), screen.message
        assert not aio.run(carer.engine.sync_once())  # offline: it waits on the device
        assert carer.store.pending_count() >= 1

        started = _dev(env, "api", "start")
        assert started.returncode == 0, started.stdout + started.stderr
        assert _answers(f"{api_url}/health") and up.poll() is None and _answers(app_url)
        assert aio.run(carer.engine.sync_once()) and carer.store.pending_count() == 0

        # Another device, signing in to the API that came back, sees the change made while it was down.
        aio.run(office.session.sign_in(api_url, "demo", DEMO_PASSWORD))
        assert aio.run(office.engine.sync_once())
        assert office.store.record("bed_count", f"{DEMO_HOME_ID}/nursing").data["occupied"] == before - 1
    finally:
        carer.close()
        office.close()
        os.killpg(up.pid, signal.SIGINT)
        try:
            up.wait(scaled(20))
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)
            up.wait(5)
    assert up.returncode == 0
    # `up` stopped the API that `dev.py api start` started too.
    wait_until(lambda: not _answers(f"{api_url}/health"), timeout=10, what="the API to stop with the app")
