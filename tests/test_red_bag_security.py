"""The red bag's protection: who may read a resident, audited reads, encryption on the device, conflicts kept."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain.news2 import Consciousness, Observations
from domain.residents import Organisation, Resident
from domain.transfer import depart, record_return, start_transfer
from server_stub.demo_data import DEMO_HOME_ID, DEMO_HOSPITAL_ODS, DEMO_PASSWORD
from tests.support.auth import sign_in
from tests.support.central_inprocess import push, serving

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
OTHER_HOME = "1-466088203"


def resident() -> Resident:
    return Resident(home_id=DEMO_HOME_ID, resident_id=uuid.uuid4().hex, given_name="Margaret",
                    family_name="Oyelaran-Whitfield", date_of_birth=date(1934, 3, 2), nhs_number="943 476 5919")


def observations() -> Observations:
    return Observations(respiration_rate=24, spo2=93, on_oxygen=False, systolic_bp=98, pulse=112,
                        consciousness=Consciousness.NEW_CONFUSION, temperature=Decimal("38.4"))


def mutation(kind: str, model, base_version=None) -> dict:
    return {"mutation_id": str(uuid.uuid4()), "kind": kind, "record_id": model.record_id,
            "base_version": base_version, "client_time": NOW.isoformat(), "data": model.model_dump(mode="json")}


@pytest.fixture()
def client(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as test_client:
        yield test_client


def pulled_kinds(client, headers) -> set[str]:
    kinds, since = set(), 0
    while True:
        page = client.get("/sync/changes", params={"since": since, "limit": 1000}, headers=headers).json()
        kinds |= {c["kind"] for c in page["changes"]}
        since = page["cursor"]
        if not page["has_more"]:
            return kinds


def audit(client) -> list[dict]:
    return client.get("/accounts/audit", params={"limit": 1000}, headers=sign_in(client, "admin")).json()


def test_only_the_residents_home_reads_it_and_every_read_is_audited(client):
    manager = sign_in(client, "demo")
    margaret = resident()
    [applied] = push(client, manager, [mutation("resident", margaret)]).json()["results"]
    assert applied["status"] == "applied"

    assert "resident" in pulled_kinds(client, manager)
    reads = [e for e in audit(client) if e["action"] == "personal_data_read"]
    assert [(e["actor"], e["subject"]) for e in reads] == [("demo", margaret.record_id)]

    for outsider in (f"manager-{OTHER_HOME}", "champion", "commissioner", "admin", "hospital"):
        kinds = pulled_kinds(client, sign_in(client, outsider))
        assert "resident" not in kinds and "transfer" not in kinds, outsider
    # Another home's staff cannot write it either.
    [refused] = push(client, sign_in(client, f"manager-{OTHER_HOME}"), [mutation("resident", margaret)]).json()["results"]
    assert refused["status"] == "rejected"


def test_a_hospital_user_reads_a_pack_only_while_a_transfer_to_their_hospital_is_active(client):
    manager = sign_in(client, "demo")
    margaret = resident()
    hospital = Organisation(name="Wythenshawe Hospital", ods_code=DEMO_HOSPITAL_ODS)
    transfer = start_transfer(margaret, "Short of breath, new confusion", observations(),
                              destination_hospital=hospital)
    results = push(client, manager, [mutation("resident", margaret), mutation("transfer", transfer)]).json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    ward = sign_in(client, "hospital")
    assert client.get("/hospital/transfers", headers=ward).json() == []  # still being prepared

    departed = depart(transfer, NOW)
    [result] = push(client, manager, [mutation("transfer", departed, results[1]["version"])]).json()["results"]
    assert result["status"] == "applied"
    [pack] = client.get("/hospital/transfers", headers=ward).json()
    assert pack["resident"]["nhs_number"] == "9434765919" and pack["transfer"]["news2_total"] == departed.news2_total
    reads = [(e["actor"], e["subject"], e["detail"]) for e in audit(client) if e["action"] == "personal_data_read"]
    assert ("hospital", margaret.record_id, "resident (hospital)") in reads
    assert ("hospital", transfer.record_id, "transfer (hospital)") in reads

    # Another hospital's staff see nothing; nor does anyone who is not hospital staff.
    admin = sign_in(client, "admin")
    client.put("/accounts/hospital/role", headers=admin, json={"role": "hospital_user", "hospital_ods": "RBV01"})
    assert client.get("/hospital/transfers", headers=sign_in(client, "hospital")).json() == []
    for role_user in ("demo", "champion", "commissioner", "admin"):
        assert client.get("/hospital/transfers", headers=sign_in(client, role_user)).status_code == 403
    client.put("/accounts/hospital/role", headers=admin, json={"role": "hospital_user",
                                                                "hospital_ods": DEMO_HOSPITAL_ODS})
    ward = sign_in(client, "hospital")
    assert len(client.get("/hospital/transfers", headers=ward).json()) == 1

    # Back home: the pack is no longer the hospital's to read.
    returned = record_return(departed, NOW + timedelta(days=3), "Chest infection, antibiotics for 5 days")
    push(client, manager, [mutation("transfer", returned, result["version"])])
    assert client.get("/hospital/transfers", headers=ward).json() == []


def test_resident_data_is_encrypted_in_the_device_database(tmp_path, memory_keyring):
    from client.store import open_device_store

    store, _ = open_device_store(tmp_path)
    margaret = resident()
    transfer = start_transfer(margaret, "Fall with head injury", observations())
    store.save_together([("resident", margaret), ("transfer", transfer)])
    assert store.record("resident", margaret.record_id).data["family_name"] == "Oyelaran-Whitfield"
    store.db.execute("PRAGMA wal_checkpoint(FULL)")
    on_disk = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for secret in (b"Oyelaran-Whitfield", b"Margaret", b"9434765919", b"943 476 5919", b"head injury"):
        assert secret not in on_disk
    # The same file opened with the key from the key store reads it back; with another key it cannot.
    store.close()
    again, _ = open_device_store(tmp_path)
    assert again.record("resident", margaret.record_id).data["given_name"] == "Margaret"
    again.close()
    from client.crypto import DataCipher
    stranger, _ = open_device_store(tmp_path, cipher=DataCipher(b"\0" * 32, persistent=False))
    assert stranger.record("resident", margaret.record_id) is None


def test_about_me_edited_on_two_devices_offline_keeps_both_versions_for_a_person_to_choose(
        tmp_path, central_api, memory_keyring):
    from domain.residents import AboutMe
    from tests.support import aio
    from tests.support.devices import make_device

    margaret = resident()

    async def scenario():
        office, lounge = (make_device(tmp_path / name, central_api.url) for name in ("office", "lounge"))
        for device in (office, lounge):
            await device.session.sign_in(central_api.url, "demo", DEMO_PASSWORD)
        office.store.save("resident", [margaret])
        assert await office.engine.sync_once() and await lounge.engine.sync_once()
        # Offline, two carers write "What matters to me" differently.
        office.store.save("resident", [margaret.model_copy(update={"about_me": AboutMe(
            what_matters_to_me="Her cat Biscuit and Radio 4 in the morning")})])
        lounge.store.save("resident", [margaret.model_copy(update={"about_me": AboutMe(
            what_matters_to_me="Seeing her daughter on Sundays")})])
        assert await office.engine.sync_once() and await lounge.engine.sync_once()
        return office, lounge

    office, lounge = aio.run(scenario())
    shown = lounge.store.record("resident", margaret.record_id).data["about_me"]["what_matters_to_me"]
    assert shown == "Her cat Biscuit and Radio 4 in the morning"  # the server's, never a silent merge
    [copy] = lounge.store.conflict_copies(DEMO_HOME_ID)
    assert copy.mine["about_me"]["what_matters_to_me"] == "Seeing her daughter on Sundays"
    assert office.store.conflict_copies() == []

    # The carer reads both and keeps hers: it is sent on the server's version and applies.
    lounge.store.resolve_conflict(copy.id, keep_mine=True)
    assert aio.run(lounge.engine.sync_once()) and aio.run(office.engine.sync_once())
    assert lounge.store.conflict_copies() == []
    for device in (office, lounge):
        about = device.store.record("resident", margaret.record_id).data["about_me"]["what_matters_to_me"]
        assert about == "Seeing her daughter on Sundays"


def test_the_central_api_refuses_a_birth_in_the_future_by_its_own_clock(client):
    """Devices check the date of birth on their own clock; the server checks again on its day."""
    manager = sign_in(client, "demo")
    tomorrow = client.clock().date() + timedelta(days=1)
    unborn = resident().model_copy(update={"date_of_birth": tomorrow})
    [refused] = push(client, manager, [mutation("resident", unborn)]).json()["results"]
    assert refused["status"] == "rejected"
    assert "Date of birth can't be in the future" in refused["message"]
    [applied] = push(client, manager, [mutation("resident", resident())]).json()["results"]
    assert applied["status"] == "applied"
