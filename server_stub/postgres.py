"""PostgreSQL behind the same small connection interface as stdlib sqlite3.

``repository.py`` keeps one set of SQL for both engines. This module makes a
psycopg 3 connection look like the part of ``sqlite3.Connection`` the server
uses: ``execute(sql, params)`` / ``executemany`` with ``?`` placeholders, rows
readable by column name and by position, explicit ``BEGIN``/``COMMIT`` in
autocommit mode. Imported only when the database URL is a PostgreSQL one.

Transactions, and why writes take a lock:
- ``BEGIN IMMEDIATE`` (a write transaction, see ``db.write_transaction``)
  becomes ``BEGIN`` (READ COMMITTED) followed by a transaction-scoped advisory
  lock. Every write of every server process holds that one lock, so writes run
  one after another, as SQLite's single writer does: versions are allocated and
  committed in the same order (a pull cursor never skips a change committed
  later) and a batch retried concurrently finds the first copy's stored result.
  READ COMMITTED matters: each statement sees what was committed before the
  lock was granted (a REPEATABLE READ snapshot would predate the wait).
- ``BEGIN`` (a read transaction, e.g. a pull's page and its count) becomes a
  REPEATABLE READ, READ ONLY transaction: both statements read one snapshot.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable, Iterator, Sequence

import psycopg

# Any constant will do; it only has to be the same in every server process.
WRITE_LOCK_KEY = 0x43484331  # "CHC1"
CONNECT_TIMEOUT_S = 10

# Errors a caller may catch (health check) without importing psycopg itself.
Error = psycopg.Error


class Row(tuple):
    """A result row: row[0] and row["column"], like sqlite3.Row."""

    __slots__ = ()
    _columns: dict[str, int] = {}

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._columns[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._columns)


@lru_cache(maxsize=256)
def _row_class(columns: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"__slots__": (), "_columns": {name: i for i, name in enumerate(columns)}})


def _row_factory(cursor: psycopg.Cursor):
    columns = tuple(column.name for column in cursor.description or ())
    row_class = _row_class(columns)
    return lambda values: row_class(values)


@lru_cache(maxsize=512)
def _to_psycopg(sql: str) -> str:
    """'?' placeholders become '%s'; a literal '%' is doubled (psycopg reads '%' as a placeholder)."""
    return sql.replace("%", "%%").replace("?", "%s")


_STATEMENT_FOR = {
    "BEGIN IMMEDIATE": ("BEGIN", f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"),
    "BEGIN": ("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",),
}


class Result:
    """What execute() returns: fetchone/fetchall/iteration, like a sqlite3 cursor."""

    def __init__(self, rows: list[Row] | None, rowcount: int) -> None:
        self._rows = rows or []
        self._next = 0
        self.rowcount = rowcount

    def fetchone(self) -> Row | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchall(self) -> list[Row]:
        rows, self._next = self._rows[self._next:], len(self._rows)
        return rows

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())


class PostgresConnection:
    """One psycopg connection speaking the server's sqlite3-shaped dialect."""

    engine = "postgresql"

    def __init__(self, raw: psycopg.Connection) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Result:
        special = _STATEMENT_FOR.get(sql.strip().upper())
        if special is not None and not params:
            for statement in special:
                self.raw.execute(statement)
            return Result(None, -1)
        with self.raw.cursor() as cursor:
            if params:
                cursor.execute(_to_psycopg(sql), tuple(params))
            else:
                cursor.execute(sql)  # no parameters: psycopg leaves '%' and '?' alone
            rows = cursor.fetchall() if cursor.description is not None else None
            return Result(rows, cursor.rowcount)

    def executemany(self, sql: str, seq_of_params: Iterable[Sequence[Any]]) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(_to_psycopg(sql), [tuple(params) for params in seq_of_params])

    def close(self) -> None:
        self.raw.close()


def connect(url: str) -> PostgresConnection:
    # autocommit: nothing is in a transaction unless BEGIN says so, exactly like
    # sqlite3 with isolation_level=None, so write_transaction works unchanged.
    raw = psycopg.connect(url, autocommit=True, row_factory=_row_factory, connect_timeout=CONNECT_TIMEOUT_S,
                          application_name="carehome-connect-server")
    return PostgresConnection(raw)
