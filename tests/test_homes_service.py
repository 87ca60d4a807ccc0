"""The bed state service driven directly: who may read a home's beds, in the home's category order."""

from __future__ import annotations

import pytest

from domain.beds import BedCategory
from server_stub.demo_data import DEMO_CHAMPION_HOMES, DEMO_HOME_ID
from server_stub.services import homes
from server_stub.services.errors import NotAllowed, NotFound
from tests.support.services import central

OTHER_HOME = DEMO_CHAMPION_HOMES[1]


@pytest.fixture()
def world(tmp_path, demo_database):
    with central(tmp_path / "central.sqlite3", template=demo_database) as world:
        yield world


def test_the_home_manager_reads_the_beds_in_the_homes_category_order_with_their_versions(world):
    state = homes.bed_state(world.connection, world.account("demo"), DEMO_HOME_ID)
    assert state.home.cqc_location_id == DEMO_HOME_ID and state.status is None  # never confirmed yet
    offered = [category for category in state.home.bed_categories if category in {b.category for b in state.beds}]
    assert [bed.category for bed in state.beds] == offered
    assert set(state.versions) == {"care_home", *(BedCategory(bed.category).value for bed in state.beds)}


def test_another_homes_beds_are_refused_and_an_unknown_home_is_not_found(world):
    with pytest.raises(NotAllowed, match="You may not see another home's beds"):
        homes.bed_state(world.connection, world.account("demo"), OTHER_HOME)
    assert homes.bed_state(world.connection, world.account("commissioner"), OTHER_HOME).home.cqc_location_id == OTHER_HOME
    with pytest.raises(NotFound, match="Unknown care home"):
        homes.bed_state(world.connection, world.account("admin"), "1-000")
