"""Everything the central API is configured with, passed explicitly (no globals).

Read from the environment (``CHC_`` and the field name, e.g. CHC_DATABASE_URL,
CHC_SEED_DEMO=false) unless given as keywords; ``python -m server_stub``'s
options override both.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/central.sqlite3"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
FIFTEEN_MINUTES = 15 * 60
THIRTY_DAYS = 30 * 24 * 60 * 60
ONE_MIB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHC_", frozen=True, populate_by_name=True)

    # "sqlite:///relative/path", "sqlite:////absolute/path" (one machine), or
    # "postgresql://user:password@host:port/dbname" (several server processes may share it).
    database_url: str = DEFAULT_DATABASE_URL
    host: str = DEFAULT_HOST
    # CHC_SERVER_PORT: the name dev.py and the client's CHC_APP_PORT go by.
    port: int = Field(DEFAULT_PORT, validation_alias=AliasChoices("CHC_SERVER_PORT", "CHC_PORT"))
    # Access tokens are short-lived; the app refreshes them with a single-use refresh token.
    token_ttl_seconds: int = FIFTEEN_MINUTES
    refresh_token_ttl_seconds: int = THIRTY_DAYS
    # Tombstones older than this are purged; a device further behind is told to reset.
    tombstone_retention_seconds: int = THIRTY_DAYS
    # Load the Trafford homes, demo bed counts and demo accounts into an empty database.
    seed_demo: bool = True
    max_body_bytes: int = ONE_MIB
    # The interactive API docs (/docs, /redoc) load their scripts from a CDN: served with the demo data
    # unless set false, in production (no demo) only if set true. /openapi.json is always served.
    api_docs: bool | None = None
    # Ten wrong passwords in a row lock an account for a quarter of an hour.
    lockout_after_failures: int = 10
    lockout_seconds: int = FIFTEEN_MINUTES
    # Requests per minute from one client address, whatever the user name: sign-in attempts,
    # token refreshes, and requests with a one-time code (registration, password resets).
    sign_in_attempts_per_minute: int = 30
    refresh_requests_per_minute: int = 60
    code_requests_per_minute: int = 30
    # Anonymous reads of the public vacancy counts (GET /public/vacancies).
    public_requests_per_minute: int = 60
    # The client address is the connection's, unless it comes from one of these proxies
    # (comma-separated addresses, "*" for any): then X-Forwarded-For names it. None: no proxy is trusted.
    forwarded_allow_ips: str | None = None
    # Invite and password reset codes.
    one_time_code_ttl_seconds: int = 7 * 24 * 60 * 60
