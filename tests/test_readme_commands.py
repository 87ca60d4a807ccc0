"""README's two commands: the documented ones are the ones that exist, CI runs the test one, and `up` works."""

import os
import re
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.ports import free_port
from tests.support.timing import scaled

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    return [line.split("#")[0].strip() for line in block.strip().splitlines()]


def test_readme_gives_exactly_two_commands_and_ci_runs_the_test_one():
    assert readme_commands() == ["python3 dev.py up", "python3 dev.py test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "exec python3 dev.py test" in ci
    assert os.access(ROOT / ".ci" / "run", os.X_OK)


def test_readme_screenshot_is_a_phone_sized_png():
    src = re.search(r'<img src="([^"]+)"', (ROOT / "README.md").read_text()).group(1)
    data = (ROOT / src).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (390, 844)


@pytest.mark.slow  # both processes, as a user starts them
def test_up_brings_up_the_app_and_the_central_api(tmp_path):
    api_port, app_port = free_port(), free_port()
    env = {
        **os.environ,
        "CHC_SERVER_PORT": str(api_port),
        "CHC_APP_PORT": str(app_port),
        "CHC_DATABASE_URL": f"sqlite:///{tmp_path / 'central.sqlite3'}",
        "CHC_DATA_DIR": str(tmp_path / "device"),
    }
    process = subprocess.Popen([sys.executable, "dev.py", "up"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    printed = []
    try:
        deadline = time.monotonic() + scaled(90)
        while time.monotonic() < deadline and not any("Stop with Ctrl-C" in line for line in printed):
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            printed.append(line)
        output = "".join(printed)
        assert f"Open the app:     http://127.0.0.1:{app_port}" in output, output
        assert "demo / carehome-demo" in output
        assert httpx.get(f"http://127.0.0.1:{api_port}/health").json()["status"] == "ok"
        page = httpx.get(f"http://127.0.0.1:{app_port}/")
        assert page.status_code == 200 and "flutter" in page.text.lower()
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(scaled(20))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
    assert process.returncode == 0
