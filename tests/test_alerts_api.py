"""The alerts API (issue 12, part 1): a commissioner sends within her area (never beyond it), the homes' devices
answer through sync, the sender sees who has read and acknowledged (the server's clock) and reminds the rest.

The central API runs in-process on a real SQLite file with the area homes of tests/support/area_homes.py
(Trafford and Manchester in NHS Greater Manchester, the commissioner's area; Knutsford in Cheshire East, not).
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta

import pytest

from domain.messages import label
from server_stub.demo_data import DEMO_HOME_ID
from tests.support.area_homes import AREA_HOMES, IN_GM, manager_of, mutation, push_body
from tests.support.auth import sign_in

KNUTSFORD = "1-900000008"


def homes_where(central, condition: str) -> list[str]:
    """The registered homes of the central database's homes index that meet an SQL condition (the demo
    directory's homes too), read straight from the file."""
    with sqlite3.connect(central.database_path) as connection:
        return sorted(row[0] for row in connection.execute(
            f"SELECT home_id FROM homes WHERE registered = 1 AND {condition}"))


@pytest.fixture
def TRAFFORD(central):
    found = homes_where(central, "local_authority = 'Trafford'")
    assert {h.id for h in AREA_HOMES if h.home.local_authority == "Trafford"} < set(found)
    return found


@pytest.fixture
def commissioner(central):
    return sign_in(central, "commissioner")


def alert_body(central, **fields) -> dict:
    return {"title": "Norovirus outbreak in Trafford", "message": "Close to admissions if you have two cases.",
            "priority": "urgent", "link": "https://www.gov.uk/norovirus",
            "expires_at": (central.clock.now + timedelta(days=7)).isoformat(), **fields}


def send(central, headers, **fields):
    return central.post("/alerts", json=alert_body(central, **fields), headers=headers)


def pulled(central, username: str, kind: str) -> list[dict]:
    changes = central.get("/sync/changes", params={"since": 0}, headers=sign_in(central, username)).json()["changes"]
    return [change for change in changes if change["kind"] == kind]


def receipt(alert_id: str, home_id: str, **fields) -> dict:
    return mutation("alert_ack", f"{alert_id}/{home_id}", {"alert_id": alert_id, "home_id": home_id, **fields})


def answer(central, username: str, *mutations) -> list[dict]:
    reply = central.post("/sync/push", headers=sign_in(central, username), json=push_body(list(mutations)))
    assert reply.status_code == 200, reply.text
    return reply.json()["results"]


def test_a_local_authority_alert_reaches_its_homes_devices_and_the_areas_commissioner_only(central, commissioner, TRAFFORD):
    sent = send(central, commissioner, area="la:Trafford")
    assert sent.status_code == 201, sent.text
    summary = sent.json()
    assert (summary["homes"], summary["not_yet"], summary["audience"]) == (len(TRAFFORD), len(TRAFFORD), "Trafford")
    alert_id = summary["alert_id"]

    [copy] = pulled(central, manager_of(AREA_HOMES[0]), "alert")
    assert copy["id"] == f"{alert_id}/{AREA_HOMES[0].id}" and copy["home_id"] == AREA_HOMES[0].id
    assert copy["data"]["title"] == "Norovirus outbreak in Trafford" and copy["data"]["priority"] == "urgent"
    assert pulled(central, manager_of(AREA_HOMES[4]), "alert") == []  # Manchester: not sent to it
    assert pulled(central, manager_of(AREA_HOMES[7]), "alert") == []  # Cheshire East
    assert (DEMO_HOME_ID in TRAFFORD) == bool(pulled(central, "demo", "alert"))
    assert sorted(c["home_id"] for c in pulled(central, "commissioner", "alert")) == TRAFFORD

    audit = central.get("/accounts/audit", headers=sign_in(central, "admin")).json()
    entries = audit["entries"] if isinstance(audit, dict) else audit
    assert any(e["action"] == "alert_sent" and e["subject"] == alert_id and e["actor"] == "commissioner"
               for e in entries)


def test_chosen_homes_the_whole_area_and_an_icb(central, commissioner):
    chosen = send(central, commissioner, homes=["1-900000005", "1-900000001"]).json()
    assert chosen["homes"] == 2 and chosen["audience"] == "2 chosen homes"
    in_gm = homes_where(central, "icb_code = 'QOP'")
    assert {h.id for h in IN_GM} < set(in_gm) and KNUTSFORD not in in_gm
    whole = send(central, commissioner, area="mine").json()
    assert whole["homes"] == len(in_gm)
    icb = send(central, commissioner, area="icb:QOP").json()
    assert icb["homes"] == len(in_gm) and icb["audience"] == "NHS Greater Manchester Integrated Care Board"
    listed = central.get("/alerts", headers=commissioner).json()
    assert {a["alert_id"] for a in listed} == {icb["alert_id"], whole["alert_id"], chosen["alert_id"]}


