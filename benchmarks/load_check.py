"""The load benchmark's exactly-once check: every acknowledged change is on the server once, every refused one absent.

    sent = [Sent(...), ...]                      # what the simulated devices and the supplier sent, and the answers
    found = read_server_state(engine, sent, since)   # what the server holds for them
    problems = check_exactly_once(sent, found)   # [] when nothing was lost, duplicated or wrongly applied

The check is pure (plain data in, a list of problems out) so a test can hand it a duplicated or missing row and
see it fail (tests/test_load_short.py).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from server_stub.schema import applied_mutations, bed_history, records

APPLIED = "applied"
REJECTED = "rejected"
COUNTS = ("max_capacity", "occupied", "vacant_reserved", "vacant_accepting")


@dataclass
class Sent:
    """One change sent: a device's mutation (mutation_id) or one bed category of a supplier's home (key)."""

    key: str  # the mutation id (a device) or "<idempotency key>/<home>/<category>" (the supplier)
    kind: str  # bed_count or home_status
    record_id: str
    home_id: str
    expect: str  # what it must be answered: applied, or rejected (a category the home does not offer)
    data: dict  # the counts sent (bed_count)
    from_supplier: bool = False
    answer: str | None = None  # applied, conflict, rejected; None: no answer (yet)
    version: int | None = None  # the version an applied answer gave


@dataclass
class ServerState:
    """What the server holds for the changes sent (read after the run)."""

    stored_answers: dict[str, list[dict]] = field(default_factory=dict)  # mutation id -> its applied_mutations rows
    records: dict[tuple[str, str], dict] = field(default_factory=dict)  # (kind, id) -> {"version", "data"}
    history: dict[str, list[dict]] = field(default_factory=dict)  # bed_count id -> its history rows since the start


def read_server_state(connection, sent: list[Sent], since: str) -> ServerState:
    """applied_mutations rows of the devices' mutations, the records touched, and bed history written since ``since``."""
    state = ServerState()
    mutation_ids = [s.key for s in sent if not s.from_supplier]
    for start in range(0, len(mutation_ids), 1000):
        for mutation_id, result in connection.execute(
                select(applied_mutations.c.mutation_id, applied_mutations.c.result)
                .where(applied_mutations.c.mutation_id.in_(mutation_ids[start:start + 1000]))):
            state.stored_answers.setdefault(mutation_id, []).append(json.loads(result))
    wanted = sorted({(s.kind, s.record_id) for s in sent})
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        ids = [record_id for _, record_id in chunk]
        for kind, record_id, version, data in connection.execute(
                select(records.c.kind, records.c.id, records.c.version, records.c.data).where(records.c.id.in_(ids))):
            if (kind, record_id) in set(chunk):
                state.records[(kind, record_id)] = {"version": version, "data": json.loads(data)}
    homes = sorted({s.home_id for s in sent if s.kind == "bed_count"})
    for start in range(0, len(homes), 500):
        for row in connection.execute(
                select(bed_history).where(bed_history.c.home_id.in_(homes[start:start + 500]), bed_history.c.at >= since)
                .order_by(bed_history.c.id)):
            state.history.setdefault(f"{row.home_id}/{row.category}", []).append(
                {name: getattr(row, name) for name in COUNTS})
    return state


def count_rows(connection, table) -> int:
    return connection.execute(select(func.count()).select_from(table)).scalar_one()


def check_exactly_once(sent: list[Sent], state: ServerState) -> list[str]:
    """Every problem found, in plain words; none when every change was applied exactly once as answered."""
    problems: list[str] = []
    unanswered = [s.key for s in sent if s.answer is None]
    if unanswered:
        problems.append(f"{len(unanswered)} changes never got an answer (even resent), e.g. {unanswered[:3]}")
    wrong = [s for s in sent if s.answer is not None and s.answer != s.expect]
    if wrong:
        problems.append(f"{len(wrong)} changes answered unlike expected, e.g. "
                        f"{[(s.key, s.expect, s.answer) for s in wrong[:3]]}")
    versions = Counter(s.version for s in sent if s.answer == APPLIED)
    shared = [v for v, n in versions.items() if n > 1]
    if shared:
        problems.append(f"{len(shared)} versions acknowledged for two changes, e.g. {shared[:3]}")

    for s in sent:
        if s.from_supplier or s.answer is None:
            continue
        stored = state.stored_answers.get(s.key, [])
        if len(stored) != 1:
            problems.append(f"mutation {s.key}: {len(stored)} stored answers (one expected)")
        elif stored[0].get("status") != s.answer or stored[0].get("version") != s.version:
            problems.append(f"mutation {s.key}: stored answer {stored[0].get('status')} v{stored[0].get('version')} "
                            f"differs from the one given ({s.answer} v{s.version})")

    by_record: dict[tuple[str, str], list[Sent]] = defaultdict(list)
    for s in sent:
        by_record[(s.kind, s.record_id)].append(s)
    for (kind, record_id), changes in by_record.items():
        applied = sorted((s for s in changes if s.answer == APPLIED), key=lambda s: s.version)
        record = state.records.get((kind, record_id))
        history = state.history.get(record_id, []) if kind == "bed_count" else []
        if not applied:  # refused everywhere: nothing of it may be on the server
            if record is not None and any(s.expect == REJECTED for s in changes):
                problems.append(f"{kind} {record_id}: refused, yet the server holds it (v{record['version']})")
            if history:
                problems.append(f"{kind} {record_id}: refused, yet {len(history)} history rows were written")
            continue
        last = applied[-1]
        if record is None:
            problems.append(f"{kind} {record_id}: acknowledged (v{last.version}) but missing on the server")
            continue
        if record["version"] != last.version:
            problems.append(f"{kind} {record_id}: server at v{record['version']}, last acknowledged v{last.version}")
        if kind == "bed_count":
            if any(record["data"].get(name) != last.data.get(name) for name in COUNTS):
                problems.append(f"{record_id}: the server's counts are not the last acknowledged change's")
            if len(history) != len(applied):
                problems.append(f"{record_id}: {len(applied)} changes acknowledged, {len(history)} history rows "
                                "(each applied change must be in the history exactly once)")
            elif [tuple(h[n] for n in COUNTS) for h in history] != [tuple(s.data[n] for n in COUNTS) for s in applied]:
                problems.append(f"{record_id}: the history rows are not the acknowledged changes, in order")
    return problems
