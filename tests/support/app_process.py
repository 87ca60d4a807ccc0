"""Start the real app (``python -m client``, web mode) as a process on loopback."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from client.context import BROWSERS_DIR, TOKENS_FILE, browser_keys
from client.credentials import SealedTokenFile
from tests.support.ports import PortTaken, free_port, listens_on, port_taken, start_retrying_taken_ports
from tests.support.timing import scaled

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


class AppProcess:
    """The app as a user runs it: its own data dir; the token in a (test) key store outside it."""

    def __init__(self, data_dir: Path, keyring_file: Path, server_url: str, port: int | None = None,
                 poll_interval: float = 2.0, extra_args: tuple[str, ...] = ()) -> None:
        self.data_dir, self.keyring_file, self.server_url = data_dir, keyring_file, server_url
        self._port_chosen_here = port is None  # then another port is tried if this one is taken meanwhile
        self.port = port or free_port()
        self.poll_interval = poll_interval
        self.extra_args = tuple(extra_args)
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir.parent / f"app-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "AppProcess":
        return start_retrying_taken_ports(self._start_once, self._another_port if self._port_chosen_here else None)

    def _another_port(self) -> None:
        self.port = free_port()

    def _start_once(self) -> "AppProcess":
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHON_KEYRING_BACKEND": "tests.support.keyring_backend.TestFileKeyring",
            "CHC_TEST_KEYRING_FILE": str(self.keyring_file),
        }
        log = open(self.log_path, "ab")
        logged_before = log.tell()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "client", "--server-url", self.server_url, "--port", str(self.port),
             "--data-dir", str(self.data_dir), "--poll-interval", str(self.poll_interval), *self.extra_args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()  # the child has its own copy
        deadline = time.monotonic() + scaled(STARTUP_TIMEOUT_S)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if port_taken(self.log_path.read_bytes()[logged_before:].decode(errors="replace")):
                    raise PortTaken(f"port {self.port} is taken:\n{self.log()}")
                raise RuntimeError(f"app exited ({self.process.returncode}):\n{self.log()}")
            try:
                answered = httpx.get(self.url, timeout=1).status_code == 200
                # The answer may come from another process that took the port first.
                if answered and listens_on(self.process.pid, self.port) is not False:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"app did not start:\n{self.log()}")

    def device_dir(self) -> Path:
        """The folder of the one browser that signed in to this app (web mode: each browser is a device)."""
        folders = sorted(p for p in (self.data_dir / BROWSERS_DIR).glob("*") if p.is_dir())
        assert len(folders) == 1, f"expected one browser's folder, found {folders}"
        return folders[0]

    def device_db(self) -> Path:
        return self.device_dir() / "carehome-connect.sqlite3"

    def sealed_tokens(self, browser_secret: str) -> SealedTokenFile:
        """The browser's tokens as the app keeps them, opened with the secret only that browser holds."""
        return SealedTokenFile(self.device_dir() / TOKENS_FILE, browser_keys(browser_secret).token_key)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """As the OS kills an app: no chance to clean up."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(scaled(STOP_TIMEOUT_S))

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(scaled(STOP_TIMEOUT_S))
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(scaled(STOP_TIMEOUT_S))


def keep_process_logs(artifacts: Path, test_name: str, fixtures: dict) -> None:
    """Copy the logs of the app processes (``app-<port>.log`` in the test's tmp_path) and the central API's output
    of a failed test into ``artifacts``, named after the test."""
    tmp_path = fixtures.get("tmp_path")
    if isinstance(tmp_path, Path):
        for log in sorted(tmp_path.glob("app-*.log")):
            shutil.copyfile(log, artifacts / f"{test_name}-{log.name}")
    server = fixtures.get("central_api")
    if server is not None and hasattr(server, "output"):
        (artifacts / f"{test_name}-central-api.log").write_text(server.output())
