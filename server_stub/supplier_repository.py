"""The supplier API's queries: suppliers, their homes, API key digests, answered requests (SQLAlchemy Core).

Functions take an open connection; the caller owns transactions (db.write_transaction).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from server_stub.schema import supplier_homes, supplier_keys, supplier_requests, suppliers


@dataclass(frozen=True)
class SupplierRow:
    id: int
    name: str
    registered_at: str
    registered_by: str
    key_issued_at: str | None
    homes: list[str]


def insert_supplier(connection: Connection, name: str, at: str, by: str) -> int:
    return connection.execute(insert(suppliers).values(name=name, registered_at=at, registered_by=by)
                              .returning(suppliers.c.id)).scalar_one()


def name_taken(connection: Connection, name: str) -> bool:
    return connection.execute(select(suppliers.c.id).where(suppliers.c.name == name)).first() is not None


def set_homes(connection: Connection, supplier_id: int, home_ids: list[str]) -> None:
    connection.execute(delete(supplier_homes).where(supplier_homes.c.supplier_id == supplier_id))
    if home_ids:
        connection.execute(insert(supplier_homes), [{"supplier_id": supplier_id, "home_id": h} for h in home_ids])


def serves(connection: Connection, supplier_id: int, home_id: str) -> bool:
    return connection.execute(select(supplier_homes.c.home_id).where(
        supplier_homes.c.supplier_id == supplier_id, supplier_homes.c.home_id == home_id)).first() is not None


def _active_key_issued_at(supplier_id):
    return (select(supplier_keys.c.issued_at)
            .where(supplier_keys.c.supplier_id == supplier_id, supplier_keys.c.revoked_at.is_(None))
            .scalar_subquery())


def get_supplier(connection: Connection, supplier_id: int) -> SupplierRow | None:
    found = list_suppliers(connection, supplier_id)
    return found[0] if found else None


def list_suppliers(connection: Connection, supplier_id: int | None = None) -> list[SupplierRow]:
    query = select(suppliers, _active_key_issued_at(suppliers.c.id).label("key_issued_at")).order_by(suppliers.c.name)
    if supplier_id is not None:
        query = query.where(suppliers.c.id == supplier_id)
    rows = connection.execute(query).all()
    homes: dict[int, list[str]] = {row.id: [] for row in rows}
    if rows:
        for supplier_id_, home_id in connection.execute(
                select(supplier_homes.c.supplier_id, supplier_homes.c.home_id)
                .where(supplier_homes.c.supplier_id.in_(list(homes))).order_by(supplier_homes.c.home_id)):
            homes[supplier_id_].append(home_id)
    return [SupplierRow(row.id, row.name, row.registered_at, row.registered_by, row.key_issued_at, homes[row.id])
            for row in rows]


def revoke_keys(connection: Connection, supplier_id: int, at: str) -> int:
    """Revoke every key of the supplier still in use; returns how many."""
    return connection.execute(update(supplier_keys).where(
        supplier_keys.c.supplier_id == supplier_id, supplier_keys.c.revoked_at.is_(None)).values(revoked_at=at)).rowcount


def insert_key(connection: Connection, supplier_id: int, key_hash: str, at: str, by: str) -> None:
    connection.execute(insert(supplier_keys).values(key_hash=key_hash, supplier_id=supplier_id, issued_at=at,
                                                    issued_by=by))


def supplier_for_key(connection: Connection, key_hash: str) -> SupplierRow | None:
    """The supplier whose key (not revoked) has this digest; None if unknown or revoked."""
    supplier_id = connection.execute(select(supplier_keys.c.supplier_id).where(
        supplier_keys.c.key_hash == key_hash, supplier_keys.c.revoked_at.is_(None))).scalar()
    if supplier_id is None:
        return None
    row = connection.execute(select(suppliers).where(suppliers.c.id == supplier_id)).first()
    return SupplierRow(row.id, row.name, row.registered_at, row.registered_by, None, [])


@dataclass(frozen=True)
class AnsweredRequest:
    request_digest: str
    status_code: int
    answer: dict[str, Any]


def find_request(connection: Connection, supplier_id: int, idempotency_key: str) -> AnsweredRequest | None:
    row = connection.execute(select(supplier_requests).where(
        supplier_requests.c.supplier_id == supplier_id, supplier_requests.c.idempotency_key == idempotency_key)).first()
    return AnsweredRequest(row.request_digest, row.status_code, json.loads(row.answer)) if row else None


def insert_request(connection: Connection, supplier_id: int, idempotency_key: str, request_digest: str,
                   status_code: int, answer: dict[str, Any], at: str) -> None:
    connection.execute(insert(supplier_requests).values(
        supplier_id=supplier_id, idempotency_key=idempotency_key, request_digest=request_digest,
        status_code=status_code, answer=json.dumps(answer, separators=(",", ":")), at=at))


def forget_requests(connection: Connection, answered_before: str) -> int:
    """Drop the answers kept for retries of requests answered before the given time; returns how many."""
    return connection.execute(delete(supplier_requests).where(supplier_requests.c.at < answered_before)).rowcount
