"""The sign-in form's checks: bad addresses get a clear message, never a crash."""

import pytest

from client.state.sign_in import SignInForm, submit
from tests.support import aio


class NoNetworkSession:
    """Stands in for the session manager: the form must refuse before any network use."""

    async def sign_in(self, *args):
        raise AssertionError("the form should have refused this before signing in")


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("127.0.0.1:8000", "must start with http:// or https://"),
        ("http://127.0.0.1:4http://127.0.0.1:8000", "not a valid web address"),
        ("http://", "needs a host name"),
    ],
)
def test_bad_server_addresses_are_refused_clearly(address, words):
    form = SignInForm(server_url=address, username="demo", password="x")
    assert aio.run(submit(form, NoNetworkSession())) is None
    assert words in form.error


def test_user_name_and_password_are_required():
    form = SignInForm(server_url="http://127.0.0.1:8000")
    aio.run(submit(form, NoNetworkSession()))
    assert form.error == "Enter your user name"
    form.username = "demo"
    aio.run(submit(form, NoNetworkSession()))
    assert form.error == "Enter your password"
