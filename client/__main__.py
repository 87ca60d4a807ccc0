"""`python -m client`: run the app (web mode on localhost by default).

In web mode this process is "the device": it owns the local database and the
sync engine, and every browser tab that opens the URL shows it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os

import flet as ft

from assets import assets_dir
from client.context import AppContext, build_context
from client.document_links import document_route
from client.views import AppShell


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m client", description="Care Home Connect app")
    parser.add_argument("--server-url", default=os.environ.get("CHC_SERVER_URL", "http://127.0.0.1:8000"),
                        help="central API address (default: %(default)s)")
    parser.add_argument("--host", default="127.0.0.1", help="web mode: address to listen on")
    parser.add_argument("--port", type=int, default=int(os.environ.get("CHC_APP_PORT", "8550")),
                        help="web mode: port to listen on (default: %(default)s)")
    parser.add_argument("--data-dir", default=os.environ.get("CHC_DATA_DIR"),
                        help="where the device database lives (default: Flet's app storage or the user data dir)")
    parser.add_argument("--desktop", action="store_true",
                        help="open a native desktop window instead of serving web mode (downloads the Flet client once)")
    parser.add_argument("--poll-interval", type=float, default=15.0, help="seconds between background syncs")
    parser.add_argument("--pull-page-size", type=int, default=500,
                        help="records per page when receiving changes (smaller pages suit very slow links)")
    return parser.parse_args(argv)


def page_handler(ctx: AppContext):
    def main(page: ft.Page) -> None:
        AppShell(page, ctx).mount()
    return main


def web_app(ctx: AppContext):
    """Web mode's ASGI app: the Flet web client (nothing from a CDN) with the app's favicon and icons."""
    from flet_web.fastapi import app as flet_asgi_app

    app = flet_asgi_app(page_handler(ctx), no_cdn=True, app_name="Care Home Connect", assets_dir=str(assets_dir()))
    # Before Flet's static files, which answer every other path.
    app.router.routes.insert(0, document_route(ctx.document_links))
    return app


async def serve_web(ctx: AppContext, host: str, port: int) -> None:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(web_app(ctx), host=host, port=port, log_level="warning"))
    engine_task = asyncio.create_task(ctx.engine.run(), name="sync-engine")
    print(f"Care Home Connect app on http://{host}:{port} (central API: {ctx.session.default_server_url})", flush=True)
    try:
        await server.serve()
    finally:
        engine_task.cancel()
        ctx.close()


def run_desktop(ctx: AppContext) -> None:
    started = False

    def main(page: ft.Page) -> None:
        nonlocal started
        if not started:
            started = True
            page.run_task(ctx.engine.run)
        AppShell(page, ctx).mount()

    ft.run(main, view=ft.AppView.FLET_APP, assets_dir=str(assets_dir()))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    ctx = build_context(args.server_url, args.data_dir, poll_interval=args.poll_interval,
                        page_size=args.pull_page_size)
    if args.desktop:
        run_desktop(ctx)
    else:
        asyncio.run(serve_web(ctx, args.host, args.port))


if __name__ == "__main__":
    main()
