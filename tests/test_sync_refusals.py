"""A refused change says in plain words what was refused: whose records, and which kind."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from domain.readiness import WifiSurveyResult
from protocol.sync import SCHEMA_VERSION, MutationStatus, PushRequest
from server_stub.demo_data import DEMO_CHAMPION_HOMES, DEMO_HOME_ID
from server_stub.services import sync as sync_service
from tests.support.services import central

OTHER_HOME = DEMO_CHAMPION_HOMES[1]
WHEN = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture()
def world(tmp_path, demo_database):
    with central(tmp_path / "central.sqlite3", template=demo_database) as world:
        yield world


def push(world, username, mutation):
    request = PushRequest(device_id=uuid.uuid4(), schema_version=SCHEMA_VERSION, mutations=[mutation])
    [result] = sync_service.push(world.connection, world.account(username), request, world.clock()).results
    return result


def survey_result(home_id):
    return WifiSurveyResult(home_id=home_id, result_id="office", location="Office", measured_at=WHEN, no_connection=True)


def put(record, kind):
    return {"mutation_id": uuid.uuid4(), "kind": kind, "record_id": record.record_id, "client_time": WHEN,
            "data": record.model_dump(mode="json")}


def delete(record, kind):
    return {"mutation_id": uuid.uuid4(), "kind": kind, "record_id": record.record_id, "op": "delete",
            "base_version": 0, "client_time": WHEN}


def test_deleting_another_homes_survey_result_names_the_survey_results_not_beds(world):
    theirs = survey_result(OTHER_HOME)
    assert push(world, f"manager-{OTHER_HOME}", put(theirs, "wifi_result")).status is MutationStatus.APPLIED
    refused = push(world, "demo", delete(theirs, "wifi_result"))
    assert refused.status is MutationStatus.REJECTED
    assert refused.message == "You may not change another home's WiFi survey results"


def test_a_role_that_may_not_change_a_home_is_told_it_is_this_homes_records(world):
    refused = push(world, "commissioner", put(survey_result(DEMO_HOME_ID), "wifi_result"))
    assert refused.message == "You may not change this home's WiFi survey results"
    refused = push(world, "hospital", put(survey_result(DEMO_HOME_ID), "wifi_result"))
    assert refused.message == "You may not change this home's WiFi survey results"
