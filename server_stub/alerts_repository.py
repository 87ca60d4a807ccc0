"""Alerts as sent (SQLAlchemy Core): the alerts and alert_homes tables, and the homes' receipts (records).

Each home's copy of an alert and its receipt are records (kinds ``alert`` and ``alert_ack``, both with the id
``<alert id>/<home id>``), written through ``repository.upsert_record`` so they sync like any other.
Functions take an open connection; the caller owns the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from server_stub.schema import alert_homes, alerts, homes, records


@dataclass(frozen=True)
class SentAlert:
    alert_id: str
    sent_by: str
    sent_at: str
    audience: str
    content: dict[str, Any]
    reminded_at: str | None


def _sent(row) -> SentAlert:
    return SentAlert(row.alert_id, row.sent_by, row.sent_at, row.audience, json.loads(row.content), row.reminded_at)


def insert_alert(connection: Connection, alert: SentAlert, home_ids: Sequence[str]) -> None:
    connection.execute(insert(alerts).values(
        alert_id=alert.alert_id, sent_by=alert.sent_by, sent_at=alert.sent_at, audience=alert.audience,
        content=json.dumps(alert.content, separators=(",", ":")), reminded_at=alert.reminded_at))
    if home_ids:
        connection.execute(insert(alert_homes), [{"alert_id": alert.alert_id, "home_id": h} for h in home_ids])


def find_alert(connection: Connection, alert_id: str) -> SentAlert | None:
    row = connection.execute(select(alerts).where(alerts.c.alert_id == alert_id)).first()
    return _sent(row) if row else None


def alerts_sent(connection: Connection, sent_by: str | None, limit: int) -> list[SentAlert]:
    """Newest first; ``sent_by`` None: everyone's."""
    query = select(alerts).order_by(alerts.c.sent_at.desc(), alerts.c.alert_id).limit(limit)
    if sent_by is not None:
        query = query.where(alerts.c.sent_by == sent_by)
    return [_sent(row) for row in connection.execute(query)]


def set_reminded(connection: Connection, alert_id: str, at: str) -> None:
    connection.execute(update(alerts).where(alerts.c.alert_id == alert_id).values(reminded_at=at))


@dataclass(frozen=True)
class TargetHome:
    home_id: str
    name: str
    phone: str | None


def target_homes(connection: Connection, alert_id: str) -> list[TargetHome]:
    """The homes an alert was sent to, with their name and phone number from the homes index."""
    rows = connection.execute(
        select(alert_homes.c.home_id, homes.c.name, homes.c.phone)
        .select_from(alert_homes.outerjoin(homes, homes.c.home_id == alert_homes.c.home_id))
        .where(alert_homes.c.alert_id == alert_id).order_by(alert_homes.c.home_id))
    return [TargetHome(row.home_id, row.name or row.home_id, row.phone) for row in rows]


def _records_of(connection: Connection, kind: str, alert_id: str) -> dict[str, dict[str, Any]]:
    # Ids "<alert id>/<home id>" for each home sent to: looked up by the records' primary key (kind, id).
    record_id = alert_homes.c.alert_id + "/" + alert_homes.c.home_id
    rows = connection.execute(
        select(records.c.home_id, records.c.data)
        .select_from(alert_homes.join(records, (records.c.kind == kind) & (records.c.id == record_id)))
        .where(alert_homes.c.alert_id == alert_id, records.c.deleted == 0))
    return {row.home_id: json.loads(row.data) for row in rows}


def receipts(connection: Connection, alert_id: str) -> dict[str, dict[str, Any]]:
    """home id -> the data of its receipt (alert_ack record), for the homes that have answered."""
    return _records_of(connection, "alert_ack", alert_id)


def copies(connection: Connection, alert_id: str) -> dict[str, dict[str, Any]]:
    """home id -> the data of the home's copy of the alert (alert record)."""
    return _records_of(connection, "alert", alert_id)


def count_targets(connection: Connection, alert_ids: Sequence[str]) -> dict[str, int]:
    if not alert_ids:
        return {}
    rows = connection.execute(select(alert_homes.c.alert_id, func.count()).where(
        alert_homes.c.alert_id.in_(list(alert_ids))).group_by(alert_homes.c.alert_id))
    return {alert_id: count for alert_id, count in rows}
