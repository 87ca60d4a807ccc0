"""A typed async client for the central API.

Every response is classified into a result or one of the exceptions below,
which the sync engine and the sign-in screen act on.
"""

from __future__ import annotations

from typing import Any, Sequence, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from domain.homes import CareHome
from domain.messages import plain_words
from protocol import (
    SCHEMA_VERSION,
    Account,
    Mutation,
    PushRequest,
    PushResponse,
    RefreshRequest,
    SignInRequest,
    SignInResponse,
)
from protocol.account_admin import FoundAccount
from protocol.accounts import (
    AuditEntry,
    CompleteResetRequest,
    InviteRequest,
    InviteResponse,
    PasswordResetResponse,
    RegisterRequest,
    RoleChangeRequest,
)
from protocol.alerts import AlertStatus, AlertSummary, RemindAnswer, SendAlert
from protocol.area import HistoryAnswer
from protocol.directory import IcbDecisionNeeded, IcbDecisionRequest, ImportSummary
from protocol.hospital import TransferPack
from protocol.pull_page_reader import PulledPage, read_pull_page
from protocol.sync import DEVICE_ID_HEADER, SCHEMA_VERSION_HEADER


class ApiError(Exception):
    """The server answered in a way the app cannot act on automatically."""


class Offline(ApiError):
    """No answer, or the server is temporarily unavailable: retry later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthExpired(ApiError):
    """The token was refused: the user must sign in again."""


class SignInRefused(ApiError):
    """Wrong user name or password (or the account may not sign in)."""


class ResetRequired(ApiError):
    """The device is behind the server's tombstone horizon: it must pull everything again."""


class UpgradeRequired(ApiError):
    """The server no longer speaks this app's schema version."""


class BatchInvalid(ApiError):
    """A batch the contract refuses: by the server (422), or on the device before sending (``on_device``)."""

    def __init__(self, message: str, detail: Any, *, on_device: bool = False) -> None:
        super().__init__(message)
        self.detail = detail
        self.on_device = on_device


def describe_validation_error(detail: Any) -> str:
    """A 422's detail (a list of field errors, or a sentence) in plain words naming the fields."""
    return plain_words(detail) if isinstance(detail, list) else str(detail)


ModelT = TypeVar("ModelT", bound=BaseModel)


def _parse(response: httpx.Response, model: type[ModelT]) -> ModelT:
    """A 200 that is not our JSON (a captive portal's login page, a garbled reply) is treated as no answer."""
    try:
        return model.model_validate_json(response.content)
    except (ValueError, ValidationError) as exc:
        raise Offline(UNREADABLE) from exc


