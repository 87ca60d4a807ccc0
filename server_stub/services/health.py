"""Whether the central API's database answers (the load balancer's health check)."""

from __future__ import annotations

from server_stub import repository
from server_stub.db import DatabaseError, Engine


def database_answers(engine: Engine) -> bool:
    """Getting a connection is part of the check: a PostgreSQL server that is down answers False too."""
    try:
        with engine.connect() as connection:
            return repository.ping(connection)
    except DatabaseError:
        return False
