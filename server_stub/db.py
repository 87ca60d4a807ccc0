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

- A write takes its locks up front. SQLite: ``BEGIN IMMEDIATE`` for every write (SQLite has one writer
  anyway). PostgreSQL: READ COMMITTED plus transaction-scoped advisory locks every server process takes,
  one of three kinds (``_LOCKS`` below):

  * ``home_write_transaction(connection, home_ids)``: the homes' own locks, in sorted order (no
    deadlocks), and the database lock SHARED. Pushes and a supplier's updates: writers of different
    homes run at once, writers of one home one after another (their conflict checks read, then write).
  * ``accounts_write_transaction``: the accounts lock. Sign-ins, tokens, accounts, rate limits: one
    at a time among themselves (a refresh token is spent once), never waiting for a push.
  * ``write_transaction``: the database lock EXCLUSIVE and the accounts lock: nothing else writes
    meanwhile. Rare administrative writes (migrations, the directory import, purges, alerts).

  READ COMMITTED matters: each statement sees what was committed before the locks were granted (a
  REPEATABLE READ snapshot would predate the wait). Versions no longer commit in the order they were
  allocated, so every transaction that allocates one first holds a slot (``hold_version_slot``) and a
  pull reads only below ``pull_bound()`` (docs/sync.md, "How the cursor stays safe without one global lock").
