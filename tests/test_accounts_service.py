"""The account service driven directly: invites, registration, reset codes, role changes, the audit log."""

from __future__ import annotations

import pytest

from protocol.accounts import RegisterRequest, Role, RoleChangeRequest
from server_stub import repository
from server_stub.clock import iso
from server_stub.demo_data import DEMO_CHAMPION_HOMES, DEMO_HOME_ID
from server_stub.security import token_digest
from server_stub.services import accounts
from server_stub.services.accounts import RolePlace, place_for
from server_stub.services.errors import CodeNotValid, Conflict, Invalid, NotAllowed, NotFound
from tests.support.services import central

OTHER_HOME = DEMO_CHAMPION_HOMES[1]


@pytest.fixture()
def world(tmp_path, demo_database):
    with central(tmp_path / "central.sqlite3", template=demo_database) as world:
        yield world


def invite(world, by="demo", home_id=DEMO_HOME_ID) -> str:
    return accounts.create_invite(world.connection, world.settings, world.clock(), world.account(by), home_id).invite_code


def register(world, code, username="nurse.jo"):
    request = RegisterRequest(invite_code=code, username=username, display_name="Jo", password="long enough password")
    return accounts.register(world.connection, world.settings, world.clock(), request, "10.0.0.1")


def test_an_invite_registers_one_member_of_the_home_staff(world):
    code = invite(world)
    created = register(world, code)
    assert created.role is Role.HOME_STAFF and created.home_id == DEMO_HOME_ID
    assert repository.find_account(world.connection, "nurse.jo").account == created
    with pytest.raises(CodeNotValid, match="not valid"):
        register(world, code, username="nurse.kim")
    admin = world.account("admin")
    assert [entry.action for entry in accounts.audit_log(world.connection, admin, DEMO_HOME_ID, 10)] == ["invite_created"]
    assert "account_registered" in [entry.action for entry in accounts.audit_log(world.connection, admin, "nurse.jo", 10)]


def test_a_taken_user_name_leaves_the_invite_unused(world):
    code = invite(world)
    with pytest.raises(Conflict, match="taken"):
        register(world, code, username="admin")
    assert register(world, code).username == "nurse.jo"


def test_invites_only_from_the_homes_manager(world):
    with pytest.raises(NotAllowed, match="may not invite staff to this home"):
        invite(world, home_id=OTHER_HOME)
    for issuer in ("champion", "admin"):  # neither reads the home's residents, so neither makes someone who does
        with pytest.raises(NotAllowed, match="may not invite staff to this home"):
            invite(world, by=issuer, home_id=OTHER_HOME)


def test_a_manager_resets_passwords_of_their_own_staff_only(world):
    register(world, invite(world))
    manager = world.account("demo")
    assert accounts.issue_password_reset(world.connection, world.settings, world.clock(), manager, "nurse.jo",
                                         "10.0.0.1").reset_code
    for username in (f"manager-{OTHER_HOME}", "no.such.user", "demo"):  # the same answer whether or not it exists
        with pytest.raises(NotAllowed, match="may not reset this user's password"):
            accounts.issue_password_reset(world.connection, world.settings, world.clock(), manager, username,
                                          "10.0.0.1")


@pytest.mark.parametrize(("change", "place"), [
    (RoleChangeRequest(role=Role.HOME_STAFF, home_id="h", area="england", hospital_ods="R0A07", champion_homes=["h"]),
     RolePlace(home_id="h")),
    (RoleChangeRequest(role=Role.COMMISSIONER, home_id="h", area="la:Trafford"), RolePlace(area="la:Trafford")),
    (RoleChangeRequest(role=Role.HOSPITAL_USER, home_id="h", hospital_ods="R0A07"), RolePlace(hospital_ods="R0A07")),
    (RoleChangeRequest(role=Role.DIGITAL_CHAMPION, home_id="h", champion_homes=["h", "i"]),
     RolePlace(champion_homes=["h", "i"])),
    (RoleChangeRequest(role=Role.ADMINISTRATOR, home_id="h", area="england"), RolePlace()),
])
def test_each_role_keeps_only_its_own_place(change, place):
    assert place_for(change) == place


@pytest.mark.parametrize(("change", "message"), [
    (RoleChangeRequest(role=Role.HOME_MANAGER), "Home: a home role needs a home"),
    (RoleChangeRequest(role=Role.COMMISSIONER), "Area: a commissioner needs an area"),
])
def test_a_role_without_its_place_is_refused(change, message):
    with pytest.raises(Invalid, match=message):
        place_for(change)


def test_a_role_change_applies_at_once_and_is_audited(world):
    signed_in = world.sign_in("hospital")
    admin = world.account("admin")
    change = RoleChangeRequest(role=Role.DIGITAL_CHAMPION, champion_homes=[DEMO_HOME_ID])
    changed = accounts.change_role(world.connection, world.clock(), admin, "hospital", change)
    assert changed.role is Role.DIGITAL_CHAMPION and changed.assigned_homes == [DEMO_HOME_ID]
    assert changed.hospital_ods is None  # a hospital code is kept by hospital users only
    assert repository.account_for_session(world.connection, token_digest(signed_in.token), iso(world.clock())) is None
    [entry] = accounts.audit_log(world.connection, admin, "hospital", 10)[:1]
    assert entry.action == "role_changed" and entry.detail == "hospital_user -> digital_champion"


def test_only_an_administrator_changes_roles_of_accounts_that_exist(world):
    change = RoleChangeRequest(role=Role.ADMINISTRATOR)
    with pytest.raises(NotAllowed, match="Only an administrator may change roles"):
        accounts.change_role(world.connection, world.clock(), world.account("demo"), "demo", change)
    with pytest.raises(NotFound, match="No such account"):
        accounts.change_role(world.connection, world.clock(), world.account("admin"), "nobody", change)


def test_only_an_administrator_reads_the_audit_log(world):
    with pytest.raises(NotAllowed, match="Only an administrator may read the audit log"):
        accounts.audit_log(world.connection, world.account("demo"), None, 10)
    entries = accounts.audit_log(world.connection, world.account("admin"), "demo", 10)
    assert [entry.action for entry in entries] == ["sign_in"]
