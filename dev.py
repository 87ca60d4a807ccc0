#!/usr/bin/env python3
"""The two commands in README, using nothing but Python 3.11+ to start.

    python3 dev.py up     # the app in web mode plus the central API on an embedded SQLite file
    python3 dev.py test   # the whole test suite (installs Chromium, PostgreSQL and poppler-utils from Debian where it can)
    python3 dev.py api stop|start   # while `up` runs (another terminal): take the central API down and up again,
                                    # to try the app offline; the app keeps running and syncs when it is back

Each makes a virtual environment in .venv and installs the project into it
(again only when pyproject.toml changes).
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
CHROMIUM = "/usr/bin/chromium"


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def install_inputs() -> str:
    """A digest of what the install depends on: pyproject's [build-system] and [project], not tool settings."""
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = {table: data.get(table) for table in ("build-system", "project")}
    return hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()


@contextlib.contextmanager
def venv_lock():
    """One install at a time: two commands started together (two test runs, say) wait for each other."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock
        yield
        return
    with open(ROOT / ".venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit("Care Home Connect needs Python 3.11 or newer")
    with venv_lock():
        if not PYTHON.exists():
            say("creating the virtual environment in .venv")
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        stamp = VENV / ".installed"
        wanted = install_inputs()
        if stamp.exists() and stamp.read_text() == wanted:
            return
        say("installing the project and its packages (first run only)")
        pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
        stamp.write_text(wanted)


def apt_install(*packages: str) -> bool:
    """Install Debian packages when this machine can (root or sudo, with apt-get)."""
    if not shutil.which("apt-get"):
        return False
    prefix: list[str] = []
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        if not shutil.which("sudo"):
            return False
        prefix = ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    say(f"installing {' '.join(packages)} from Debian")
    update = subprocess.run([*prefix, "apt-get", "update", "-qq"], env=env)
    install = subprocess.run([*prefix, "apt-get", "install", "-y", "-qq", *packages], env=env,
                             stdout=subprocess.DEVNULL)
    return update.returncode == 0 and install.returncode == 0


def ensure_chromium() -> None:
    if Path(CHROMIUM).exists() or os.environ.get("CHC_CHROMIUM"):
        return
    if not apt_install("chromium", "fonts-dejavu-core"):
        say("Chromium is not installed and cannot be installed here: browser tests will be skipped "
            "(under CI=true they fail instead)")


def ensure_postgresql() -> None:
    """The server tests run on SQLite and on a throwaway PostgreSQL cluster: they need its server binaries."""
    if glob.glob("/usr/lib/postgresql/*/bin/initdb") or shutil.which("initdb"):
        return
    if not apt_install("postgresql"):
        say("PostgreSQL is not installed and cannot be installed here: PostgreSQL tests will be skipped "
            "(under CI=true they fail instead)")


def ensure_poppler() -> None:
    """The PDF report tests read their PDFs back with pdftotext and pdfinfo (Debian's poppler-utils)."""
    if shutil.which("pdftotext"):
        return
    if not apt_install("poppler-utils"):
        say("pdftotext is not installed and cannot be installed here: PDF report tests will be skipped "
            "(under CI=true they fail instead)")


def wait_for(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{url} did not start (exit code {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} did not answer within {timeout:.0f} s")


def api_state_file(port: str) -> Path:
    """What `up` started the central API with, so `dev.py api start` can start it again the same way."""
    return VENV / f"dev-api-{port}.json"


def start_api(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})


def stop_process(process_id: int, timeout: float = 10) -> None:
    """Ctrl-C for a process we started (SIGINT lets uvicorn and flet shut down cleanly), then kill."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(process_id, signal.SIGINT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not process_alive(process_id):
                return
            time.sleep(0.1)
        os.kill(process_id, signal.SIGKILL)


def process_alive(process_id: int) -> bool:
    try:
        finished, _ = os.waitpid(process_id, os.WNOHANG)  # reaps it if it is our child
        if finished:
            return False
    except ChildProcessError:
        pass  # not our child (started by `dev.py api start`): ask the system
    try:
        os.kill(process_id, 0)
    except ProcessLookupError:
        return False
    return True


def up(args: list[str]) -> int:
    ensure_venv()
    api_port = os.environ.get("CHC_SERVER_PORT", "8000")
    app_port = os.environ.get("CHC_APP_PORT", "8550")
    api_url = f"http://127.0.0.1:{api_port}"
    command = [str(PYTHON), "-m", "server_stub", "--port", api_port, *args]
    api_env = {name: value for name, value in os.environ.items() if name.startswith("CHC_")}
    state = api_state_file(api_port)
    server = start_api(command, api_env)
    state.write_text(json.dumps({"pid": server.pid, "command": command, "env": api_env, "url": api_url}))
    app = None
    try:
        wait_for(f"{api_url}/health", server)
        app = subprocess.Popen([str(PYTHON), "-m", "client", "--server-url", api_url, "--port", app_port], cwd=ROOT)
        wait_for(f"http://127.0.0.1:{app_port}/", app, timeout=60)
        print(
            f"\n  Open the app:     http://127.0.0.1:{app_port}\n"
            f"  Central API:      {api_url}  (OpenAPI: {api_url}/openapi.json)\n"
            "  Demo login:       demo / carehome-demo   (server address as above)\n"
            "  Try it offline:   python3 dev.py api stop   (then: python3 dev.py api start)\n"
            "  Stop with Ctrl-C.\n",
            flush=True,
        )
        # Only the app ends the session: the API may be stopped and started again meanwhile (dev.py api).
        while app.poll() is None:
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if app is not None and app.poll() is None:
            stop_process(app.pid)
        with contextlib.suppress(FileNotFoundError, ValueError):
            running = json.loads(state.read_text()).get("pid")
            if running:
                stop_process(running)
        state.unlink(missing_ok=True)


def api(args: list[str]) -> int:
    """python3 dev.py api stop|start: the central API that `up` started, down and up again (the app keeps running)."""
    if args not in (["stop"], ["start"]):
        print("Use: python3 dev.py api stop   or   python3 dev.py api start   (while python3 dev.py up runs)")
        return 2
    api_port = os.environ.get("CHC_SERVER_PORT", "8000")
    state_path = api_state_file(api_port)
    if not state_path.exists():
        print("The app is not running on this machine (start it with: python3 dev.py up)")
        return 1
    state = json.loads(state_path.read_text())
    running = state.get("pid") and process_alive(state["pid"])
    if args == ["stop"]:
        if running:
            stop_process(state["pid"])
        state_path.write_text(json.dumps({**state, "pid": None}))
        say("central API stopped: the app keeps running offline (start it again with: python3 dev.py api start)")
        return 0
    if running:
        say(f"central API already running at {state['url']}")
        return 0
    # A session of its own: Ctrl-C in this terminal must not reach it; `up` stops it when the app stops.
    server = subprocess.Popen(state["command"], cwd=ROOT, env={**os.environ, **state["env"]}, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state_path.write_text(json.dumps({**state, "pid": server.pid}))
    wait_for(f"{state['url']}/health", server)
    say(f"central API running again at {state['url']}: the app syncs what was saved meanwhile")
    return 0


def test(args: list[str]) -> int:
    ensure_venv()
    ensure_chromium()
    ensure_postgresql()
    ensure_poppler()
    if not args:  # the whole suite: its processes mostly wait on servers and browsers, so two workers or more
        args = ["-n", str(max(2, min(4, os.cpu_count() or 1))), "--dist", "loadscope",  # a module stays together
                # in the order tests/conftest.py gives (longest modules first), not xdist's most-tests-first
                "--no-loadscope-reorder",
                "--durations=25"]  # the slowest tests in the log: where CI's time goes
    command = [str(PYTHON), "-m", "pytest", *args]
    say(" ".join(command[2:]))
    return subprocess.run(command, cwd=ROOT).returncode


def main() -> int:
    commands = {"up": up, "test": test, "api": api}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
