"""The seeded central database, made once per test session and copied for each in-process test.

Seeding (migrations, 56 demo homes, 61 demo accounts) is the server's own
``create_app`` on an empty file, run once (the ``demo_database`` fixture); each test then starts from a copy
(SQLite's backup API, so the WAL is included). One thing differs from a fresh
seed, on purpose: the demo accounts' password hashes use argon2id's test
profile (``argon2.profiles.CHEAPEST``), so a sign-in costs microseconds instead
of ~0.1 s of deliberate work. Verification runs the same code (argon2 reads the
cost from the hash); passwords set during a test (invites, resets) and every
server process in the slow lane use the production cost, and
tests/test_server_api.py checks a fresh seed from scratch.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from argon2 import PasswordHasher, profiles

from server_stub.demo_data import DEMO_PASSWORD


def with_cheap_demo_passwords(path: Path) -> Path:
    """The seeded database at path, its demo accounts' hashes remade with the test profile."""
    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST).hash(DEMO_PASSWORD)
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE accounts SET password_hash = ?", [cheap])
    return path


def copy_database(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)
