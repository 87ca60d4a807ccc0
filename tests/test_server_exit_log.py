"""Every exit of `python -m server_stub` says why on stderr (issue 14: a server process under load exited
with no log line). Real processes: a signal (SIGTERM, SIGHUP) is logged when it arrives and again once the
requests in progress are finished; a database that does not answer at start is named, with exit code 1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.ports import free_port
from tests.support.timing import scaled
from tests.support.waiting import wait_until

pytestmark = pytest.mark.timeout(120)
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _start(tmp_path: Path, database_url: str, port: int) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / "stderr.log"
    command = [sys.executable, "-m", "server_stub", "--port", str(port), "--database-url", database_url, "--no-demo"]
    with log.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=stderr,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    return process, log


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_that_stops_the_server_is_logged_with_its_name(tmp_path, sig):
    port = free_port()
    process, log = _start(tmp_path, f"sqlite:///{tmp_path / 'central.sqlite3'}", port)
    try:
        wait_until(lambda: httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200, timeout=30,
                   what="the server up")
        process.send_signal(sig)
        process.wait(scaled(30))
    finally:
        if process.poll() is None:
            process.kill()
    text = log.read_text()
    assert f"stopping: received {sig.name}; finishing the requests in progress" in text, text
    assert f"stopped ({sig.name})" in text, text


def test_a_database_that_does_not_answer_at_start_is_named_and_the_exit_code_is_1(tmp_path):
    closed = free_port()  # nothing listens there
    process, log = _start(tmp_path, f"postgresql://chc:secret@127.0.0.1:{closed}/central", free_port())
    assert process.wait(scaled(60)) == 1
    text = log.read_text()
    assert f"exiting: cannot start: the database (PostgreSQL 127.0.0.1:{closed}/central) did not answer" in text, text
    assert "secret" not in text
