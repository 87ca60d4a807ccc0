"""`python3 dev.py up` as a user starts it (README's first command), on free ports and a temporary data folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx

from tests.support.ports import free_port
from tests.support.timing import scaled

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class DevUp:
    process: subprocess.Popen
    env: dict[str, str]
    api_url: str
    app_url: str
    output: str = ""

    def dev(self, *args: str) -> subprocess.CompletedProcess:
        """Another `python3 dev.py ...` beside it (e.g. `api stop`), with the same settings."""
        return subprocess.run([sys.executable, "dev.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=scaled(60))


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def dev_up(tmp_path: Path) -> Iterator[DevUp]:
    """Start `dev.py up`, wait for it to say it is ready, yield it; stop it with Ctrl-C (SIGINT) afterwards.

    ``returncode`` of ``process`` is set once the block ends; ``output`` holds what it printed up to "ready".
    """
    api_port, app_port = free_port(), free_port()
    env = {
        **os.environ,
        "CHC_SERVER_PORT": str(api_port),
        "CHC_APP_PORT": str(app_port),
        "CHC_DATABASE_URL": f"sqlite:///{tmp_path / 'central.sqlite3'}",
        "CHC_DATA_DIR": str(tmp_path / "app"),
    }
    process = subprocess.Popen([sys.executable, "dev.py", "up"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    up = DevUp(process, env, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{app_port}/")
    try:
        printed: list[str] = []
        deadline = time.monotonic() + scaled(90)
        while time.monotonic() < deadline and not any("Stop with Ctrl-C" in line for line in printed):
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            printed.append(line)
        up.output = "".join(printed)
        yield up
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(scaled(20))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
