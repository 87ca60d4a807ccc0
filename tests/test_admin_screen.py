"""An administrator's first screen against the real central API (in-process, on a real SQLite file): the last
import's summary (or none yet), the home a CQC file could not place in one ICB and the administrator's choice,
finding, unlocking and re-roling accounts, the audit log; in plain words offline or refused.

The directory is imported by the real importer service (``import_homes``, what ``python -m server_stub
import-homes`` runs) on the server's own database; the device signs in as the demo administrator and asks
the real /admin/* and /accounts endpoints. Only the last tests put a stand-in in front of the central API, each
for one rule of the screen alone (a 5xx, one part refused).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from client.state.admin import NEEDS_CONNECTION, NO_IMPORT, AdminScreen
from client.sync import CentralApi
from domain.homes import IcbChoice
from protocol.sync import Account
from server_stub import repository
from server_stub.db import write_transaction
from server_stub.demo_data import DEMO_PASSWORD
from server_stub.security import hash_password
from server_stub.services.directory import import_homes
from tests.support import aio
from tests.support.auth import sign_in, sign_in_answer
from tests.support.central_inprocess import Switchable, serving
from tests.support.devices import Device, make_device

pytestmark = pytest.mark.usefixtures("memory_keyring")
SERVER = "http://central.test"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
HSCA_SAMPLE = Path(__file__).parent / "data" / "hsca_sample.csv"  # its Camberley Lodge (Surrey) has no sub-ICB
CAMBERLEY = "1-1000000002"
HEARTLANDS = IcbChoice(code="QXU", name="NHS Surrey Heartlands Integrated Care Board", region="South East")
FRIMLEY = IcbChoice(code="QNQ", name="NHS Frimley Integrated Care Board", region="South East")


@pytest.fixture()
def client(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as test_client:
        yield test_client


def device_of(client: TestClient, folder: Path, username: str, password: str = DEMO_PASSWORD,
              network: httpx.AsyncBaseTransport | None = None) -> Device:
    """A device signed in to the in-process central API; ``device.network`` can be cut."""
    network = network or Switchable(client.app_ref)
    device = make_device(folder, SERVER, api_factory=lambda url, token: CentralApi(url, token, transport=network))
    aio.run(device.session.sign_in(SERVER, username, password))
    device.network = network
    return device


@pytest.fixture()
def admin(client, tmp_path):
    device = device_of(client, tmp_path / "admin", "admin")
    yield device
    device.close()


def screen_of(device: Device) -> AdminScreen:
    return AdminScreen(device.session.api, now=lambda: NOW)


def import_hsca_sample(client: TestClient) -> None:
    """What ``python -m server_stub import-homes tests/data/hsca_sample.csv`` does, on the server's database."""
    with client.app_ref.state.engine.connect() as connection:
        import_homes(connection, HSCA_SAMPLE, client.clock.now, dry_run=False)


def test_before_any_import_it_says_so(tmp_path):
    with serving(tmp_path / "central.sqlite3", seed_demo=False) as client:  # no demo seed: no first import
        with client.app_ref.state.engine.connect() as connection, write_transaction(connection):
            repository.insert_accounts(connection, [(Account(username="root", display_name="Root",
                                                             role="administrator"), hash_password("a long password"))])
        device = device_of(client, tmp_path / "root", "root", "a long password")
        screen = screen_of(device)
        assert screen.import_lines == ["Import status not loaded yet"]
        assert aio.run(screen.load()) and screen.message is None
        assert screen.import_lines == [NO_IMPORT]
        assert screen.decision_summary == "No homes are waiting for an ICB decision"
        assert any(line.endswith("  root  sign in  root") for line in screen.audit_lines)
        device.close()


def test_after_an_import_it_shows_the_files_summary_and_the_home_awaiting_an_icb_decision(client, admin):
    screen = screen_of(admin)
    assert aio.run(screen.load())
    assert screen.import_lines[0].startswith("Last file: trafford_care_homes.csv (CQC directory), ")  # the demo seed
    assert screen.decisions == []

    import_hsca_sample(client)
    assert aio.run(screen.load())
    lines = screen.import_lines
    assert lines[0].startswith("Last file: hsca_sample.csv (CQC HSCA active locations), 25 Nov 2026 ")
    assert lines[0].endswith(" from the command line")
    assert lines[1] == "6 added, 0 updated, 0 deregistered, 0 restored, 0 unchanged"
    assert lines[2] == "1 awaiting an ICB decision; 1 bad row"
    assert lines[3:] == ["Areas: Hampshire, Manchester, Southampton, Surrey", "Line 11: beds is not a number ('forty')"]
    [waiting] = screen.decisions
    assert (waiting.home_id, waiting.name, waiting.local_authority, waiting.postcode) == (
        CAMBERLEY, "Camberley Lodge", "Surrey", "GU15 3PQ")
    assert waiting.candidates == [HEARTLANDS, FRIMLEY]
    assert screen.decision_summary.startswith("1 home waiting for an ICB decision")
    # The audit log came with it, newest first: the admin's own sign-in is there.
    assert any(line.endswith("  admin  sign in  admin") for line in screen.audit_lines)


