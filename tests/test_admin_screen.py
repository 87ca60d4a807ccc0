"""An administrator's first screen: the last import's summary (or none yet), homes awaiting an ICB decision,
finding, unlocking and re-roling accounts, the audit log; in plain words offline.

The account endpoints are the real central API (in-process). The /admin/*
endpoints belong to the directory helper: here they answer as their contract
says (protocol/directory.py), so the screen's rules are tested on this branch.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import httpx
import pytest

from client.state.admin import NEEDS_CONNECTION, NO_IMPORT, AdminScreen
from client.sync import CentralApi
from domain.homes import IcbChoice
from protocol.directory import BadRow, IcbDecisionNeeded, ImportSummary
from server_stub.demo_data import DEMO_PASSWORD
from tests.support import aio
from tests.support.auth import sign_in_answer
from tests.support.central_inprocess import serving
from tests.support.devices import make_device

pytestmark = pytest.mark.usefixtures("memory_keyring")
SERVER = "http://central.test"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
SUMMARY = ImportSummary(
    file_name="trafford_care_homes.csv", file_format="directory", at=NOW, by="admin", dry_run=False,
    areas=["Trafford"], added=56, updated=0, deregistered=0, restored=0, unchanged=0, awaiting_icb=1, changes=[],
    bad_rows=[BadRow(line=14, reason="Postcode is missing")])
WIGAN_CHOICES = [IcbChoice(code="QOP", name="NHS Greater Manchester ICB", region="North West"),
                 IcbChoice(code="QYG", name="NHS Cheshire and Merseyside ICB", region="North West")]


class Directory:
    """GET/PUT /admin/* as protocol/directory.py describes them."""

    def __init__(self) -> None:
        self.summary: ImportSummary | None = None
        self.waiting = [IcbDecisionNeeded(home_id="1-99999", name="Orchard View", local_authority="Wigan",
                                          postcode="WN1 1AA", candidates=WIGAN_CHOICES)]
        self.decided: dict[str, str] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/admin/imports/latest":
            if self.summary is None:
                return httpx.Response(404, json={"detail": "No directory file has been imported yet"})
            return httpx.Response(200, content=self.summary.model_dump_json())
        if path == "/admin/icb-decisions":
            return httpx.Response(200, json=[d.model_dump(mode="json") for d in self.waiting])
        home_id = path.removeprefix("/admin/icb-decisions/")
        self.decided[home_id] = json.loads(request.content)["icb_code"]
        self.waiting = [d for d in self.waiting if d.home_id != home_id]
        home = {"cqc_location_id": home_id, "name": "Orchard View", "address": "1 Orchard Lane", "postcode": "WN1 1AA",
                "local_authority": "Wigan", "with_nursing": False, "bed_categories": ["residential"],
                "icb_code": self.decided[home_id]}
        return httpx.Response(200, json=home)


class Network(httpx.AsyncBaseTransport):
    def __init__(self, app, directory: Directory) -> None:
        self.central = httpx.ASGITransport(app=app)
        self.directory = httpx.MockTransport(directory)
        self.connected = True

    async def handle_async_request(self, request):
        if not self.connected:
            raise httpx.ConnectError("no network")
        if request.url.path.startswith("/admin/"):
            return await self.directory.handle_async_request(request)
        return await self.central.handle_async_request(request)


@pytest.fixture()
def client(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as test_client:
        yield test_client


@pytest.fixture()
def directory():
    return Directory()


@pytest.fixture()
def admin(client, directory, tmp_path):
    network = Network(client.app_ref, directory)
    device = make_device(tmp_path / "admin", SERVER,
                         api_factory=lambda url, token: CentralApi(url, token, transport=network))
    aio.run(device.session.sign_in(SERVER, "admin", DEMO_PASSWORD))
    device.network = network
    yield device
    device.close()


def screen_of(device) -> AdminScreen:
    return AdminScreen(device.session.api, now=lambda: NOW)


def test_before_any_import_it_says_so_and_after_one_it_shows_the_summary(admin, directory):
    screen = screen_of(admin)
    assert screen.import_lines == ["Import status not loaded yet"]
    assert aio.run(screen.load())
    assert screen.import_lines == [NO_IMPORT]
    directory.summary = SUMMARY
    assert aio.run(screen.load())
    lines = screen.import_lines
    assert lines[0].startswith("Last file: trafford_care_homes.csv (CQC directory), 25 Nov 2026 ")
    assert lines[0].endswith(" by admin")
    assert lines[1] == "56 added, 0 updated, 0 deregistered, 0 restored, 0 unchanged"
    assert lines[2] == "1 awaiting an ICB decision; 1 bad row"
    assert "Line 14: Postcode is missing" in lines
    # The audit log came with it, newest first: the admin's own sign-in is there.
    assert any(line.endswith("  admin  sign in  admin") for line in screen.audit_lines)


def test_an_administrator_chooses_the_icb_of_a_home_waiting_for_one(admin, directory):
    screen = screen_of(admin)
    aio.run(screen.load())
    assert screen.decision_summary.startswith("1 home waiting for an ICB decision")
    assert aio.run(screen.decide_icb("1-99999", "NOT-A-CHOICE")) is False
    assert screen.message == "Choose one of the ICBs listed for this home" and directory.decided == {}
    assert aio.run(screen.decide_icb("1-99999", "QYG"))
    assert directory.decided == {"1-99999": "QYG"} and screen.decisions == []
    assert screen.message == "Orchard View is now in NHS Cheshire and Merseyside ICB"
    assert screen.decision_summary == "No homes are waiting for an ICB decision"


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
    assert screen.message == "area: a commissioner needs an area"
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

    network = Network(client.app_ref, Directory())
    ward = make_device(tmp_path / "ward", SERVER, api_factory=lambda url, token: CentralApi(url, token, transport=network))
    aio.run(ward.session.sign_in(SERVER, "hospital", DEMO_PASSWORD))
    refused = screen_of(ward)
    assert aio.run(refused.find("demo")) is False
    assert refused.message == "Only an administrator may look up accounts"
    ward.close()
