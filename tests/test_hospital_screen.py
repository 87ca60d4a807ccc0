"""A hospital user's first screen: the transfers to her hospital from the central API, each opening its pack;
in memory only, and plain words when there is no connection."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from client.state.hospital import NEEDS_CONNECTION, HospitalTransfers
from client.sync import CentralApi
from domain.news2 import Consciousness, Observations
from domain.residents import Organisation, Resident
from domain.transfer import depart, record_return, start_transfer
from server_stub.demo_data import DEMO_HOME_ID, DEMO_HOSPITAL_ODS, DEMO_PASSWORD
from tests.support import aio
from tests.support.auth import sign_in
from tests.support.central_inprocess import Switchable, push, serving
from tests.support.devices import make_device

pytestmark = pytest.mark.usefixtures("memory_keyring")
SERVER = "http://central.test"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture()
def client(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as test_client:
        yield test_client


def mutation(kind: str, model, base_version=None) -> dict:
    return {"mutation_id": str(uuid.uuid4()), "kind": kind, "record_id": model.record_id,
            "base_version": base_version, "client_time": NOW.isoformat(), "data": model.model_dump(mode="json")}


def send_to_hospital(client, given: str, family: str, sent_at: datetime):
    """The demo home sends a resident to the demo hospital (R0A07): the transfer as the hospital will read it."""
    manager = sign_in(client, "demo")
    resident = Resident(home_id=DEMO_HOME_ID, resident_id=uuid.uuid4().hex, given_name=given, family_name=family,
                        date_of_birth=date(1934, 3, 2), nhs_number="943 476 5919")
    observations = Observations(respiration_rate=24, spo2=93, on_oxygen=False, systolic_bp=98, pulse=112,
                                consciousness=Consciousness.NEW_CONFUSION, temperature=Decimal("38.4"))
    transfer = start_transfer(resident, "Short of breath, new confusion", observations,
                              destination_hospital=Organisation(name="Wythenshawe Hospital", ods_code=DEMO_HOSPITAL_ODS))
    results = push(client, manager, [mutation("resident", resident), mutation("transfer", transfer)]).json()["results"]
    departed = depart(transfer, sent_at)
    [sent] = push(client, manager, [mutation("transfer", departed, results[1]["version"])]).json()["results"]
    assert sent["status"] == "applied", sent
    return departed, sent["version"]


@pytest.fixture()
def ward(client, tmp_path):
    network = Switchable(client.app_ref)
    device = make_device(tmp_path / "ward", SERVER,
                         api_factory=lambda url, token: CentralApi(url, token, transport=network))
    aio.run(device.session.sign_in(SERVER, "hospital", DEMO_PASSWORD))
    device.network = network
    yield device
    device.close()


def test_the_ward_sees_arriving_then_in_hospital_and_opens_a_pack_made_on_the_device(client, ward, read_pdf):
    earlier, _ = send_to_hospital(client, "Albert", "Fenwick", NOW - timedelta(days=2))
    margaret, _ = send_to_hospital(client, "Margaret", "Oyelaran-Whitfield", NOW - timedelta(hours=1))
    screen = HospitalTransfers(ward.session.api, ward.store.documents, now=lambda: NOW)
    assert screen.summary == "Transfers have not been loaded yet" and screen.rows == []

    assert aio.run(screen.refresh()) is True
    rows = screen.rows
    assert [(r.name, r.arriving) for r in rows] == [("Margaret Oyelaran-Whitfield", True), ("Albert Fenwick", False)]
    assert rows[0].line.startswith("From Allingham House Care Centre, sent ")
    assert "Short of breath, new confusion - NEWS2" in rows[0].detail
    assert screen.summary.startswith("2 residents on a transfer to your hospital, 1 arriving")

    document = screen.pack_document(margaret.transfer_id)
    assert document.media_type == "application/pdf" and "Oyelaran" not in document.name
    text = read_pdf(ward.store.documents.read(document.id)[1])
    assert "Margaret" in text and "Oyelaran-Whitfield" in text and "943 476 5919" in text
    assert screen.pack_document(margaret.transfer_id) == document  # made once, then opened again from the shelf
    # The hospital's reads are audited on the central API.
    audit = client.get("/accounts/audit", params={"subject": "hospital", "limit": 1000},
                       headers=sign_in(client, "admin")).json()
    assert any(e["action"] == "personal_data_read" and e["subject"] == margaret.record_id for e in audit)


def test_nothing_of_the_resident_is_written_to_disk_in_plain_form(client, ward, tmp_path):
    margaret, _ = send_to_hospital(client, "Margaret", "Oyelaran-Whitfield", NOW - timedelta(hours=1))
    screen = HospitalTransfers(ward.session.api, ward.store.documents, now=lambda: NOW)
    aio.run(screen.refresh())
    screen.pack_document(margaret.transfer_id)
    ward.store.close()
    for path in (tmp_path / "ward").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"Oyelaran" not in data and b"9434765919" not in data, path


def test_offline_the_screen_says_transfers_need_a_connection(client, ward):
    send_to_hospital(client, "Margaret", "Oyelaran-Whitfield", NOW - timedelta(hours=1))
    screen = HospitalTransfers(ward.session.api, ward.store.documents, now=lambda: NOW)
    ward.network.connected = False
    assert aio.run(screen.refresh()) is False
    assert screen.message == NEEDS_CONNECTION and screen.message_is_error and screen.rows == []
    ward.network.connected = True
    assert aio.run(screen.refresh()) and len(screen.rows) == 1 and screen.message is None
    # Offline again: what was shown stays (in memory), with the plain reason beside it.
    ward.network.connected = False
    aio.run(screen.refresh())
    assert len(screen.rows) == 1 and screen.message == NEEDS_CONNECTION


def test_a_transfer_that_ends_leaves_the_list_and_its_pack_leaves_the_device(client, ward):
    margaret, version = send_to_hospital(client, "Margaret", "Oyelaran-Whitfield", NOW - timedelta(hours=1))
    screen = HospitalTransfers(ward.session.api, ward.store.documents, now=lambda: NOW)
    aio.run(screen.refresh())
    screen.pack_document(margaret.transfer_id)
    assert ward.store.documents.groups() == {margaret.record_id}
    returned = record_return(margaret, NOW + timedelta(days=3), "Chest infection, antibiotics for 5 days")
    push(client, sign_in(client, "demo"), [mutation("transfer", returned, version)])
    aio.run(screen.refresh())
    assert screen.rows == [] and ward.store.documents.groups() == set()
    assert screen.summary.startswith("No residents are on a transfer to your hospital")


def test_without_a_token_it_asks_to_sign_in_again(client, tmp_path):
    device = make_device(tmp_path / "nobody", SERVER)
    screen = HospitalTransfers(device.session.api, device.store.documents, now=lambda: NOW)
    assert aio.run(screen.refresh()) is False and screen.message == "Please sign in again to see transfers"
    device.close()