def test_a_commissioner_cannot_reach_a_home_outside_her_area(central, commissioner):
    outside = send(central, commissioner, homes=["1-900000001", KNUTSFORD])
    assert outside.status_code == 403 and outside.json()["detail"].startswith("homes: Knutsford Manor")
    region = send(central, commissioner, area="region:North West")  # includes Cheshire East
    assert region.status_code == 403 and region.json()["detail"].startswith("area: ")
    other_la = send(central, commissioner, area="la:Cheshire East")
    assert other_la.status_code == 403 and other_la.json()["detail"].startswith("area: ")
    assert pulled(central, manager_of(AREA_HOMES[7]), "alert") == []
    assert central.get("/alerts", headers=commissioner).json() == []
    # An administrator may send anywhere.
    admin = send(central, sign_in(central, "admin"), homes=[KNUTSFORD])
    assert admin.status_code == 201, admin.text


@pytest.mark.parametrize("username", ["demo", "manager-1-900000001", "champion", "hospital"])
def test_only_commissioners_and_administrators_send_or_read_alerts(central, username):
    headers = sign_in(central, username)
    assert send(central, headers, homes=["1-900000001"]).status_code == 403
    assert central.get("/alerts", headers=headers).status_code == 403


@pytest.mark.parametrize("fields, field", [
    ({"title": "  "}, "title"),
    ({"link": "http://example.org/plan"}, "link"),
    ({"link": "javascript:alert(1)"}, "link"),
    ({"priority": "whenever"}, "priority"),
    ({"expires_at": "2026-11-20T09:00:00+00:00"}, "expires_at"),
    ({"expires_at": "2026-12-20T09:00:00"}, "expires_at"),
    ({"homes": ["no-such-home"]}, "homes"),
    ({"homes": ["1-900000001"], "area": "la:Trafford"}, "homes"),
    ({}, "homes"),
    ({"area": "county:Kent"}, "area"),
])
def test_bad_input_is_a_422_naming_the_field(central, commissioner, fields, field):
    reply = send(central, commissioner, **fields)
    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"]
    if isinstance(detail, list):
        assert field in [str(part) for part in detail[0]["loc"]] or detail[0]["msg"].startswith(field), detail
    else:
        assert detail.startswith((f"{field}: ", label(field))), detail  # the field, or its name in words


def test_the_sender_sees_read_acknowledged_and_not_yet_with_phones_and_server_times(central, commissioner, TRAFFORD):
    alert_id = send(central, commissioner, area="la:Trafford").json()["alert_id"]
    start = central.clock.now
    central.clock.now = start + timedelta(minutes=5)
    [result] = answer(central, manager_of(AREA_HOMES[0]), receipt(
        alert_id, AREA_HOMES[0].id, read_at="2020-01-01T00:00:00+00:00", acknowledged_at="2020-01-01T00:00:00+00:00",
        acknowledged_by="someone-else"))
    assert result["status"] == "applied", result
    central.clock.now = start + timedelta(minutes=9)
    [result] = answer(central, manager_of(AREA_HOMES[1]), receipt(
        alert_id, AREA_HOMES[1].id, read_at="2020-01-01T00:00:00+00:00"))
    assert result["status"] == "applied", result
    # A later device that never saw the acknowledgement cannot undo it.
    central.clock.now = start + timedelta(minutes=20)
    answer(central, manager_of(AREA_HOMES[0]), receipt(alert_id, AREA_HOMES[0].id, read_at=start.isoformat()))

    status = central.get(f"/alerts/{alert_id}", headers=sign_in(central, "commissioner"))  # 15-minute tokens
    assert status.status_code == 200, status.text
    homes = {home["home_id"]: home for home in status.json()["homes"]}
    acknowledged = homes[AREA_HOMES[0].id]
    assert acknowledged["answer"] == "acknowledged"
    assert acknowledged["acknowledged_by"] == manager_of(AREA_HOMES[0])  # the token's account, not the claim
    assert acknowledged["acknowledged_at"].startswith((start + timedelta(minutes=5)).isoformat()[:19])
    assert homes[AREA_HOMES[1].id]["answer"] == "read" and homes[AREA_HOMES[1].id]["acknowledged_at"] is None
    assert homes[AREA_HOMES[1].id]["read_at"].startswith((start + timedelta(minutes=9)).isoformat()[:19])
    not_yet = [h for h in status.json()["homes"] if h["answer"] == "not_yet"]
    assert {h["home_id"] for h in not_yet} == set(TRAFFORD) - {AREA_HOMES[0].id, AREA_HOMES[1].id}
    assert [h["phone"] for h in not_yet if h["home_id"] == AREA_HOMES[2].id] == ["0161 000 0003"]
    assert status.json()["homes"][0]["answer"] == "not_yet"  # the ones to chase first
    summary = status.json()["summary"]
    assert (summary["acknowledged"], summary["read"], summary["not_yet"]) == (1, 1, len(TRAFFORD) - 2)