def test_an_administrator_chooses_the_icb_of_a_home_waiting_for_one(client, admin):
    import_hsca_sample(client)
    screen = screen_of(admin)
    aio.run(screen.load())
    assert aio.run(screen.decide_icb(CAMBERLEY, "QOP")) is False  # not one of its ICBs: refused on the device
    assert screen.message == "Choose one of the ICBs listed for this home" and len(screen.decisions) == 1

    assert aio.run(screen.decide_icb(CAMBERLEY, FRIMLEY.code))
    assert screen.message == f"Camberley Lodge is now in {FRIMLEY.name}" and not screen.message_is_error
    assert screen.decisions == [] and screen.decision_summary == "No homes are waiting for an ICB decision"
    # On the central API: nothing waits any more, and the choice is in the audit log under the home.
    headers = sign_in(client, "admin")
    assert client.get("/admin/icb-decisions", headers=headers).json() == []
    audit = client.get("/accounts/audit", params={"subject": CAMBERLEY}, headers=headers).json()
    assert [(e["actor"], e["action"], e["detail"]) for e in audit] == [("admin", "icb_decided", f"QNQ {FRIMLEY.name}")]


def test_a_home_another_administrator_placed_meanwhile_is_refused_in_the_servers_words(client, admin):
    import_hsca_sample(client)
    screen = screen_of(admin)
    aio.run(screen.load())
    other = client.put(f"/admin/icb-decisions/{CAMBERLEY}", json={"icb_code": HEARTLANDS.code},
                       headers=sign_in(client, "admin"))
    assert other.status_code == 200
    assert aio.run(screen.decide_icb(CAMBERLEY, FRIMLEY.code)) is False
    assert screen.message == "ICB code: this home's ICB is not waiting for a decision" and screen.message_is_error


def test_an_administrator_finds_a_locked_account_and_unlocks_it(client, admin):
    for _ in range(10):
        sign_in_answer(client, "champion", "wrong password")
    screen = screen_of(admin)
    assert aio.run(screen.find("  ")) is False and screen.message.startswith("Type part of a name")
    assert aio.run(screen.find("champion"))
    [row] = screen.account_rows
    assert row.username == "champion" and row.line.startswith("Demo digital champion, Trafford - Digital champion, ")
    assert row.locked is not None and row.locked.startswith("Locked until ")
    assert screen.found_summary == '1 account matches "champion"'
    assert aio.run(screen.unlock("champion"))
    assert screen.account_rows[0].locked is None
    assert screen.message == "Demo digital champion, Trafford can sign in again now"
    assert sign_in_answer(client, "champion").status_code == 200


def test_an_administrator_changes_a_role_and_a_missing_place_is_refused_in_plain_words(client, admin):
    screen = screen_of(admin)
    aio.run(screen.find("ward clerk"))
    assert aio.run(screen.change_role("hospital", "commissioner", "")) is False
    assert screen.message == "Area: a commissioner needs an area"
    assert aio.run(screen.change_role("hospital", "commissioner", "icb:QOP"))
    assert screen.message.startswith("Demo ward clerk, Wythenshawe Hospital is now commissioner, area icb:QOP")
    assert screen.account_rows[0].line.endswith("Commissioner, area icb:QOP")
    assert any("role changed  hospital" in line for line in screen.audit_lines)


def test_many_matches_say_only_the_first_50_are_shown(admin):
    screen = screen_of(admin)
    aio.run(screen.find("manager-"))
    assert len(screen.account_rows) == 50 and screen.found_summary.endswith("(the first 50: type more to narrow it)")


def test_offline_or_not_an_administrator_it_says_so_plainly(client, admin, tmp_path):
    screen = screen_of(admin)
    admin.network.connected = False
    assert aio.run(screen.load()) is False and screen.message == NEEDS_CONNECTION
    assert aio.run(screen.find("demo")) is False and screen.message == NEEDS_CONNECTION

    ward = device_of(client, tmp_path / "ward", "hospital")
    refused = screen_of(ward)
    assert aio.run(refused.find("demo")) is False
    assert refused.message == "Only an administrator may look up accounts"
    assert aio.run(refused.load()) is False
    assert refused.message.startswith("The import status could not be loaded: Only an administrator may see")
    ward.close()


# -- one rule alone, with a stand-in in front of the central API -------------------------------------------


class Answering(httpx.AsyncBaseTransport):
    """The central API in-process, except that the paths in ``answers`` get the given status instead."""

    def __init__(self, app, answers: dict[str, int]) -> None:
        self.central, self.answers = httpx.ASGITransport(app=app), answers

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        status = self.answers.get(request.url.path)
        if status is not None:
            return httpx.Response(status, json={"detail": "Not Found"} if status == 404 else None)
        return await self.central.handle_async_request(request)


def test_a_server_error_reads_as_needing_a_connection_not_as_a_fault_code(client, tmp_path):
    network = Answering(client.app_ref, {"/admin/imports/latest": 500})
    device = device_of(client, tmp_path / "admin", "admin", network=network)
    screen = screen_of(device)
    assert aio.run(screen.load()) is False
    assert screen.message == NEEDS_CONNECTION and screen.message_is_error
    device.close()


def test_one_part_the_central_api_cannot_give_does_not_hide_the_others(client, tmp_path):
    """An older central API without the ICB decisions endpoint: the import status and audit log still show."""
    network = Answering(client.app_ref, {"/admin/icb-decisions": 404})
    device = device_of(client, tmp_path / "admin", "admin", network=network)
    screen = screen_of(device)
    assert aio.run(screen.load()) is False
    assert screen.message == \
        "Homes awaiting an ICB decision could not be loaded: the central API does not offer this yet (an older version)"
    assert screen.import_lines[0].startswith("Last file: trafford_care_homes.csv") and screen.audit_lines
    device.close()
