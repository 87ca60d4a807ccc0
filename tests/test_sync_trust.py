"""What a push cannot do, whatever the device claims (issue 10, acceptance 3 and 6): name another author,
read personal data unaudited, answer one change id twice, skip the stale-edit check with a base version
the server never issued, or learn whether another home's record exists."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest

from domain.readiness import Broadband, WifiSurveyResult
from domain.residents import Resident
from server_stub.demo_data import DEMO_CHAMPION_HOMES, DEMO_HOME_ID
from tests.support.auth import sign_in
from tests.support.central_inprocess import bed_mutation, nursing_version, push, serving

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
OTHER_HOME = DEMO_CHAMPION_HOMES[1]


@pytest.fixture()
def client(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database) as test_client:
        yield test_client


def mutation(kind: str, model, base_version=None) -> dict:
    return {"mutation_id": str(uuid.uuid4()), "kind": kind, "record_id": model.record_id,
            "base_version": base_version, "client_time": NOW.isoformat(), "data": model.model_dump(mode="json")}


def deletion(kind: str, record_id: str, base_version=0) -> dict:
    return {"mutation_id": str(uuid.uuid4()), "kind": kind, "record_id": record_id, "op": "delete",
            "base_version": base_version, "client_time": NOW.isoformat()}


def resident(**fields) -> Resident:
    return Resident(**{"home_id": DEMO_HOME_ID, "resident_id": uuid.uuid4().hex, "given_name": "Margaret",
                       "family_name": "Oyelaran-Whitfield", "date_of_birth": date(1934, 3, 2),
                       "nhs_number": "943 476 5919", **fields})


def carer(client) -> dict[str, str]:
    """A member of the demo home's staff, registered from the manager's invite, signed in."""
    invite = client.post("/accounts/invites", json={"home_id": DEMO_HOME_ID}, headers=sign_in(client))
    code = invite.json()["invite_code"]
    registered = client.post("/accounts/register", json={"invite_code": code, "username": "carer.sam",
                                                          "display_name": "Sam", "password": "a long password 1"})
    assert registered.status_code == 201, registered.text
    return sign_in(client, "carer.sam", "a long password 1")


def pulled(client, headers, kind: str) -> dict[str, dict]:
    changes, since = {}, 0
    while True:
        page = client.get("/sync/changes", params={"since": since, "limit": 1000}, headers=headers).json()
        changes |= {c["id"]: c for c in page["changes"] if c["kind"] == kind}
        since = page["cursor"]
        if not page["has_more"]:
            return changes


def results(answer) -> list[dict]:
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


# -- who changed what ------------------------------------------------------------------------------------


def test_a_forged_author_is_replaced_by_the_account_of_the_token(client):
    sam = carer(client)
    broadband = Broadband(home_id=DEMO_HOME_ID, provider="BT", contracted_down_mbps=80, contracted_up_mbps=20,
                          changed_by="commissioner", changed_at=NOW)
    margaret = resident(changed_by="commissioner", changed_at=NOW)
    answers = results(push(client, sam, [mutation("broadband", broadband), mutation("resident", margaret)]))
    assert [a["status"] for a in answers] == ["applied", "applied"]

    manager = sign_in(client)
    assert pulled(client, manager, "broadband")[broadband.record_id]["data"]["changed_by"] == "carer.sam"
    stored = pulled(client, manager, "resident")[margaret.record_id]["data"]
    assert stored["changed_by"] == "carer.sam" and stored["given_name"] == "Margaret"


def test_a_record_saved_without_an_author_is_stamped_with_the_account(client):
    survey = WifiSurveyResult(home_id=DEMO_HOME_ID, result_id="lounge", location="Lounge", measured_at=NOW,
                              no_connection=True)
    assert results(push(client, sign_in(client), [mutation("wifi_result", survey)]))[0]["status"] == "applied"
    assert pulled(client, sign_in(client), "wifi_result")[survey.record_id]["data"]["changed_by"] == "demo"


# -- personal data in a conflict answer ------------------------------------------------------------------


def test_personal_data_returned_in_a_conflict_answer_is_audited(client):
    manager = sign_in(client)
    margaret = resident()
    assert results(push(client, manager, [mutation("resident", margaret)]))[0]["status"] == "applied"

    # Another device, unaware of the record, creates it too: it loses, and is sent the server's copy.
    losing = mutation("resident", resident(resident_id=margaret.resident_id, given_name="Maggie"))
    [conflict] = results(push(client, manager, [losing]))
    assert conflict["status"] == "conflict" and conflict["current"]["data"]["given_name"] == "Margaret"
    # A retry gets the stored answer, the record again: read again.
    assert results(push(client, manager, [losing]))[0]["current"]["data"]["given_name"] == "Margaret"

    log = client.get("/accounts/audit", params={"subject": margaret.record_id},
                     headers=sign_in(client, "admin")).json()
    reads = [(e["actor"], e["detail"]) for e in log if e["action"] == "personal_data_read"]
    assert reads == [("demo", "resident (conflict)")] * 2


# -- batches that are refused whole ----------------------------------------------------------------------


def test_a_batch_using_one_change_id_for_two_changes_is_refused_and_nothing_is_applied(client):
    manager = sign_in(client)
    before = client.get(f"/homes/{DEMO_HOME_ID}/bed-state", headers=manager).json()
    first = bed_mutation(base_version=nursing_version(client, manager), occupied=21, vacant_accepting=4)
    other_data = {**first, "data": {**first["data"], "occupied": 22, "vacant_accepting": 3}}
    other_record = {**bed_mutation(category="residential", occupied=1), "mutation_id": first["mutation_id"]}
    for batch in ([first, other_data], [other_record, first]):
        answer = push(client, manager, batch)
        assert answer.status_code == 422, answer.text
        [error] = answer.json()["detail"]
        assert error["loc"] == ["body", "mutations"] and "two different changes" in error["msg"]
    assert client.get(f"/homes/{DEMO_HOME_ID}/bed-state", headers=manager).json() == before
    # The id was not used up: sent alone, it applies.
    assert results(push(client, manager, [first]))[0]["status"] == "applied"


# -- base versions the server never issued ---------------------------------------------------------------


def test_a_base_version_above_the_records_version_is_a_conflict_not_an_overwrite(client):
    manager = sign_in(client)
    version = nursing_version(client, manager)
    future = bed_mutation(base_version=version + 1_000, occupied=1, vacant_reserved=0, vacant_accepting=0)
    [answer] = results(push(client, manager, [future]))
    assert answer["status"] == "conflict" and answer["current"]["version"] == version
    assert "does not know the version this change was made on" in answer["message"]
    assert nursing_version(client, manager) == version


def test_a_base_version_for_a_record_the_server_never_had_is_a_conflict(client):
    manager = sign_in(client)
    survey = WifiSurveyResult(home_id=DEMO_HOME_ID, result_id="attic", location="Attic", measured_at=NOW,
                              no_connection=True)
    [answer] = results(push(client, manager, [mutation("wifi_result", survey, base_version=10**9)]))
    assert answer["status"] == "conflict" and answer["current"] is None
    assert survey.record_id not in pulled(client, manager, "wifi_result")


# -- refusals that tell the truth and nothing more -------------------------------------------------------


def test_a_change_for_a_home_that_does_not_exist_says_the_home_is_unknown(client):
    [answer] = results(push(client, sign_in(client), [bed_mutation(home_id="1-99999999")]))
    assert answer["status"] == "rejected"
    assert answer["message"] == "Unknown care home '1-99999999'"


def test_deleting_another_homes_record_answers_the_same_whether_it_exists_or_not(client):
    theirs = WifiSurveyResult(home_id=OTHER_HOME, result_id="office", location="Office", measured_at=NOW,
                              no_connection=True)
    assert results(push(client, sign_in(client, f"manager-{OTHER_HOME}"),
                        [mutation("wifi_result", theirs)]))[0]["status"] == "applied"
    manager = sign_in(client)
    existing = results(push(client, manager, [deletion("wifi_result", theirs.record_id)]))[0]
    missing = results(push(client, manager, [deletion("wifi_result", f"{OTHER_HOME}/wifi/nowhere")]))[0]
    assert existing["status"] == missing["status"] == "rejected"
    assert existing["message"] == missing["message"] == "You may not change another home's WiFi survey results"
    assert existing.keys() == missing.keys() and existing["version"] is missing["version"] is None


@pytest.mark.usefixtures("memory_keyring")
def test_a_device_shows_the_stamped_author_after_it_syncs(tmp_path, central_api):
    from domain.readiness import stamp
    from tests.support import aio
    from tests.support.auth import DEMO_PASSWORD
    from tests.support.devices import make_device

    async def scenario():
        device = make_device(tmp_path / "champion", central_api.url)
        await device.session.sign_in(central_api.url, "champion", DEMO_PASSWORD)
        assert await device.engine.sync_once()
        forged = stamp(Broadband(home_id=DEMO_HOME_ID, provider="BT", contracted_down_mbps=80), "commissioner", NOW)
        device.store.save_together([("broadband", forged)])
        before = device.store.record("broadband", forged.record_id).data["changed_by"]
        assert await device.engine.sync_once()
        after = device.store.record("broadband", forged.record_id).data
        device.close()
        return before, after

    before, after = aio.run(scenario())
    assert before == "commissioner"  # what this device saved, until the central API answers
    assert after["changed_by"] == "champion" and after["provider"] == "BT"
