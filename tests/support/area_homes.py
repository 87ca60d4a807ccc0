"""A small area across two local authorities (Trafford and Manchester, both NHS Greater Manchester) and one home
outside it, for the area view's tests: on a device (pulled records) and on the central API (pushed as each home's
manager would).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from domain.homes import CareHome
from protocol import Account, Record
from protocol.sync import SCHEMA_VERSION

GM = {"icb": "NHS Greater Manchester Integrated Care Board", "icb_code": "QOP", "icb_code_year": 2022,
      "region": "North West"}
CM = {"icb": "NHS Cheshire and Merseyside Integrated Care Board", "icb_code": "QYG", "icb_code_year": 2022,
      "region": "North West"}


@dataclass(frozen=True)
class AreaHome:
    home: CareHome
    beds: dict[str, tuple[int, int, int, int]]  # category -> max, occupied, reserved, accepting
    confirmed_ago: timedelta | None  # None: never confirmed
    closed: bool = False
    funding: tuple[str, ...] = ()
    manager_name: str | None = None
    extra: dict = field(default_factory=dict)
    workforce: tuple[int, ...] | None = None  # domain.workforce.WORKFORCE_FIELDS in order; None: not reported
    outbreak: tuple[str, int, int | None] | None = None  # kind, started days ago, last new case days ago

    @property
    def id(self) -> str:
        return self.home.cqc_location_id


def _home(home_id, name, postcode, authority, geo, lat, lon, categories, *, nursing=True, rating=None, phone=None):
    return CareHome(cqc_location_id=home_id, name=name, address=f"1 High Street, {authority}", postcode=postcode,
                    local_authority=authority, latitude=lat, longitude=lon, with_nursing=nursing,
                    bed_categories=categories, phone=phone, cqc_rating=rating,
                    cqc_rating_date="2025-03-01" if rating else None, **geo)


H = timedelta(hours=1)
D = timedelta(days=1)
ND = "nursing_dementia"

AREA_HOMES = [
    AreaHome(_home("1-900000001", "Altrincham Nursing Home", "WA15 6AA", "Trafford", GM, 53.390, -2.340,
                   ("nursing", ND), rating="Good", phone="0161 000 0001"),
             {"nursing": (20, 18, 0, 2), ND: (10, 8, 0, 2)}, H, funding=("local_authority", "nhs_chc"),
             manager_name="Ann Alder", workforce=(5, 1, 20, 3, 8, 0, 2)),
    AreaHome(_home("1-900000002", "Sale Dementia Care", "M33 7AA", "Trafford", GM, 53.425, -2.320, (ND,),
                   rating="Requires improvement", phone="0161 000 0002"),
             {ND: (12, 11, 0, 1)}, 10 * D, funding=("self_funded",)),
    AreaHome(_home("1-900000003", "Urmston Closed House", "M41 5AA", "Trafford", GM, 53.448, -2.360, (ND,),
                   phone="0161 000 0003"),
             {ND: (15, 12, 0, 3)}, 2 * H, closed=True, funding=("nhs_chc",),
             outbreak=("covid_19", 40, 29)),  # over: 28 days without a new case
    AreaHome(_home("1-900000004", "Timperley Residential", "WA15 7AA", "Trafford", GM, 53.395, -2.320,
                   ("residential",), nursing=False, phone="0161 000 0004"),
             {"residential": (25, 21, 0, 4)}, 3 * D, funding=("self_funded", "local_authority")),
    AreaHome(_home("1-900000005", "Didsbury Nursing Centre", "M20 2AA", "Manchester", GM, 53.415, -2.230, (ND,),
                   rating="Outstanding", phone="0161 000 0005"),
             {ND: (30, 26, 0, 4)}, 2 * D, funding=("nhs_chc",), manager_name="Dev Patel",
             workforce=(8, 0, 30, 2, 10, 1, 4)),
    AreaHome(_home("1-900000006", "Chorlton Care Home", "M21 9AA", "Manchester", GM, 53.440, -2.280,
                   ("nursing", ND), rating="Good", phone="0161 000 0006"),
             {"nursing": (20, 18, 0, 2), ND: (10, 10, 0, 0)}, 5 * H, funding=("nhs_chc", "self_funded"),
             workforce=(4, 2, 15, 5, 6, 0, 1), outbreak=("norovirus", 10, 2)),
    AreaHome(_home("1-900000007", "Wythenshawe Lodge", "M22 4AA", "Manchester", GM, 53.380, -2.260, (ND,),
                   phone="0161 000 0007"),
             {ND: (18, 17, 0, 1)}, None, funding=("local_authority",)),
    AreaHome(_home("1-900000008", "Knutsford Manor", "WA16 0AA", "Cheshire East", CM, 53.300, -2.370, (ND,),
                   rating="Good", phone="01565 000008"),
             {ND: (20, 15, 0, 5)}, H, funding=("nhs_chc",), workforce=(9, 9, 9, 9, 9, 9, 9),
             outbreak=("influenza", 1, None)),
]
IN_GM = [h for h in AREA_HOMES if h.home.icb_code == "QOP"]


def bed_data(area_home: AreaHome) -> list[dict]:
    return [{"home_id": area_home.id, "category": category, "max_capacity": m, "occupied": o,
             "vacant_reserved": r, "vacant_accepting": a} for category, (m, o, r, a) in area_home.beds.items()]


def settings_data(area_home: AreaHome) -> dict:
    return {"home_id": area_home.id, "funding_accepted": list(area_home.funding),
            "manager_name": area_home.manager_name}


def status_data(area_home: AreaHome, confirmed_at: datetime | None) -> dict:
    return {"home_id": area_home.id, "closed_to_admissions": area_home.closed,
            "closed_reason": "infection_outbreak" if area_home.closed else None,
            "confirmed_at": confirmed_at.isoformat() if confirmed_at else None}


def workforce_data(area_home: AreaHome) -> dict:
    from domain.workforce import WORKFORCE_FIELDS

    return {"home_id": area_home.id, **dict(zip(WORKFORCE_FIELDS, area_home.workforce, strict=True))}


def outbreak_data(area_home: AreaHome, today: date) -> dict:
    kind, started, last_case = area_home.outbreak
    return {"home_id": area_home.id, "kind": kind, "started_on": (today - started * D).isoformat(),
            "last_case_on": None if last_case is None else (today - last_case * D).isoformat()}


def device_records(now: datetime, homes: list[AreaHome] = AREA_HOMES) -> list[Record]:
    """The homes as a device pulls them (server-stamped confirmations ``confirmed_ago`` before ``now``)."""
    version = 1000
    found: list[Record] = []

    def add(kind, record_id, home_id, data):
        nonlocal version
        version += 1
        found.append(Record(kind=kind, id=record_id, home_id=home_id, version=version, updated_at=now, data=data))

    for area_home in homes:
        add("care_home", area_home.id, area_home.id, area_home.home.model_dump(mode="json"))
        for beds in bed_data(area_home):
            add("bed_count", f"{area_home.id}/{beds['category']}", area_home.id, beds)
        add("home_settings", f"{area_home.id}/settings", area_home.id, settings_data(area_home))
        if area_home.workforce is not None:
            add("workforce", f"{area_home.id}/workforce", area_home.id, workforce_data(area_home))
        if area_home.outbreak is not None:
            add("outbreak", f"{area_home.id}/outbreak", area_home.id, outbreak_data(area_home, now.date()))
        if area_home.confirmed_ago is not None:
            add("home_status", area_home.id, area_home.id, status_data(area_home, now - area_home.confirmed_ago))
    return found


# --- on the central API ---------------------------------------------------------------------------------------------

def manager_of(area_home: AreaHome) -> str:
    return f"manager-{area_home.id}"


def add_to_directory(database_url: str, homes: list[AreaHome], password_hash: str, *, stamp: str,
                     commissioner_area: str | None = "icb:QOP") -> None:
    """The homes into the central database's directory (as an import would), each with a manager account; the
    demo commissioner's area set (the demo data's own lands with the directory work)."""
    from sqlalchemy import update

    from server_stub import repository
    from server_stub.db import create_database_engine, parse_database_url, write_transaction
    from server_stub.schema import accounts

    engine = create_database_engine(parse_database_url(database_url))
    try:
        with engine.connect() as connection, write_transaction(connection):
            for area_home in homes:
                repository.upsert_record(
                    connection, kind="care_home", record_id=area_home.id, home_id=area_home.id,
                    version=repository.next_version(connection), data=area_home.home.model_dump(mode="json"),
                    updated_at=stamp, updated_by_device=None)
            repository.insert_accounts(connection, [
                (Account(username=manager_of(h), display_name=f"Manager, {h.home.name}", role="home_manager",
                         home_id=h.id), password_hash) for h in homes])
            if commissioner_area:
                connection.execute(update(accounts).where(accounts.c.username == "commissioner")
                                   .values(area=commissioner_area))
    finally:
        engine.dispose()


def mutation(kind: str, record_id: str, data: dict) -> dict:
    return {"mutation_id": str(uuid.uuid4()), "kind": kind, "record_id": record_id, "base_version": None,
            "client_time": "2026-11-25T09:00:00+00:00", "data": data}


def home_mutations(area_home: AreaHome, *, with_status: bool = True, today: date | None = None) -> list[dict]:
    """What the home's manager sends: bed counts, settings, workforce, its outbreak (with ``today``: its days
    count back from it), and (its confirmation) the home status."""
    found = [mutation("bed_count", f"{area_home.id}/{b['category']}", b) for b in bed_data(area_home)]
    found.append(mutation("home_settings", f"{area_home.id}/settings", settings_data(area_home)))
    if area_home.workforce is not None:
        found.append(mutation("workforce", f"{area_home.id}/workforce", workforce_data(area_home)))
    if area_home.outbreak is not None and today is not None:
        found.append(mutation("outbreak", f"{area_home.id}/outbreak", outbreak_data(area_home, today)))
    if with_status:
        data = status_data(area_home, None)
        data.pop("confirmed_at")
        found.append(mutation("home_status", area_home.id, data))
    return found


def push_body(mutations: list[dict]) -> dict:
    return {"device_id": str(uuid.uuid4()), "schema_version": SCHEMA_VERSION, "mutations": mutations}


def seed_area(client, database_url: str) -> None:
    """AREA_HOMES into the in-process central API's database (``serving``), each home's manager confirming at
    its own time (the server stamps it); the clock is back at its start afterwards."""
    from argon2 import PasswordHasher, profiles

    from tests.support.auth import DEMO_PASSWORD, sign_in

    now = client.clock.now
    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST).hash(DEMO_PASSWORD)
    add_to_directory(database_url, AREA_HOMES, cheap, stamp=now.isoformat())
    for area_home in AREA_HOMES:
        client.clock.now = now - (area_home.confirmed_ago or timedelta(days=30))
        answer = client.post("/sync/push", headers=sign_in(client, manager_of(area_home)), json=push_body(
            home_mutations(area_home, with_status=area_home.confirmed_ago is not None, today=now.date())))
        assert answer.status_code == 200 and {r["status"] for r in answer.json()["results"]} == {"applied"}, answer.text
    client.clock.now = now
