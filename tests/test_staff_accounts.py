"""The app's account screens' state against a real central API: invite, register, reset a password."""

import pytest

from client.state.staff import RegisterForm, ResetPasswordForm, StaffPanel
from tests.support import aio
from tests.support.auth import DEMO_HOME, DEMO_PASSWORD, DEMO_USER
from tests.support.devices import make_device

pytestmark = pytest.mark.usefixtures("memory_keyring")


def test_a_manager_invites_a_carer_who_registers_and_later_resets_her_password(tmp_path, central_api):
    async def scenario():
        manager = make_device(tmp_path / "office-tablet", central_api.url)
        await manager.session.sign_in(central_api.url, DEMO_USER, DEMO_PASSWORD)
        panel = StaffPanel()
        await panel.create_invite(manager.session, DEMO_HOME)
        assert not panel.error and panel.code and panel.code in panel.message

        carer = make_device(tmp_path / "carers-phone", central_api.url)
        form = RegisterForm(server_url=central_api.url, invite_code=panel.code, display_name="Carer Ann",
                            username="carer.ann", password="too short")
        assert await form.submit(carer.session) is None
        assert form.error == "Password needs at least 10 characters"
        form.password = "a long passphrase"
        session = await form.submit(carer.session)
        assert session.account.role == "home_staff" and session.account.home_id == DEMO_HOME
        again = RegisterForm(server_url=central_api.url, invite_code=panel.code, display_name="X",
                             username="someone.else", password="a long passphrase")
        assert await again.submit(make_device(tmp_path / "other", central_api.url).session) is None
        assert "not valid" in again.error

        await panel.reset_password(manager.session, "carer.ann")
        assert not panel.error and "carer.ann" in panel.message
        reset = ResetPasswordForm(server_url=central_api.url, username="carer.ann", reset_code=panel.code,
                                  new_password="a new passphrase")
        assert (await reset.submit(carer.session)).account.username == "carer.ann"

        await panel.reset_password(manager.session, "manager-1-466088203")  # another home's manager
        assert panel.error and "may not" in panel.message

    aio.run(scenario())


def test_staff_panel_offline_says_it_needs_the_network(tmp_path, central_api):
    async def scenario():
        manager = make_device(tmp_path / "office-tablet", central_api.url)
        await manager.session.sign_in(central_api.url, DEMO_USER, DEMO_PASSWORD)
        central_api.stop()
        panel = StaffPanel()
        await panel.create_invite(manager.session, DEMO_HOME)
        return panel

    panel = aio.run(scenario())
    assert panel.error and "needs a connection" in panel.message