class CentralApi:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=5.0),
            transport=transport,
            headers={"User-Agent": "carehome-connect-app"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {SCHEMA_VERSION_HEADER: str(SCHEMA_VERSION), **(kwargs.pop("headers", None) or {})}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = await self._client.request(method, url, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise Offline(NO_ANSWER) from exc
        except httpx.TransportError as exc:
            raise Offline(CANNOT_REACH) from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError, OverflowError) as exc:
            # OverflowError: a port past 65535 (httpx lets it through to the socket). The library's words stay here.
            raise ApiError(NOT_AN_ADDRESS) from exc
        if response.status_code in (502, 503, 504) or response.status_code >= 500:
            retry_after = response.headers.get("Retry-After")
            raise Offline(
                UNAVAILABLE,
                retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
            )
        if response.status_code == 426:
            raise UpgradeRequired(_detail(response) or "Please update the app")
        return response

    async def health(self) -> dict[str, Any]:
        response = await self._request("GET", "/health")
        response.raise_for_status()
        return response.json()

    async def sign_in(self, username: str, password: str) -> SignInResponse:
        body = SignInRequest(username=username, password=password).model_dump()
        response = await self._request("POST", "/auth/sign-in", json=body)
        # 423: locked after too many wrong passwords; 429: too many attempts. The server's words say which.
        if response.status_code in (401, 403, 422, 423, 429):
            raise SignInRefused(_detail(response) or "Wrong user name or password")
        if response.status_code != 200:
            raise ApiError(_refusal(response))
        return _parse(response, SignInResponse)

    async def refresh(self, refresh_token: str) -> SignInResponse:
        """New tokens for a refresh token (which is then used up)."""
        body = RefreshRequest(refresh_token=refresh_token).model_dump()
        response = await self._request("POST", "/auth/refresh", json=body)
        if response.status_code in (401, 403, 422):
            raise SignInRefused(_detail(response) or "Please sign in again")
        if response.status_code != 200:
            raise ApiError(f"Signing in again was refused: {_refusal(response, signed_in=True)}")
        return _parse(response, SignInResponse)

    async def sign_out(self, refresh_token: str | None) -> None:
        """End this sign-in on the server: its access token (this client's) and refresh token stop working."""
        body = RefreshRequest(refresh_token=refresh_token).model_dump() if refresh_token else None
        response = await self._request("POST", "/auth/sign-out", json=body)
        if response.status_code != 204:
            raise ApiError(_detail(response) or f"Sign-out refused ({response.status_code})")

    async def create_invite(self, home_id: str) -> InviteResponse:
        response = await self._request("POST", "/accounts/invites", json=InviteRequest(home_id=home_id).model_dump())
        return _parse(self._expect(response, 201), InviteResponse)

    async def issue_password_reset(self, username: str) -> PasswordResetResponse:
        response = await self._request("POST", f"/accounts/{quote(username, safe='')}/password-reset")
        return _parse(self._expect(response, 201), PasswordResetResponse)

    async def register(self, request: RegisterRequest) -> Account:
        response = await self._request("POST", "/accounts/register", json=request.model_dump())
        return _parse(self._expect(response, 201), Account)

    async def complete_password_reset(self, username: str, reset_code: str, new_password: str) -> None:
        body = CompleteResetRequest(username=username, reset_code=reset_code, new_password=new_password).model_dump()
        response = await self._request("POST", "/auth/reset-password", json=body)
        if response.status_code != 204:
            raise ApiError(_refusal(response))

    def _expect(self, response: httpx.Response, status: int) -> httpx.Response:
        """Account requests: the server's own words for any refusal."""
        if response.status_code == 401:
            raise AuthExpired(_detail(response) or "Please sign in again")
        if response.status_code != status:
            raise ApiError(_refusal(response, signed_in=self.token is not None))
        return response

    async def push(self, device_id: str, mutations: Sequence[Mutation | dict[str, Any]]) -> PushResponse:
        """Send a batch (``Mutation`` models, or their wire dicts); a batch the contract refuses is not sent."""
        try:
            body = PushRequest.model_validate(
                {"device_id": device_id, "schema_version": SCHEMA_VERSION, "mutations": list(mutations)})
        except ValidationError as exc:
            # The central API would answer 422: say so without asking it, naming the fields.
            detail = exc.errors(include_url=False, include_context=False, include_input=False)
            raise BatchInvalid(describe_validation_error(detail), detail, on_device=True) from exc
        response = await self._request("POST", "/sync/push", json=body.model_dump(mode="json"))
        if response.status_code == 401:
            raise AuthExpired(_detail(response) or "Please sign in again")
        if response.status_code == 422:
            try:
                detail = response.json().get("detail")
            except (ValueError, AttributeError):
                detail = response.text[:200]
            raise BatchInvalid(describe_validation_error(detail), detail)
        if response.status_code != 200:
            raise ApiError(f"Sending was refused: {_refusal(response, signed_in=True)}")
        return _parse(response, PushResponse)

    async def pull(self, since: int, limit: int = 500, device_id: str | None = None, *,
                   count_remaining: bool = True) -> PulledPage:
        # Naming the device makes the pull a contact the server remembers (the bound of a later confirmation).
        headers = {DEVICE_ID_HEADER: device_id} if device_id else None
        # count_remaining=false: `remaining` comes back null (counting reads every remaining row on the server).
        params = {"since": since, "limit": limit, **({} if count_remaining else {"count_remaining": "false"})}
        response = await self._request("GET", "/sync/changes", params=params, headers=headers)
        if response.status_code == 401:
            raise AuthExpired(_detail(response) or "Please sign in again")
        if response.status_code == 410:
            raise ResetRequired(_detail(response))
        if response.status_code != 200:
            raise ApiError(f"Receiving was refused: {_refusal(response, signed_in=True)}")
        try:
            return read_pull_page(response.content)  # PullResponse's checks, without a model per record
        except ValueError as exc:
            raise Offline(UNREADABLE) from exc

    # -- hospital users, administrators and a home's own history (roles-ui) ------------------------------

    async def _get_list(self, url: str, model: type[ModelT], **params: Any) -> list[ModelT]:
        response = self._expect(await self._request("GET", url, params=params or None), 200)
        try:
            return TypeAdapter(list[model]).validate_json(response.content)
        except (ValueError, ValidationError) as exc:
            raise Offline(UNREADABLE) from exc

    async def hospital_transfers(self) -> list[TransferPack]:
        """The transfers in progress to the signed-in hospital user's hospital (every read is audited there)."""
        return await self._get_list("/hospital/transfers", TransferPack)

    async def latest_import(self) -> ImportSummary | None:
        """The last directory import's summary; None when no file has been imported yet."""
        response = await self._request("GET", "/admin/imports/latest")
        if response.status_code == 404:
            return None
        return _parse(self._expect(response, 200), ImportSummary)

    async def icb_decisions(self) -> list[IcbDecisionNeeded]:
        return await self._get_list("/admin/icb-decisions", IcbDecisionNeeded)

    async def decide_icb(self, home_id: str, icb_code: str) -> CareHome:
        body = IcbDecisionRequest(icb_code=icb_code).model_dump()
        response = await self._request("PUT", f"/admin/icb-decisions/{quote(home_id, safe='')}", json=body)
        return _parse(self._expect(response, 200), CareHome)

    async def find_accounts(self, text: str) -> list[FoundAccount]:
        return await self._get_list("/accounts", FoundAccount, q=text)

    async def unlock_account(self, username: str) -> FoundAccount:
        response = await self._request("POST", f"/accounts/{quote(username, safe='')}/unlock")
        return _parse(self._expect(response, 200), FoundAccount)

    async def change_role(self, username: str, change: RoleChangeRequest) -> Account:
        response = await self._request("PUT", f"/accounts/{quote(username, safe='')}/role",
                                       json=change.model_dump(mode="json"))
        return _parse(self._expect(response, 200), Account)

    async def audit_log(self, limit: int = 100, subject: str | None = None) -> list[AuditEntry]:
        params: dict[str, Any] = {"limit": limit}
        if subject:
            params["subject"] = subject
        return await self._get_list("/accounts/audit", AuditEntry, **params)

    async def home_history(self, home_id: str, days: int = 30) -> HistoryAnswer:
        """A home's vacancies by category, day by day."""
        return await self.area_history(f"home:{home_id}", "day", days)

    # -- the area view (issue 11) --------------------------------------------------------------------------

    async def area_history(self, area: str, interval: str = "day", days: int = 30) -> HistoryAnswer:
        """Vacancies over time for an area ("la:Trafford", "icb:QOP", "home:1-123"); the server's words if refused."""
        response = await self._request("GET", "/area/history", params={"area": area, "interval": interval,
                                                                       "days": days})
        if response.status_code == 404 and _detail(response) == "Not Found":  # no such route: an older server
            raise ApiError("the central API does not offer it yet")
        return _parse(self._expect(response, 200), HistoryAnswer)

    # -- alerts: a commissioner's or administrator's (issue 12) ---------------------------------------------

    async def send_alert(self, alert: SendAlert) -> AlertSummary:
        response = await self._request("POST", "/alerts", json=alert.model_dump(mode="json"))
        return _parse(self._expect(response, 201), AlertSummary)

    async def sent_alerts(self) -> list[AlertSummary]:
        return await self._get_list("/alerts", AlertSummary)

    async def alert_status(self, alert_id: str) -> AlertStatus:
        response = await self._request("GET", f"/alerts/{quote(alert_id, safe='')}")
        return _parse(self._expect(response, 200), AlertStatus)

    async def remind_alert(self, alert_id: str) -> RemindAnswer:
        response = await self._request("POST", f"/alerts/{quote(alert_id, safe='')}/remind")
        return _parse(self._expect(response, 200), RemindAnswer)


# What the sync details panel and the forms say (the exception's class stays in the chain, for the log).
CANNOT_REACH = "Cannot reach the central API: no network here, or the server is not running"
NO_ANSWER = "The central API did not answer in time: the network is slow or down"
UNREADABLE = "The central API sent an answer this app cannot read (a WiFi sign-in page, perhaps)"
UNAVAILABLE = "The central API is not working just now: the app tries again by itself"
NOT_AN_ADDRESS = "Server address is not a valid web address: check it, e.g. https://carehome.example.nhs.uk"
NOT_OUR_SERVER = ("The server at this address is not Care Home Connect's central API (it does not know this "
                  "request): check the server address")
NOT_OFFERED = "the central API does not offer this yet (an older version)"
# What a web server says of a path it has no route for: not the central API's own words for a refusal.
_NO_SUCH_ROUTE = ("Not Found", "Method Not Allowed")


def _refusal(response: httpx.Response, *, signed_in: bool = False) -> str:
    """A refusal in words for a person: the central API's own words, else what went wrong without a status code.
    A request it has no route for: signed in, the server is the central API (an older version); else the address
    is likely wrong (the app's own address, another web site)."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):  # not JSON: a web page, another program's answer
        return NOT_OFFERED if signed_in else NOT_OUR_SERVER
    if not detail or detail in _NO_SUCH_ROUTE:
        return NOT_OFFERED if signed_in else NOT_OUR_SERVER
    return detail if isinstance(detail, str) else describe_validation_error(detail)


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return response.text[:200]
    return detail if isinstance(detail, str) else describe_validation_error(detail)
