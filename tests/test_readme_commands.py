"""README's two commands: the documented ones are the ones that exist, CI runs the test one, and `up` works."""

import os
import re
import struct
from pathlib import Path

import httpx
import pytest

from tests.support.dev_up import dev_up

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
    with dev_up(tmp_path) as up:
        assert f"Open the app:     {up.app_url.rstrip('/')}" in up.output, up.output
        assert "demo / carehome-demo" in up.output
        assert httpx.get(f"{up.api_url}/health").json()["status"] == "ok"
        page = httpx.get(up.app_url)
        assert page.status_code == 200 and "flutter" in page.text.lower()
    assert up.process.returncode == 0