def test_a_receipt_for_an_alert_not_sent_to_the_home_or_for_another_home_is_refused(central, commissioner):
    alert_id = send(central, commissioner, homes=["1-900000001"]).json()["alert_id"]
    [other] = answer(central, manager_of(AREA_HOMES[1]), receipt(alert_id, AREA_HOMES[1].id, read_at=central.clock.now.isoformat()))
    assert other["status"] == "rejected" and other["message"] == "This alert was not sent to this home"
    [foreign] = answer(central, manager_of(AREA_HOMES[1]), receipt(alert_id, "1-900000001", read_at=central.clock.now.isoformat()))
    assert foreign["status"] == "rejected"
    assert central.get(f"/alerts/{alert_id}", headers=commissioner).json()["summary"]["not_yet"] == 1


def test_remind_resends_to_the_homes_that_have_not_acknowledged(central, commissioner, TRAFFORD):
    alert_id = send(central, commissioner, area="la:Trafford").json()["alert_id"]
    acked = AREA_HOMES[0]
    answer(central, manager_of(acked), receipt(alert_id, acked.id, acknowledged_at=central.clock.now.isoformat()))
    before = {c["home_id"]: c["version"] for c in pulled(central, "commissioner", "alert")}
    central.clock.now += timedelta(hours=2)
    reminded = central.post(f"/alerts/{alert_id}/remind", headers=sign_in(central, "commissioner"))
    assert reminded.status_code == 200, reminded.text
    assert reminded.json()["reminded"] == len(TRAFFORD) - 1
    after = {c["home_id"]: c for c in pulled(central, "commissioner", "alert")}
    assert after[acked.id]["version"] == before[acked.id] and after[acked.id]["data"]["reminded_at"] is None
    for home_id in set(TRAFFORD) - {acked.id}:
        assert after[home_id]["version"] > before[home_id]
        assert after[home_id]["data"]["reminded_at"].startswith(central.clock.now.isoformat()[:19])
    assert reminded.json()["status"]["summary"]["reminded_at"] is not None


def test_another_commissioner_neither_sees_nor_reminds_an_alert_and_other_roles_are_refused(central, commissioner):
    alert_id = send(central, commissioner, homes=["1-900000001"]).json()["alert_id"]
    for username in ("demo", "champion"):
        headers = sign_in(central, username)
        assert central.get(f"/alerts/{alert_id}", headers=headers).status_code == 403  # not a sender
        assert central.post(f"/alerts/{alert_id}/remind", headers=headers).status_code == 403
    # A second commissioner of the same area: the same answer as for an alert that does not exist.
    made = central.put("/accounts/hospital/role", headers=sign_in(central, "admin"),
                       json={"role": "commissioner", "area": "icb:QOP"})
    assert made.status_code == 200, made.text
    colleague = sign_in(central, "hospital")
    unknown = central.get(f"/alerts/{uuid.uuid4().hex}", headers=commissioner)
    assert unknown.status_code == 404
    theirs = central.get(f"/alerts/{alert_id}", headers=colleague)
    assert (theirs.status_code, theirs.json()) == (404, unknown.json())
    assert central.post(f"/alerts/{alert_id}/remind", headers=colleague).status_code == 404
    assert central.get("/alerts", headers=colleague).json() == []
    assert central.get(f"/alerts/{alert_id}", headers=sign_in(central, "admin")).status_code == 200


def test_an_expired_alert_cannot_be_reminded(central, commissioner):
    alert_id = send(central, commissioner, homes=["1-900000001"],
                    expires_at=(central.clock.now + timedelta(hours=1)).isoformat()).json()["alert_id"]
    central.clock.now += timedelta(hours=2)
    refused = central.post(f"/alerts/{alert_id}/remind", headers=sign_in(central, "commissioner"))
    assert (refused.status_code, refused.json()["detail"]) == (409, "This alert has expired: send a new one instead.")
