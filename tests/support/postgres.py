"""A throwaway PostgreSQL cluster for the test session.

    cluster = PostgresCluster.start()      # initdb + pg_ctl in a temp dir, free port on 127.0.0.1
    url = cluster.new_database()           # CREATE DATABASE ... TEMPLATE template0: a fresh, empty database
    cluster.stop()                         # pg_ctl stop, temp dir removed

The server binaries come from Debian's postgresql package (/usr/lib/postgresql/<v>/bin;
`python3 dev.py test` installs it when missing) or from PATH. PostgreSQL
refuses to run as root, so as root they run as the `postgres` user (created as
a system user when missing). Fixtures: `postgres_cluster` (one per session)
and `postgres_url` (a fresh database per test). Without PostgreSQL the tests
that need it are skipped, and under CI=true they fail instead.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.support.availability import unavailable
from tests.support.ports import PortTaken, free_port, port_taken, start_retrying_taken_ports
from tests.support.timing import scaled

SUPERUSER = "postgres"
PASSWORD = "chc-test-password"  # TCP connections use scram-sha-256, so the URL's password is really checked
RUN_AS = "postgres"
START_TIMEOUT_S = 60


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be started on this machine (why is in the message)."""


def find_bin_dir() -> Path | None:
    """The directory with initdb/pg_ctl: the newest Debian install, else PATH."""
    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parents[1].name
        return tuple(int(p) for p in name.split(".") if p.isdigit())

    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    if debian:
        return Path(debian[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _as_unprivileged() -> list[str]:
    """The command prefix that runs PostgreSQL's binaries as a non-root user (nothing if not root)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(RUN_AS)
    except KeyError:
        added = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", RUN_AS],
                               capture_output=True)
        if added.returncode not in (0, 9):  # 9: it exists (another test run added it meanwhile)
            raise PostgresUnavailable(f"useradd {RUN_AS} failed: {added.stderr!r}") from None
    if shutil.which("runuser"):
        return ["runuser", "-u", RUN_AS, "--"]
    raise PostgresUnavailable("running as root and `runuser` is missing: cannot start PostgreSQL as another user")


class PostgresCluster:
    def __init__(self, bin_dir: Path, root: Path, port: int) -> None:
        self.bin_dir = bin_dir
        self.root = root
        self.data = root / "data"
        self.socket_dir = root / "sockets"
        self.log = root / "postgres.log"
        self.port = port
        self.host = "127.0.0.1"
        self._prefix = _as_unprivileged()

    @classmethod
    def start(cls) -> "PostgresCluster":
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise PostgresUnavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed "
                                      "(Debian package 'postgresql'; `python3 dev.py test` installs it)")
        prefix = _as_unprivileged()
        # As root, in /tmp itself: the postgres user must be able to reach the directory (TMPDIR may be private).
        root = Path(tempfile.mkdtemp(prefix="chc-postgres-", dir="/tmp" if prefix and Path("/tmp").is_dir() else None))
        cluster = cls(bin_dir, root, free_port())
        try:
            cluster._init()
            start_retrying_taken_ports(cluster._start, cluster._another_port)
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _run(self, *command: str) -> None:
        result = subprocess.run([*self._prefix, *command], capture_output=True, text=True,
                                timeout=scaled(START_TIMEOUT_S))
        if result.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise PostgresUnavailable(f"{' '.join(command)} failed ({result.returncode}):\n"
                                      f"{result.stdout}{result.stderr}{log}")

    def _init(self) -> None:
        self.socket_dir.mkdir()
        password_file = self.root / "password"
        password_file.write_text(PASSWORD + "\n")
        if self._prefix:
            owner = pwd.getpwnam(RUN_AS)
            for path in (self.root, self.socket_dir, password_file):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--pwfile", str(password_file),
                  "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")

    def _start(self) -> None:
        # Throwaway data: durability off makes CREATE DATABASE and commits fast.
        options = (f"-c listen_addresses={self.host} -p {self.port} -k {self.socket_dir} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        try:
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                      "-w", "-t", str(round(scaled(START_TIMEOUT_S))), "start")
        except PostgresUnavailable as exc:
            if port_taken(str(exc)):  # by another process meanwhile (a second test run, say)
                raise PortTaken(str(exc)) from exc
            raise

    def _another_port(self) -> None:
        self.port = free_port()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}:{PASSWORD}@{self.host}:{self.port}/{database}"

    def new_database(self, template: str = "template0") -> str:
        """A fresh database, empty or a copy of ``template`` (a database's name: PostgreSQL copies its files,
        milliseconds where migrating and seeding take seconds); its URL."""
        import psycopg

        name = f"chc_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run([*self._prefix, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                            "-w", "stop"], capture_output=True, timeout=scaled(START_TIMEOUT_S))
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster():
    """One PostgreSQL server for the session; skipped without PostgreSQL (a failure under CI=true)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        psycopg = None
    try:
        if psycopg is None:
            raise PostgresUnavailable("psycopg is not installed (pip install -e '.[test]')")
        cluster = PostgresCluster.start()
    except (PostgresUnavailable, OSError, subprocess.SubprocessError) as exc:
        unavailable(f"PostgreSQL is not available: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster) -> str:
    """A fresh PostgreSQL database for this test (postgresql://user:password@127.0.0.1:port/name)."""
    return postgres_cluster.new_database()
