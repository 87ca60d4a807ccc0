"""The directory's own tables (SQLAlchemy Core, server_stub/schema.py): the imports made and the ICB decisions.

The homes themselves are ``care_home`` records (repository.py), so they sync like any other record.
Functions take an open connection; the caller owns the transaction.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from protocol.directory import ImportSummary
from server_stub.schema import directory_imports, icb_decisions


def _upsert(connection: Connection, table):
    return (postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert)(table)


def record_import(connection: Connection, summary: ImportSummary, at: str) -> None:
    connection.execute(insert(directory_imports).values(at=at, by=summary.by, file_name=summary.file_name,
                                                        summary=summary.model_dump_json()))


def latest_import(connection: Connection) -> ImportSummary | None:
    summary = connection.execute(
        select(directory_imports.c.summary).order_by(directory_imports.c.id.desc()).limit(1)
    ).scalar()
    return ImportSummary.model_validate_json(summary) if summary else None


def icb_decisions_made(connection: Connection) -> dict[str, str]:
    """home id -> the ICB code an administrator chose for it."""
    rows = connection.execute(select(icb_decisions.c.home_id, icb_decisions.c.icb_code))
    return {row.home_id: row.icb_code for row in rows}


def set_icb_decision(connection: Connection, home_id: str, icb_code: str, decided_by: str, decided_at: str) -> None:
    values = {"icb_code": icb_code, "decided_by": decided_by, "decided_at": decided_at}
    statement = _upsert(connection, icb_decisions).values(home_id=home_id, **values)
    connection.execute(statement.on_conflict_do_update(index_elements=["home_id"], set_=values))
