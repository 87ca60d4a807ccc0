"""Managing a home's staff from the app: invite codes and password resets (they need the network)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from client.session import Session, SessionManager
from client.state.sign_in import server_address_problem
from client.sync import ApiError, AuthExpired, Offline
from client.sync.api import NOT_OUR_SERVER
from domain.messages import as_sentence, describe, field_of
from domain.uk_time import uk_day
from protocol.accounts import CompleteResetRequest, RegisterRequest

NEEDS_NETWORK = "This needs a connection to the central API: try again when online"


@dataclass
class StaffPanel:
    """For a manager (or champion): hand out an invite code, or a password reset code."""

    message: str | None = None
    code: str | None = None
    error: bool = False

    async def create_invite(self, session: SessionManager, home_id: str) -> None:
        await self._run(session, lambda api: api.create_invite(home_id),
                        lambda r: f"Invite code {r.invite_code}: a new member of staff registers with it "
                                  f"(it works once, until {uk_day(r.expires_at, year=False)}).", lambda r: r.invite_code)

    async def reset_password(self, session: SessionManager, username: str) -> None:
        if not username.strip():
            self._fail("Enter the user name whose password is to be reset")
            return
        await self._run(session, lambda api: api.issue_password_reset(username.strip()),
                        lambda r: f"Reset code {r.reset_code} for {username.strip()}: they set a new password "
                                  f"with it (it works once, until {uk_day(r.expires_at, year=False)}).", lambda r: r.reset_code)

    async def _run(self, session, call, describe, code_of) -> None:
        api = session.api()
        if api is None:
            self._fail("Sign in again first")
            return
        try:
            result = await call(api)
        except Offline:
            self._fail(NEEDS_NETWORK)
        except AuthExpired:
            self._fail("Your sign-in has expired: sign in again first")
        except ApiError as exc:
            self._fail(str(exc))
        else:
            self.message, self.code, self.error = describe(result), code_of(result), False

    def _fail(self, message: str) -> None:
        self.message, self.code, self.error = message, None, True


@dataclass
class RegisterForm:
    """Self-registration with an invite code, then signing in."""

    server_url: str
    invite_code: str = ""
    display_name: str = ""
    username: str = ""
    password: str = ""
    error: str | None = None
    wrong_field: str | None = None  # the field the error is about (shown under it); None: the form as a whole

    def request(self) -> RegisterRequest | None:
        try:
            return RegisterRequest(invite_code=self.invite_code.strip(), username=self.username.strip(),
                                   display_name=self.display_name.strip(), password=self.password)
        except ValidationError as exc:
            self.error, self.wrong_field = _first_problem(exc)  # one thing to fix at a time
            return None

    async def submit(self, session: SessionManager) -> Session | None:
        self.error, self.wrong_field = _address_problem(self.server_url)
        request = None if self.error else self.request()
        if request is None:
            return None
        self.error = await _call_signed_out(session, self.server_url, lambda api: api.register(request))
        self.wrong_field = "server_url" if self.error == NOT_OUR_SERVER else None
        if self.error:
            return None
        return await session.sign_in(self.server_url, request.username, request.password)


@dataclass
class ResetPasswordForm:
    """Setting a new password with the code a manager or administrator gave."""

    server_url: str
    username: str = ""
    reset_code: str = ""
    new_password: str = ""
    error: str | None = None
    wrong_field: str | None = None  # the field the error is about (shown under it); None: the form as a whole

    def request(self) -> CompleteResetRequest | None:
        try:
            return CompleteResetRequest(username=self.username.strip(), reset_code=self.reset_code.strip(),
                                        new_password=self.new_password)
        except ValidationError as exc:  # checked here: the API client would raise it inside the tap's handler
            self.error, self.wrong_field = _first_problem(exc)
            return None

    async def submit(self, session: SessionManager) -> Session | None:
        self.error, self.wrong_field = _address_problem(self.server_url)
        request = None if self.error else self.request()
        if request is None:
            return None
        self.error = await _call_signed_out(session, self.server_url, lambda api: api.complete_password_reset(
            request.username, request.reset_code, request.new_password))
        self.wrong_field = "server_url" if self.error == NOT_OUR_SERVER else None
        if self.error:
            return None
        return await session.sign_in(self.server_url, self.username.strip(), self.new_password)


def _first_problem(exc: ValidationError) -> tuple[str, str | None]:
    """The first problem in words, and the field it is about."""
    error = exc.errors()[0]
    return as_sentence(describe(error)), field_of(error)


def _address_problem(server_url: str) -> tuple[str | None, str | None]:
    problem = server_address_problem(server_url)
    return problem, "server_url" if problem else None


async def _call_signed_out(session: SessionManager, server_url: str, call) -> str | None:
    """One request before signing in (registering, resetting a password); the message if it failed."""
    api = session.new_api(server_url)
    try:
        await call(api)
    except Offline:
        return NEEDS_NETWORK
    except ApiError as exc:
        return str(exc)
    finally:
        await api.aclose()
    return None
