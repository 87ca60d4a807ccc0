"""The database engine and its transactions, for SQLite and PostgreSQL (SQLAlchemy Core).

All state lives in the database, so any number of server processes can share
one. The database URL picks the engine:

- ``sqlite:///path`` (the default): one machine. WAL, so readers never wait
  for the writer, and a busy timeout, so concurrent writers queue instead of
  failing.
- ``postgresql://user:password@host:port/dbname`` (or ``postgres://``):
  psycopg 3; several server processes on several machines may share it.

``create_app`` makes one engine (a connection pool) and keeps it on
``app.state.engine``. Outside a transaction every statement commits on its
own (driver-level autocommit); ``write_transaction`` and ``read_transaction``
are the only transactions, and ``_begin`` below is the one place that says
how each engine begins them:

- A write takes the write lock up front. SQLite: ``BEGIN IMMEDIATE``.
  PostgreSQL: READ COMMITTED plus a transaction-scoped advisory lock every
  server process takes. Either way writes run one after another, so versions
  are allocated and committed in the same order (a pull cursor never skips a
  change committed later) and a batch retried concurrently finds the first
  copy's stored result. READ COMMITTED matters: each statement sees what was
  committed before the lock was granted (a REPEATABLE READ snapshot would
  predate the wait).
- A read sees one snapshot (a pull's page and its count agree). SQLite: a
  plain ``BEGIN``. PostgreSQL: REPEATABLE READ, READ ONLY.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

# Connection is the type the repositories take: other modules import it from here, not from SQLAlchemy.
from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url

BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 10
# As many connections as FastAPI runs requests at once (its worker threads), so no request waits for one.
POOL_SIZE, POOL_OVERFLOW = 5, 35
# Any constant will do; it only has to be the same in every server process.
WRITE_LOCK_KEY = 0x43484331  # "CHC1"
SQLITE, POSTGRESQL = "sqlite", "postgresql"

# What "the database did not answer" looks like, for callers that do not import SQLAlchemy.
DatabaseError = exc.SQLAlchemyError

_MODE = "chc_transaction"  # key in Connection.info: which transaction the next BEGIN starts
_WRITE, _READ = "write", "read"
_BEGIN_STATEMENTS = {
    SQLITE: {_WRITE: ("BEGIN IMMEDIATE",), _READ: ("BEGIN",)},
    POSTGRESQL: {
        _WRITE: ("BEGIN ISOLATION LEVEL READ COMMITTED", f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"),
        _READ: ("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",),
    },
}


@dataclass(frozen=True)
class DatabaseLocation:
    url: URL  # its repr hides the password

    @property
    def engine(self) -> str:
        return self.url.get_backend_name()

    @property
    def path(self) -> Path | None:
        """SQLite: the database file."""
        return Path(self.url.database) if self.engine == SQLITE else None

    def describe(self) -> str:
        """Where the data is, safe to print (no password)."""
        if self.engine == SQLITE:
            return f"SQLite file {self.path}"
        return f"PostgreSQL {self.url.host or 'localhost'}:{self.url.port or 5432}/{self.url.database or ''}"


def parse_database_url(url: str) -> DatabaseLocation:
    """Read "sqlite:///relative/path", "sqlite:////absolute/path" (SQLAlchemy's convention)
    or "postgresql://user:password@host:port/dbname" ("postgres://" too)."""
    unsupported = ValueError(
        f"unsupported database URL {url!r}: expected sqlite:///path or postgresql://user:password@host:port/dbname"
    )
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        raise unsupported from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return DatabaseLocation(parsed.set(drivername="postgresql+psycopg"))
    if backend != SQLITE:
        raise unsupported
    if not parsed.database or parsed.database == ":memory:":
        # Each pooled connection would have its own, empty, in-memory database.
        raise ValueError("the central API needs a database file, not an in-memory database")
    return DatabaseLocation(parsed.set(drivername="sqlite+pysqlite"))


def create_database_engine(location: DatabaseLocation) -> Engine:
    """The connection pool for the database; dispose() it when done."""
    pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
    if location.engine == SQLITE:
        location.path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(location.url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **pool)
        event.listen(engine, "connect", _prepare_sqlite_connection)
    else:
        # pre_ping: a connection the PostgreSQL server dropped (a restart) is replaced, not handed out.
        engine = create_engine(location.url, isolation_level="AUTOCOMMIT", pool_pre_ping=True, connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S, "application_name": "carehome-connect-server"}, **pool)
    event.listen(engine, "begin", _begin)
    return engine


def _prepare_sqlite_connection(dbapi_connection, _record) -> None:
    # sqlite3 must not begin transactions itself: _begin does (BEGIN IMMEDIATE for writes).
    dbapi_connection.isolation_level = None
    for pragma in (f"busy_timeout = {BUSY_TIMEOUT_MS}", "foreign_keys = ON", "journal_mode = WAL",
                   "synchronous = NORMAL"):  # NORMAL is safe with WAL: a commit survives a process crash
        dbapi_connection.execute(f"PRAGMA {pragma}")


def _begin(connection: Connection) -> None:
    mode = connection.info.get(_MODE)
    if mode is None:
        return  # SQLAlchemy's implicit begin before a statement outside a transaction: it commits on its own
    for statement in _BEGIN_STATEMENTS[connection.dialect.name][mode]:
        connection.exec_driver_sql(statement)


@contextmanager
def write_transaction(connection: Connection) -> Iterator[Connection]:
    """One write transaction, holding the write lock (across processes too) from its start."""
    with _transaction(connection, _WRITE):
        yield connection


@contextmanager
def read_transaction(connection: Connection) -> Iterator[Connection]:
    """One read-only snapshot: every statement inside sees the same data."""
    with _transaction(connection, _READ):
        yield connection


@contextmanager
def _transaction(connection: Connection, mode: str) -> Iterator[None]:
    if connection.in_transaction():
        # Only SQLAlchemy's implicit begin (statements so far committed on their own): nothing to commit.
        connection.commit()
    connection.info[_MODE] = mode
    try:
        with connection.begin():
            yield
    finally:
        connection.info.pop(_MODE, None)
