"""Start the real central API (``python -m server_stub``) as a process on loopback.

    with start_server(tmp_path / "central.sqlite3") as server:
        httpx.get(f"{server.url}/health")
        server.stop(); server.start()  # restart: same port, same database

    start_server(None, database_url="postgresql://...")  # any database URL instead of a SQLite file
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.support.ports import PortTaken, free_port, listens_on, port_taken, start_retrying_taken_ports
from tests.support.timing import scaled

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0


class ServerProcess:
    def __init__(self, db_path: Path | None, port: int | None = None, *, seed_demo: bool = True,
                 extra_args: tuple[str, ...] = (), database_url: str | None = None) -> None:
        self.db_path = Path(db_path).resolve() if db_path is not None else None
        self._database_url = database_url
        # A port asked for is kept; one from free_port() may be taken meanwhile, and then another is tried.
        self._port_chosen_here = port is None
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.seed_demo = seed_demo
        self.extra_args = tuple(extra_args)
        self.process: subprocess.Popen | None = None
        self._log = None
        self._earlier_output = ""

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def database_url(self) -> str:
        if self._database_url is not None:
            return self._database_url
        return f"sqlite:///{self.db_path}"  # an absolute path gives sqlite:////...

    def start(self) -> "ServerProcess":
        if self.process is not None and self.process.poll() is None:
            return self
        return start_retrying_taken_ports(self._start_once, self._another_port if self._port_chosen_here else None)

    def _another_port(self) -> None:
        self.port = free_port()

    def _start_once(self) -> "ServerProcess":
        command = [
            sys.executable, "-m", "server_stub",
            "--host", self.host, "--port", str(self.port), "--database-url", self.database_url,
            *(() if self.seed_demo else ("--no-demo",)), *self.extra_args,
        ]
        # Output goes to a file, not a pipe: a full pipe would block the server. A restart's new file follows
        # what the earlier runs said (kept for a failing test's artifacts).
        if self._log is not None:
            self._earlier_output = self.output()
            self._log.close()
        self._log = tempfile.TemporaryFile()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        self._wait_until_healthy()
        return self

    def _wait_until_healthy(self) -> None:
        limit = scaled(STARTUP_TIMEOUT_S)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            self._check_running()
            try:
                healthy = httpx.get(f"{self.url}/health", timeout=1.0).status_code == 200
                # The answer may come from another process that took the port first.
                if healthy and listens_on(self.process.pid, self.port) is not False:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        output = self.output()
        self.stop()
        raise RuntimeError(f"central API did not answer /health within {limit:.0f} s:\n{output}")

    def _check_running(self) -> None:
        if self.process.poll() is None:
            return
        output = self.output()
        if port_taken(output):
            raise PortTaken(f"port {self.port} is taken:\n{output}")
        raise RuntimeError(f"central API exited with {self.process.returncode}:\n{output}")

    def output(self) -> str:
        """What the server printed since it was first started (all its runs, when it was restarted)."""
        if self._log is None:
            return self._earlier_output
        self._log.flush()
        self._log.seek(0)
        return self._earlier_output + self._log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=scaled(STOP_TIMEOUT_S))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=scaled(STOP_TIMEOUT_S))

    def __enter__(self) -> "ServerProcess":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def start_server(
    db_path: Path | str | None, port: int | None = None, *, seed_demo: bool = True, extra_args: tuple[str, ...] = (),
    database_url: str | None = None,
) -> ServerProcess:
    """Start a server process and wait until it answers; use it as a context manager or call .stop().

    ``database_url`` (e.g. a PostgreSQL one) replaces the SQLite file ``db_path``."""
    return ServerProcess(None if db_path is None else Path(db_path), port, seed_demo=seed_demo,
                         extra_args=extra_args, database_url=database_url).start()