- A read sees one snapshot (a pull's page and its count agree). SQLite: a
  plain ``BEGIN``. PostgreSQL: REPEATABLE READ, READ ONLY.
"""

from __future__ import annotations

import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

# Connection is the type the repositories take: other modules import it from here, not from SQLAlchemy.
from sqlalchemy import Connection, Engine, bindparam, create_engine, event, exc, text
from sqlalchemy.dialects.postgresql import ARRAY, INTEGER
from sqlalchemy.engine import URL, make_url

BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 10
# As many connections as FastAPI runs requests at once (anyio's 40 worker threads), all kept open: a
# connection opened and closed per request costs PostgreSQL a process fork and the server ~8 ms of CPU.
POOL_SIZE, POOL_OVERFLOW = 40, 0
# Advisory lock keys: any constants will do; they only have to be the same in every server process.
WRITE_LOCK_KEY = 0x43484331  # "CHC1": the whole database (shared by home writers, exclusive for admin writes)
ACCOUNTS_LOCK_KEY = 0x43484332  # "CHC2": accounts, tokens, rate limits
HOME_LOCK_CLASS = 0x43484333  # "CHC3": with a home's key (two-int form), that home's records
# A batch naming more homes than this takes the whole database instead (every lock is a slot in
# PostgreSQL's shared lock table: max_locks_per_transaction x max_connections, 6,400 by default). A supplier's
# bulk update names up to 500 homes (protocol.suppliers.MAX_HOMES_PER_REQUEST): with 64 here it stopped every
# device's push in the country for its whole run (seconds); several at once still fit the table.
MAX_HOME_LOCKS = 500
# PostgreSQL's sequence of record versions (migration 0012_write_slots); SQLite keeps its change_seq table.
VERSION_SEQUENCE = "record_versions"
SQLITE, POSTGRESQL = "sqlite", "postgresql"

# What "the database did not answer" looks like, for callers that do not import SQLAlchemy.
DatabaseError = exc.SQLAlchemyError
# What a unique key refusing a second copy looks like (two writers of one mutation id, say).
IntegrityError = exc.IntegrityError

_MODE = "chc_transaction"  # key in Connection.info: which transaction the next BEGIN starts
_SLOT = "chc_version_slot"  # key in Connection.info: the version slot this transaction holds, if any
_WRITE, _HOMES, _ACCOUNTS, _READ = "write", "homes", "accounts", "read"
_POSTGRESQL_WRITE = "BEGIN ISOLATION LEVEL READ COMMITTED"
_BEGIN_STATEMENTS = {
    SQLITE: {_WRITE: ("BEGIN IMMEDIATE",), _HOMES: ("BEGIN IMMEDIATE",), _ACCOUNTS: ("BEGIN IMMEDIATE",),
             _READ: ("BEGIN",)},
    POSTGRESQL: {
        # Always the database lock before the accounts lock before a home's: one order, no deadlocks.
        _WRITE: (_POSTGRESQL_WRITE, f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})",
                 f"SELECT pg_advisory_xact_lock({ACCOUNTS_LOCK_KEY})"),
        _HOMES: (_POSTGRESQL_WRITE, f"SELECT pg_advisory_xact_lock_shared({WRITE_LOCK_KEY})"),
        _ACCOUNTS: (_POSTGRESQL_WRITE, f"SELECT pg_advisory_xact_lock({ACCOUNTS_LOCK_KEY})"),
        _READ: ("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",),
    },
}
# unnest hands the keys over in array order (already sorted), so the locks are taken in that order.
_LOCK_HOMES = text(f"SELECT count(pg_advisory_xact_lock({HOME_LOCK_CLASS}, key)) FROM unnest(:keys) AS key") \
    .bindparams(bindparam("keys", type_=ARRAY(INTEGER)))
# The slot: a number of the version sequence, held as a SHARED advisory lock (single-bigint form: pg_locks
# shows it as classid = high 32 bits, objid = low 32 bits, objsubid = 1) until the transaction ends.
_TAKE_SLOT = text(f"SELECT slot, pg_advisory_xact_lock_shared(slot) "
                  f"FROM (SELECT nextval('{VERSION_SEQUENCE}') AS slot) AS allocated")
_LAST_ALLOCATED = text(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {VERSION_SEQUENCE}")
_LOWEST_LIVE_SLOT = text(
    "SELECT min((classid::bigint << 32) | objid::bigint) FROM pg_locks "
    "WHERE locktype = 'advisory' AND objsubid = 1 AND mode = 'ShareLock' "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")

_T = TypeVar("_T")


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
    """One write transaction with nothing else writing meanwhile (across processes too), from its start.

    For rare administrative writes only (they stop every push while they run): pushes take
    ``home_write_transaction``, sign-ins and accounts ``accounts_write_transaction``."""
    with _transaction(connection, _WRITE):
        yield connection


@contextmanager
def home_write_transaction(connection: Connection, home_ids: Iterable[str] = ()) -> Iterator[Connection]:
    """One write transaction holding these homes' locks from its start: other writers of these homes wait,
    writers of other homes do not. With no homes: for writes nothing reads before writing (an audit line,
    an upsert), which then wait only for an administrative write."""
    keys = sorted({_home_key(home_id) for home_id in home_ids})
    if len(keys) > MAX_HOME_LOCKS:
        with write_transaction(connection):
            yield connection
        return
    with _transaction(connection, _HOMES):
        if keys and connection.dialect.name == POSTGRESQL:
            connection.execute(_LOCK_HOMES, {"keys": keys})
        yield connection


@contextmanager
def accounts_write_transaction(connection: Connection) -> Iterator[Connection]:
    """One write transaction on accounts, tokens or rate limits: one at a time among themselves."""
    with _transaction(connection, _ACCOUNTS):
        yield connection


@contextmanager
def read_transaction(connection: Connection) -> Iterator[Connection]:
    """One read-only snapshot: every statement inside sees the same data."""
    with _transaction(connection, _READ):
        yield connection


def retrying_once(write: Callable[[], _T]) -> _T:
    """Run ``write`` (a whole write transaction) again once if a unique key refused it.

    Two transactions of different homes may insert the same key at once (a mutation id a device reused,
    a supplier's Idempotency-Key): the second waits for the first and then fails; run again, it finds
    the first's row and answers as for a retry."""
    try:
        return write()
    except IntegrityError:
        return write()


def hold_version_slot(connection: Connection) -> None:
    """Before a transaction allocates its first version: hold a slot (PostgreSQL; once per transaction).

    The slot is a number of the version sequence held as a shared advisory lock until the transaction
    ends, so every version the transaction allocates is above a slot pg_locks shows while it runs.
    SQLite needs none: its writers run one at a time."""
    if connection.dialect.name != POSTGRESQL or _SLOT in connection.info:
        return
    if connection.info.get(_MODE) not in (_WRITE, _HOMES, _ACCOUNTS):
        # Outside a write transaction the lock would end with the statement, and versions with no slot held.
        raise RuntimeError("versions are allocated inside a write transaction only")
    connection.info[_SLOT] = connection.execute(_TAKE_SLOT).scalar_one()


def pull_bound(connection: Connection) -> int | None:
    """Versions below this may be read now without ever skipping one that commits later; None: any may.

    Call OUTSIDE a transaction, before the read transaction (its snapshot) begins. PostgreSQL: one
    above the last version allocated, or the lowest slot still held if that is lower (a transaction
    holding it may yet commit versions above it). SQLite: None (one writer: versions commit in order)."""
    if connection.dialect.name != POSTGRESQL:
        return None
    last = connection.execute(_LAST_ALLOCATED).scalar_one()  # first: every version up to it was allocated ...
    lowest_live = connection.execute(_LOWEST_LIVE_SLOT).scalar()  # ... under a slot still held, or committed
    return last + 1 if lowest_live is None else min(last + 1, lowest_live)


def _home_key(home_id: str) -> int:
    """A home's lock key: a stable signed 32-bit number (the same in every process; collisions only
    make two homes wait for each other)."""
    return zlib.crc32(home_id.encode("utf-8")) - (1 << 31)


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
        connection.info.pop(_SLOT, None)  # the slot lock ended with the transaction
