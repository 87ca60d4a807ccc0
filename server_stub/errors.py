"""Error answers: always JSON {"detail": ...}, never internals.

The OpenAPI document says so too: ``install_error_handlers`` adds to every
operation the error answers that come from layers no route sees (a body the
framework cannot decode, the body size limit, the bearer-token check) and
gives every error answer without a body schema the shared ``ErrorResponse``.
A route's own ``responses=`` entries always win.

A service's refusal (``server_stub.services.errors``) is answered here too,
with the same status code on every route.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from domain.messages import describe
from protocol.errors import ErrorResponse
from protocol.sync import SCHEMA_VERSION
from server_stub.services.errors import (
    CodeNotValid,
    Conflict,
    Invalid,
    Locked,
    NotAllowed,
    NotFound,
    Refused,
    SignInRefused,
    TooManyAttempts,
)

logger = logging.getLogger("server_stub")

SYNC_PUSH_PATH = "/sync/push"


def outdated_schema_detail(client_version: int) -> str:
    if client_version > SCHEMA_VERSION:
        return (
            f"This app is newer than the central API (server speaks schema version {SCHEMA_VERSION}): "
            "please try again later"
        )
    return f"This app is out of date: please update it (server speaks schema version {SCHEMA_VERSION})"


def upgrade_required(client_version: int) -> JSONResponse:
    return JSONResponse({"detail": outdated_schema_detail(client_version)}, status_code=status.HTTP_426_UPGRADE_REQUIRED)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # An old app's batch may not even parse under today's contract; tell it to
    # update (426) rather than listing field errors it cannot fix.
    body = getattr(exc, "body", None)
    if request.url.path == SYNC_PUSH_PATH and isinstance(body, dict):
        from server_stub.services.sync import SUPPORTED_SCHEMA_VERSIONS

        version = body.get("schema_version")
        if isinstance(version, int) and not isinstance(version, bool) and version not in SUPPORTED_SCHEMA_VERSIONS:
            return upgrade_required(version)
    # Each error names its field and rule, never the value sent: an answer does not echo a password
    # back, nor text it could not encode.
    # The message is the sentence a person reads ("Password needs at least 10 characters"); loc and type stay
    # for programs.
    errors = [{key: value for key, value in error.items() if key != "input"} | {"msg": describe(error)}
              for error in exc.errors()]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


REFUSAL_STATUS: dict[type[Refused], int] = {
    CodeNotValid: status.HTTP_400_BAD_REQUEST,
    SignInRefused: status.HTTP_401_UNAUTHORIZED,
    NotAllowed: status.HTTP_403_FORBIDDEN,
    NotFound: status.HTTP_404_NOT_FOUND,
    Conflict: status.HTTP_409_CONFLICT,
    Invalid: status.HTTP_422_UNPROCESSABLE_CONTENT,
    Locked: status.HTTP_423_LOCKED,
    TooManyAttempts: status.HTTP_429_TOO_MANY_REQUESTS,
}


async def _refused(request: Request, refused: Exception) -> JSONResponse:
    headers = {"Retry-After": str(refused.retry_after_seconds)} if isinstance(refused, TooManyAttempts) else None
    code = next(code for kind, code in REFUSAL_STATUS.items() if isinstance(refused, kind))
    return JSONResponse({"detail": str(refused)}, status_code=code, headers=headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "Internal server error"}, status_code=status.HTTP_500_INTERNAL_SERVER_ERROR)


ERROR_SCHEMA_NAME = ErrorResponse.__name__
ERROR_SCHEMA_REF = f"#/components/schemas/{ERROR_SCHEMA_NAME}"
# Answers that any operation reading a JSON body may give, whatever its route says:
BODY_ERRORS = {
    "400": "The body could not be read (not UTF-8 text)",  # FastAPI, before validation
    "413": "Request body too large",  # middleware.BodySizeLimit, before routing
}
# ... and any operation behind the bearer token (dependencies.get_current_account):
SIGNED_IN_ERRORS = {"401": "Not signed in, or the session has expired: sign in again"}


def document_shared_errors(openapi: dict[str, Any]) -> dict[str, Any]:
    """Declare the cross-cutting error answers on every operation of an OpenAPI document (in place)."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_SCHEMA_NAME, ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}"))
    error_content = {"application/json": {"schema": {"$ref": ERROR_SCHEMA_REF}}}
    for path_item in openapi.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            shared = {**(BODY_ERRORS if "requestBody" in operation else {}),
                      **(SIGNED_IN_ERRORS if operation.get("security") else {})}
            for code, description in shared.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if code[:1] in ("4", "5") and "content" not in response:
                    response["content"] = error_content
    return openapi


def _openapi_with_shared_errors(app: FastAPI) -> Callable[[], dict[str, Any]]:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_shared_errors(build())
        return app.openapi_schema

    return openapi


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(Exception, _unexpected_error)
    app.openapi = _openapi_with_shared_errors(app)  # type: ignore[method-assign]
