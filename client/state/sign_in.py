"""The sign-in screen's state: fields, the error to show, and the submit action."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from client.session import Session, SessionManager
from client.sync import Offline, SignInRefused
from client.sync.api import ApiError


@dataclass
class SignInForm:
    server_url: str
    username: str = ""
    password: str = ""
    error: str | None = None
    busy: bool = False

    def problem(self) -> str | None:
        address = self.server_url.strip()
        if not address.startswith(("http://", "https://")):
            return "Server address must start with http:// or https://"
        try:
            url = httpx.URL(address)
            url.port  # noqa: B018 - parsing the port is the check
        except (httpx.InvalidURL, ValueError):  # the library's words ("Invalid port: ...") are not for people
            return "Server address is not a valid web address: check it, e.g. https://carehome.example.nhs.uk"
        if not url.host:
            return "Server address needs a host name, e.g. https://carehome.example.nhs.uk"
        if not self.username.strip():
            return "Enter your user name"
        if not self.password:
            return "Enter your password"
        return None


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
    else:
        form.password = ""
        return result
    finally:
        form.busy = False
    return None
