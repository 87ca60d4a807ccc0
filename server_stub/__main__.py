"""Run the central API: python -m server_stub [--host H] [--port P] [--database-url URL] [--no-demo]."""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn

from server_stub.app import create_app
from server_stub.demo_data import DEMO_PASSWORD, DEMO_USERNAME
from server_stub.settings import DEFAULT_DATABASE_URL, DEFAULT_HOST, DEFAULT_PORT, Settings


def parse_args(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(prog="python -m server_stub", description="Care Home Connect central API")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=int(os.environ.get("CHC_SERVER_PORT", DEFAULT_PORT)))
    parser.add_argument("--database-url", default=os.environ.get("CHC_DATABASE_URL", DEFAULT_DATABASE_URL),
                        help="sqlite:///relative/path, sqlite:////absolute/path or "
                             "postgresql://user:password@host:port/dbname (env CHC_DATABASE_URL)")
    defaults = Settings()
    parser.add_argument("--token-ttl-seconds", type=int, default=defaults.token_ttl_seconds,
                        help="lifetime of an access token (default: %(default)s)")
    parser.add_argument("--refresh-token-ttl-seconds", type=int, default=defaults.refresh_token_ttl_seconds)
    parser.add_argument("--tombstone-retention-seconds", type=int, default=defaults.tombstone_retention_seconds,
                        help="how long deletes are remembered for devices that were offline")
    parser.add_argument("--no-demo", dest="seed_demo", action="store_false", help="do not load the Trafford demo data")
    args = parser.parse_args(argv)
    return Settings(
        database_url=args.database_url, host=args.host, port=args.port,
        token_ttl_seconds=args.token_ttl_seconds, refresh_token_ttl_seconds=args.refresh_token_ttl_seconds,
        tombstone_retention_seconds=args.tombstone_retention_seconds, seed_demo=args.seed_demo,
    )


def main(argv: list[str] | None = None) -> None:
    settings = parse_args(argv)
    app = create_app(settings)
    base = f"http://{settings.host}:{settings.port}"
    print(f"Central API on {base} (OpenAPI: {base}/openapi.json)", flush=True)
    if settings.seed_demo:
        print(f"Demo login: {DEMO_USERNAME} / {DEMO_PASSWORD}", flush=True)
    # uvicorn.Server handles SIGINT/SIGTERM: it stops accepting, finishes requests, exits.
    server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning"))
    server.run()
    sys.exit(0 if server.started else 1)


if __name__ == "__main__":
    main()
