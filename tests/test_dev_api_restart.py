"""Acceptance 6 (issue 13): with `dev.py up` running, the central API goes down and comes back
(`dev.py api stop|start`, as README says) and the app keeps running; a change saved meanwhile arrives."""

import pytest

from server_stub.demo_data import DEMO_HOME_ID
from tests.support import aio
from tests.support.auth import DEMO_PASSWORD
from tests.support.dev_up import answers, dev_up
from tests.support.devices import make_device
from tests.support.waiting import wait_until


@pytest.mark.slow  # dev.py up and the API twice, as a user starts them
def test_the_api_stops_and_starts_while_the_app_runs_and_a_change_made_meanwhile_arrives(tmp_path, memory_keyring):
    with dev_up(tmp_path) as up:
        api_url, app_url = up.api_url, up.app_url
        assert "python3 dev.py api stop" in up.output, up.output
        carer = make_device(tmp_path / "carer", api_url)
        office = make_device(tmp_path / "office", api_url)
        try:
            aio.run(carer.session.sign_in(api_url, "demo", DEMO_PASSWORD))
            assert aio.run(carer.engine.sync_once())

            stopped = up.dev("api", "stop")
            assert stopped.returncode == 0, stopped.stdout + stopped.stderr
            assert not answers(f"{api_url}/health")
            assert up.process.poll() is None and answers(app_url)  # the app is still up

            screen = carer.screen(DEMO_HOME_ID)
            before = screen.draft("nursing").counts["occupied"]
            screen.decrement("nursing", "occupied")
            assert screen.save(), screen.message
            assert not aio.run(carer.engine.sync_once())  # offline: it waits on the device
            assert carer.store.pending_count() >= 1

            started = up.dev("api", "start")
            assert started.returncode == 0, started.stdout + started.stderr
            assert answers(f"{api_url}/health") and up.process.poll() is None and answers(app_url)
            assert aio.run(carer.engine.sync_once()) and carer.store.pending_count() == 0

            # Another device, signing in to the API that came back, sees the change made while it was down.
            aio.run(office.session.sign_in(api_url, "demo", DEMO_PASSWORD))
            assert aio.run(office.engine.sync_once())
            assert office.store.record("bed_count", f"{DEMO_HOME_ID}/nursing").data["occupied"] == before - 1
        finally:
            carer.close()
            office.close()
    assert up.process.returncode == 0
    # `up` stopped the API that `dev.py api start` started too.
    wait_until(lambda: not answers(f"{api_url}/health"), timeout=10, what="the API to stop with the app")
