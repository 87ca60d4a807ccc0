"""The provider decides who sees its data (issue 12, part 5; acceptance 4) on the central API: the public vacancy
counts hold only the homes that said yes, for every reader; a discharge team finds a home beyond her area only
when it shares with neighbouring areas' teams; commissioners always see their homes; each change is audited.

The central API runs in-process on a real SQLite file (a copy of the demo database) with the small area of
tests/support/area_homes.py; each home's manager pushes her choices as the app would.
"""

from __future__ import annotations

import pytest

from tests.support.area_homes import AREA_HOMES, manager_of, mutation, push_body
from tests.support.auth import sign_in
from tests.support.central_inprocess import serving

ALTRINCHAM, DIDSBURY, KNUTSFORD = "1-900000001", "1-900000005", "1-900000008"
READERS = ("commissioner", "admin", "champion", "hospital", "demo")


def choose(central, home_id: str, bed_state: list[str], digital_readiness: list[str] = (), who: str | None = None):
    home = next(h for h in AREA_HOMES if h.id == home_id)
    data = {"home_id": home_id, "bed_state": bed_state, "digital_readiness": list(digital_readiness)}
    answer = central.post("/sync/push", headers=sign_in(central, who or manager_of(home)),
                          json=push_body([mutation("sharing", f"{home_id}/sharing", data)]))
    assert answer.status_code == 200, answer.text
    return answer.json()["results"][0]


def public_counts(central, headers=None) -> list[dict]:
    answer = central.get("/public/vacancies", headers=headers or {})
    assert answer.status_code == 200, answer.text
    return answer.json()["counts"]


def search(central, who: str, **params) -> set[str]:
    answer = central.get("/area/search", params={"limit": 200, **params}, headers=sign_in(central, who))
    assert answer.status_code == 200, answer.text
    return {hit["home_id"] for hit in answer.json()["results"]}


def test_nothing_is_public_until_a_home_says_yes_then_only_its_counts_are(central):
    assert public_counts(central) == []  # the national default: nothing public unless chosen

    assert choose(central, ALTRINCHAM, ["public"])["status"] == "applied"
    assert choose(central, DIDSBURY, ["research"])["status"] == "applied"  # not public: contributes nothing

    expected = [
        {"local_authority": "Trafford", "category": "nursing", "homes": 1, "vacant_accepting": 2},
        {"local_authority": "Trafford", "category": "nursing_dementia", "homes": 1, "vacant_accepting": 2},
    ]
    assert public_counts(central) == expected
    # The server enforces it for every reader: signed in or not, whatever the role, the same counts.
    for who in READERS:
        assert public_counts(central, sign_in(central, who)) == expected, who

    assert choose(central, ALTRINCHAM, [])["status"] == "applied"  # she changes her mind
    assert public_counts(central) == []


def test_each_change_is_in_the_audit_log_with_who_and_what(central):
    choose(central, ALTRINCHAM, ["public", "neighbouring_discharge_teams"], ["research"])
    choose(central, ALTRINCHAM, [])
    entries = central.get("/accounts/audit", params={"subject": ALTRINCHAM},
                          headers=sign_in(central, "admin")).json()
    changes = [e for e in entries if e["action"] == "sharing_changed"]
    assert [(e["actor"], e["detail"]) for e in changes] == [
        (manager_of(AREA_HOMES[0]), "Vacancies and bed numbers: commissioners only; "
                                    "Digital readiness: commissioners only"),
        (manager_of(AREA_HOMES[0]), "Vacancies and bed numbers: neighbouring discharge teams, public; "
                                    "Digital readiness: research"),
    ]


def test_a_discharge_team_finds_a_home_beyond_her_area_only_when_it_shares_with_neighbouring_teams(central):
    # Knutsford (Cheshire East) is outside NHS Greater Manchester, the area of the demo hospital user.
    wanted = {"category": "nursing_dementia", "near": "53.39,-2.34"}
    assert KNUTSFORD not in search(central, "hospital", **wanted)
    assert KNUTSFORD not in search(central, "hospital", area="la:Cheshire East", **wanted)

    choose(central, KNUTSFORD, ["public"])  # public counts are not a cross-boundary search
    assert KNUTSFORD not in search(central, "hospital", **wanted)

    choose(central, KNUTSFORD, ["neighbouring_discharge_teams"])
    assert KNUTSFORD in search(central, "hospital", **wanted)
    assert search(central, "hospital", area="la:Cheshire East", **wanted) == {KNUTSFORD}
    # Only discharge teams' scope widens: the commissioner's area stays hers, her other views too.
    assert KNUTSFORD not in search(central, "commissioner", **wanted)
    stale = central.get("/area/stale", params={"area": "la:Cheshire East", "older_than_days": 1},
                        headers=sign_in(central, "hospital")).json()
    assert stale["total_homes"] == 0  # the stale list, the overview: her own area only
    assert central.get(f"/homes/{KNUTSFORD}/bed-state", headers=sign_in(central, "hospital")).status_code == 403

    choose(central, KNUTSFORD, [])
    assert KNUTSFORD not in search(central, "hospital", **wanted)


def test_commissioners_always_see_their_homes_bed_state_whatever_the_home_chose(central):
    choose(central, DIDSBURY, [])
    assert DIDSBURY in search(central, "commissioner", category="nursing_dementia")
    assert DIDSBURY in search(central, "hospital", category="nursing_dementia")  # her own area
    assert central.get(f"/homes/{DIDSBURY}/bed-state", headers=sign_in(central, "commissioner")).status_code == 200


@pytest.mark.parametrize("who", ["commissioner", "admin", "champion", "hospital"])
def test_only_the_homes_manager_decides(central, who):
    result = choose(central, ALTRINCHAM, ["public"], who=who)
    assert result["status"] == "rejected" and result["message"] == "You may not change this home's sharing choices"
    other = choose(central, ALTRINCHAM, ["public"], who=manager_of(AREA_HOMES[1]))
    assert other["status"] == "rejected" and other["message"] == "You may not change another home's sharing choices"
    assert public_counts(central) == []


def test_a_choice_the_rules_do_not_offer_is_refused_naming_the_field(central):
    home = AREA_HOMES[0]
    data = {"home_id": home.id, "bed_state": [], "digital_readiness": ["public"]}
    answer = central.post("/sync/push", headers=sign_in(central, manager_of(home)),
                          json=push_body([mutation("sharing", f"{home.id}/sharing", data)]))
    assert answer.status_code == 422 and "digital_readiness" in answer.text


def test_the_public_counts_are_rate_limited_per_address(tmp_path, demo_database):
    with serving(tmp_path / "central.sqlite3", template=demo_database, public_requests_per_minute=2) as client:
        assert [client.get("/public/vacancies").status_code for _ in range(3)] == [200, 200, 429]
