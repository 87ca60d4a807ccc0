"""The sign-in screen's state: fields, the error to show, and the submit action."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from pydantic import ValidationError

from client.session import Session, SessionManager
from client.sync import Offline, SignInRefused
from client.sync.api import NOT_AN_ADDRESS, NOT_OUR_SERVER, ApiError
from domain.messages import as_sentence, describe, field_of
from protocol.sync import SignInRequest


def server_address_problem(server_url: str) -> str | None:
    """What is wrong with a typed server address (every form that asks for one), or None."""
    address = server_url.strip()
    if not address.startswith(("http://", "https://")):
        return "Server address must start with http:// or https://"
    try:
        url = httpx.URL(address)
        port = url.port
    except (httpx.InvalidURL, ValueError):  # the library's words ("Invalid port: ...") are not for people
        return NOT_AN_ADDRESS
    if not url.host:
        return "Server address needs a host name, e.g. https://carehome.example.nhs.uk"
    if port is not None and not 0 < port < 65536:  # httpx accepts 99999; connecting to it raised in the handler
        return NOT_AN_ADDRESS
    return None


@dataclass
class SignInForm:
    server_url: str
    username: str = ""
    password: str = ""
    error: str | None = None
    busy: bool = False
    wrong_field: str | None = None  # the field the error is about (shown under it); None: the form as a whole

    def problem(self) -> str | None:
        problem, self.wrong_field = self._problem()
        return problem

    def _problem(self) -> tuple[str | None, str | None]:
        address = server_address_problem(self.server_url)
        if address:
            return address, "server_url"
        if not self.username.strip():
            return "Enter your user name", "username"
        if not self.password:
            return "Enter your password", "password"
        try:  # the request's own limits, checked here: the API client would raise them inside the tap's handler
            SignInRequest(username=self.username.strip(), password=self.password)
        except ValidationError as exc:
            return as_sentence(describe(exc.errors()[0])), field_of(exc.errors()[0])
        return None, None


async def submit(form: SignInForm, session: SessionManager) -> Session | None:
    """Sign in; on failure leave a message on the form and return None."""
    form.error = form.problem()
    if form.error:
        return None
    form.busy = True
    try:
        result = await session.sign_in(form.server_url, form.username, form.password)
    except SignInRefused as exc:
        form.error = str(exc)
    except Offline:
        form.error = "Cannot reach the server. Check the address and your connection; the first sign-in needs the network."
    except ApiError as exc:
        form.error = str(exc)
        form.wrong_field = "server_url" if form.error == NOT_OUR_SERVER else None  # the address is what to fix
    else:
        form.password = ""
        return result
    finally:
        form.busy = False
    return None
