"""Digital readiness records sync like bed counts: a champion offline, then the manager sees the same."""

import uuid
from datetime import datetime, timezone

import pytest

from client.sync.speedtest import measure
from domain import nhsmail
from domain.readiness import Broadband, DsptStatus, WifiSurveyResult, stamp
from tests.support import aio
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER
from tests.support.devices import make_device

pytestmark = pytest.mark.usefixtures("memory_keyring")
NOT_ASSIGNED = "1-466088203"


async def signed_in(device, url, username):
    await device.session.sign_in(url, username, DEMO_PASSWORD)
    assert await device.engine.sync_once()
    return device


def test_a_champion_records_readiness_offline_and_the_manager_sees_it(tmp_path, central_api):
    now = datetime.now(timezone.utc)

    async def scenario():
        champion = await signed_in(make_device(tmp_path / "champion", central_api.url), central_api.url, "champion")
        homes = {r.id for r in champion.store.records("care_home")}
        assert DEMO_HOME in homes and NOT_ASSIGNED not in homes
        # A WiFi result measured while the server is still up, then the champion goes offline.
        measured = await measure(champion.session.api())
        central_api.stop()
        progress = nhsmail.start(DEMO_HOME)
        progress = nhsmail.record_ods_code(progress, "VM4R7")
        progress = nhsmail.record_cqc_ids(progress, DEMO_HOME, one_time_passcode=True)
        edits = [
            ("broadband", Broadband(home_id=DEMO_HOME, provider="BT", contracted_down_mbps=80)),
            ("dspt_status", DsptStatus.from_export(DEMO_HOME, "24/25 Standards Met")),
            ("wifi_result", WifiSurveyResult(home_id=DEMO_HOME, result_id=uuid.uuid4().hex, location="Office",
                                             measured_at=now, latency_ms=measured.latency_ms,
                                             download_mbps=measured.download_mbps, upload_mbps=measured.upload_mbps)),
            ("wifi_result", WifiSurveyResult(home_id=DEMO_HOME, result_id=uuid.uuid4().hex,
                                             location="Bedroom corridor, first floor", measured_at=now,
                                             no_connection=True)),
            ("nhsmail_progress", progress),
        ]
        champion.store.save_together([(kind, stamp(item, "champion", now)) for kind, item in edits])
        assert await champion.engine.sync_once() is False  # offline: kept on the device
        assert champion.store.pending_count() == 5
        central_api.start()
        assert await champion.engine.sync_once()
        assert champion.store.pending_count() == 0

        manager = await signed_in(make_device(tmp_path / "manager", central_api.url), central_api.url, DEMO_USER)
        return manager

    manager = aio.run(scenario())
    broadband = manager.store.record("broadband", f"{DEMO_HOME}/broadband")
    assert broadband.data["provider"] == "BT" and broadband.data["changed_by"] == "champion"
    assert manager.store.record("dspt_status", f"{DEMO_HOME}/dspt").data["status"] == "Standards Met"
    results = manager.store.records("wifi_result", DEMO_HOME)
    assert sorted(r.data["location"] for r in results) == ["Bedroom corridor, first floor", "Office"]
    progress = manager.store.record("nhsmail_progress", f"{DEMO_HOME}/nhsmail").data
    assert progress["ods_code"] == "VM4R7" and progress["step"] == nhsmail.Step.DSPT.value


def test_only_the_homes_staff_and_its_champions_write_its_readiness(tmp_path, central_api):
    async def scenario():
        champion = await signed_in(make_device(tmp_path / "champion", central_api.url), central_api.url, "champion")
        commissioner = await signed_in(make_device(tmp_path / "commissioner", central_api.url), central_api.url,
                                       "commissioner")
        champion.store.save("broadband", [Broadband(home_id=NOT_ASSIGNED, provider="BT", contracted_down_mbps=80)])
        commissioner.store.save("broadband", [Broadband(home_id=DEMO_HOME, provider="BT", contracted_down_mbps=80)])
        for device in (champion, commissioner):
            assert await device.engine.sync_once()
        return champion, commissioner

    champion, commissioner = aio.run(scenario())
    for device in (champion, commissioner):
        [refused] = device.store.sync_log()
        assert refused.status == "rejected" and refused.message == "You may not change this home's records"
