"""Open data: the vacancy counts anyone may read (no sign-in), from the homes that said yes only.

Rate limited per client address like the other anonymous endpoints (services/rate_limits.py).
"""

from __future__ import annotations

from datetime import datetime

from domain.beds import BedCategory
from protocol.public import PUBLIC_NOTE, PublicVacancies, PublicVacancyCount
from server_stub import area_repository
from server_stub.db import Connection, read_transaction
from server_stub.services import rate_limits
from server_stub.settings import Settings

_CATEGORIES = frozenset(category.value for category in BedCategory)


def vacancies(connection: Connection, settings: Settings, now: datetime, client: str) -> PublicVacancies:
    rate_limits.admit(connection, now, client, rate_limits.public_limit(settings))
    with read_transaction(connection):
        rows = area_repository.public_vacancy_counts(connection)
    counts = [PublicVacancyCount(local_authority=authority, category=BedCategory(category), homes=homes,
                                 vacant_accepting=int(vacant or 0))
              for authority, category, homes, vacant in rows if category in _CATEGORIES]
    return PublicVacancies(as_of=now, counts=counts, note=PUBLIC_NOTE)
