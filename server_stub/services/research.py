"""The research export (GET /admin/research-export): administrators only, each export in the audit log.

Two aggregated tables from the homes index, never a home's name or id: beds per local authority and category
over the registered homes sharing their bed state for research, digital readiness per local authority over
those sharing their digital readiness for research. Rows over too few homes are left out (domain.research).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from domain.area import NOT_RECORDED, NhsmailStage
from domain.beds import BedCategory
from domain.maturity import Band
from domain.research import leave_out_small
from protocol.research import DSPT_KEYS, RESEARCH_NOTE, ResearchBeds, ResearchExport, ResearchReadiness
from protocol.sync import Account
from server_stub import access, account_repository, area_repository
from server_stub.clock import iso
from server_stub.db import Connection, home_write_transaction, read_transaction
from server_stub.services.errors import NotAllowed

_CATEGORIES = frozenset(category.value for category in BedCategory)
_STAGES = frozenset(stage.value for stage in NhsmailStage)
_BANDS = frozenset(band.value for band in Band)


def export(connection: Connection, account: Account, now: datetime, what: str) -> ResearchExport:
    """The export as of ``now``; ``what`` (JSON, or which CSV table) goes into its audit entry."""
    if not access.may_export_research(account):
        raise NotAllowed("Only an administrator may download the research export")
    with read_transaction(connection):
        bed_rows = area_repository.research_bed_totals(connection)
        readiness_rows = area_repository.research_readiness_counts(connection)
    beds, beds_left_out = leave_out_small(_beds(bed_rows), lambda row: row.homes)
    readiness, readiness_left_out = leave_out_small(_readiness(readiness_rows), lambda row: row.homes)
    with home_write_transaction(connection):
        account_repository.audit(connection, iso(now), account.username, "research_export", None,
                                 f"{what}: {len(beds)} bed rows, {len(readiness)} digital readiness rows")
    return ResearchExport(as_of=now, beds=beds, digital_readiness=readiness, beds_left_out=beds_left_out,
                          digital_readiness_left_out=readiness_left_out, note=RESEARCH_NOTE)


def _beds(rows) -> list[ResearchBeds]:
    return [ResearchBeds(local_authority=authority, category=BedCategory(category), homes=homes,
                         max_capacity=int(capacity or 0), occupied=int(occupied or 0),
                         vacant_reserved=int(reserved or 0), vacant_accepting=int(accepting or 0))
            for authority, category, homes, capacity, occupied, reserved, accepting in rows
            if category in _CATEGORIES]


def _readiness(rows) -> list[ResearchReadiness]:
    """One row per local authority from the grouped counts (every status, stage and band present, 0 or more)."""
    by_authority: dict[str, ResearchReadiness] = {}
    counted: dict[str, int] = defaultdict(int)
    for authority, dspt, nhsmail, band, homes in rows:
        row = by_authority.get(authority)
        if row is None:
            row = by_authority[authority] = ResearchReadiness(
                local_authority=authority, homes=0, dspt=dict.fromkeys(DSPT_KEYS, 0),
                nhsmail=dict.fromkeys(NhsmailStage, 0), bands=dict.fromkeys(Band, 0))
        counted[authority] += homes
        key = dspt if dspt in row.dspt else NOT_RECORDED
        row.dspt[key] += homes
        row.nhsmail[NhsmailStage(nhsmail) if nhsmail in _STAGES else NhsmailStage.NOT_STARTED] += homes
        row.bands[Band(band) if band in _BANDS else Band.MINIMUM] += homes
    return [row.model_copy(update={"homes": counted[authority]}) for authority, row in by_authority.items()]
