"""Run the central API: python -m server_stub [--host H] [--port P] [--database-url URL] [--no-demo] [--docs]
[--forwarded-allow-ips ADDRESSES].

Import a CQC directory file: python -m server_stub import-homes FILE [--database-url URL] [--dry-run]
(docs/directory.md).

Settings come from the environment (CHC_DATABASE_URL, CHC_SERVER_PORT, ... see
settings.py); an option given here overrides its variable.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from server_stub.app import create_app
from server_stub.db import DatabaseError, create_database_engine, parse_database_url
from server_stub.demo_data import DEMO_PASSWORD, DEMO_USERNAME
from server_stub.directory.report import summary_lines
from server_stub.exit_log import LoggedServer, serve, start_logging
from server_stub.exit_log import log as exit_log
from server_stub.migrations import SchemaError, upgrade_database
from server_stub.services.directory import UnreadableFile, import_homes
from server_stub.settings import Settings

IMPORT_HOMES = "import-homes"


def parse_args(argv: list[str] | None = None) -> Settings:
    # SUPPRESS: an option not given leaves its setting to the environment (or the default).
    parser = argparse.ArgumentParser(prog="python -m server_stub", description="Care Home Connect central API",
                                     argument_default=argparse.SUPPRESS)
    parser.add_argument("--host", help="(env CHC_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="(env CHC_SERVER_PORT, default 8000)")
    parser.add_argument("--database-url",
                        help="sqlite:///relative/path, sqlite:////absolute/path or "
                             "postgresql://user:password@host:port/dbname (env CHC_DATABASE_URL)")
    parser.add_argument("--token-ttl-seconds", type=int, help="lifetime of an access token (default: 15 minutes)")
    parser.add_argument("--refresh-token-ttl-seconds", type=int)
    parser.add_argument("--tombstone-retention-seconds", type=int,
                        help="how long deletes are remembered for devices that were offline")
    parser.add_argument("--no-demo", dest="seed_demo", action="store_false", help="do not load the Trafford demo data")
    parser.add_argument("--docs", dest="api_docs", action="store_true",
                        help="serve the interactive API docs (/docs, /redoc; their scripts come from a CDN) "
                             "without the demo data too (env CHC_API_DOCS)")
    parser.add_argument("--forwarded-allow-ips", metavar="ADDRESSES",
                        help="reverse proxies (comma-separated addresses) whose X-Forwarded-For names the client, "
                             "for rate limits (env CHC_FORWARDED_ALLOW_IPS; default: none, the connection's address)")
    return Settings(**vars(parser.parse_args(argv)))


def proxy_options(settings: Settings) -> dict:
    """X-Forwarded-For only from the proxies the operator named. uvicorn would otherwise trust it from
    127.0.0.1, so any local process could pose as any address and slip past the rate limits."""
    if not settings.forwarded_allow_ips:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": settings.forwarded_allow_ips}


def import_homes_command(argv: list[str]) -> int:
    """python -m server_stub import-homes FILE [--database-url URL] [--dry-run]: 0 on success, 1 if not done."""
    parser = argparse.ArgumentParser(prog=f"python -m server_stub {IMPORT_HOMES}",
                                     description="Import care homes from a CQC directory file saved as CSV "
                                                 "(HSCA Active Locations, or the CQC-directory-derived format)")
    parser.add_argument("file", help="the CSV file")
    parser.add_argument("--database-url", default=None, help="as for the server (env CHC_DATABASE_URL)")
    parser.add_argument("--dry-run", action="store_true", help="show what would change, and change nothing")
    args = parser.parse_args(argv)
    url = args.database_url or Settings().database_url
    try:
        database = parse_database_url(url)
    except ValueError as error:
        print(f"Cannot import: {error}", file=sys.stderr)
        return 1
    errors = Console(stderr=True)
    engine = create_database_engine(database)
    try:
        upgrade_database(engine)  # as the server does at start
        with engine.connect() as connection, Progress(
            TextColumn("{task.description}"), BarColumn(bar_width=30), MofNCompleteColumn(), TimeElapsedColumn(),
            console=errors, transient=False,
        ) as bar:
            task = bar.add_task(f"Importing {Path(args.file).name}", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            summary = import_homes(connection, args.file, datetime.now(timezone.utc), dry_run=args.dry_run,
                                   progress=progress)
    except UnreadableFile as error:
        print(f"Nothing was imported: {error}", file=sys.stderr)
        return 1
    except SchemaError as error:
        print(f"Cannot import: {error}", file=sys.stderr)
        return 1
    except DatabaseError as error:
        print(f"Nothing was imported: the database ({database.describe()}) did not answer "
              f"({type(error).__name__})", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    where = database.describe()
    print("Checked against" if summary.dry_run else "Imported into", where)
    print("\n".join(summary_lines(summary)), flush=True)
    return 0


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == IMPORT_HOMES:
        sys.exit(import_homes_command(argv[1:]))
    settings = parse_args(argv)
    start_logging()
    try:
        app = create_app(settings)
    except SchemaError as error:
        exit_log.critical("exiting: cannot start: %s", error)
        sys.exit(f"Cannot start: {error}")
    except DatabaseError as error:
        where = parse_database_url(settings.database_url).describe()
        exit_log.critical("exiting: cannot start: the database (%s) did not answer: %s", where,
                          str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)
        sys.exit(1)
    except Exception:
        exit_log.critical("exiting: cannot start", exc_info=True)
        raise
    base = f"http://{settings.host}:{settings.port}"
    print(f"Central API on {base} (OpenAPI: {base}/openapi.json)", flush=True)
    if settings.seed_demo:
        print(f"Demo login: {DEMO_USERNAME} / {DEMO_PASSWORD}", flush=True)
    # uvicorn.Server handles SIGINT/SIGTERM: it stops accepting, finishes requests, exits (exit_log says so).
    server = LoggedServer(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning",
                                         **proxy_options(settings)))
    sys.exit(serve(server))


if __name__ == "__main__":
    main()
