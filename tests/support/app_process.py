"""Start the real app (``python -m client``, web mode) as a process on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppProcess:
    """The app as a user runs it: its own data dir; the token in a (test) key store outside it."""

    def __init__(self, data_dir: Path, keyring_file: Path, server_url: str, port: int | None = None,
                 poll_interval: float = 2.0, extra_args: tuple[str, ...] = ()) -> None:
        self.data_dir, self.keyring_file, self.server_url = data_dir, keyring_file, server_url
        self.port = port or free_port()
        self.poll_interval = poll_interval
        self.extra_args = tuple(extra_args)
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir.parent / f"app-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "AppProcess":
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHON_KEYRING_BACKEND": "tests.support.keyring_backend.TestFileKeyring",
            "CHC_TEST_KEYRING_FILE": str(self.keyring_file),
        }
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "client", "--server-url", self.server_url, "--port", str(self.port),
             "--data-dir", str(self.data_dir), "--poll-interval", str(self.poll_interval), *self.extra_args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app exited ({self.process.returncode}):\n{self.log()}")
            try:
                if httpx.get(self.url, timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"app did not start:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """As the OS kills an app: no chance to clean up."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
