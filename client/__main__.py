"""`python -m client`: run the app (web mode on localhost by default).

In web mode each browser is a device (client/context.py, WebDevices): a
browser that has not signed in sees the sign-in screen; one that has keeps
its own session, data and sync engine. --desktop is one device, one person.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

import flet as ft

from assets import assets_dir
from client.context import AppContext, WebDevices, build_context, is_browser_secret, new_browser_secret
from client.document_links import BrowserCookie, document_route
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


T = TypeVar("T")

# Where a browser keeps its secret (localStorage in web mode); the app process never stores it.
BROWSER_SECRET_KEY = "carehome-connect.browser"


# The browser answers in milliseconds; a question lost with a dropped connection is asked again.
ASK_BROWSER_TIMEOUT_S = 2.0
ASK_BROWSER_ATTEMPTS = 15
log = logging.getLogger(__name__)


class BrowserUnreachable(Exception):
    """The page's browser never answered: the page is gone (a reload starts again)."""


async def ask_browser(question: Callable[[], Awaitable[T]]) -> T:
    # The Flet client may drop and remake its first connection (e.g. right after the app restarted),
    # and a call lost with it is never answered.
    for _ in range(ASK_BROWSER_ATTEMPTS):
        try:
            return await asyncio.wait_for(question(), timeout=ASK_BROWSER_TIMEOUT_S)
        except TimeoutError:
            continue
    raise BrowserUnreachable


def page_handler(devices: WebDevices):
    async def main(page: ft.Page) -> None:
        preferences = ft.SharedPreferences()
        try:
            saved = await ask_browser(lambda: preferences.get(BROWSER_SECRET_KEY))
        except BrowserUnreachable:
            log.info("a page closed before its browser answered")
            return
        # A browser that never signed in gets a secret now, kept by the browser only once it signs in.
        secret = saved if is_browser_secret(saved) else new_browser_secret()
        ctx = devices.open(secret)

        async def remember_browser() -> None:
            try:
                await ask_browser(lambda: preferences.set(BROWSER_SECRET_KEY, secret))
            except BrowserUnreachable:
                log.warning("the browser did not keep its secret: it will sign in again after a restart")

        AppShell(page, ctx, on_signed_in=remember_browser, on_close=lambda: devices.release(ctx)).mount()
    return main


def web_app(devices: WebDevices):
    """Web mode's ASGI app: the Flet web client (nothing from a CDN) with the app's favicon and icons."""
    from flet_web.fastapi import app as flet_asgi_app

    app = flet_asgi_app(page_handler(devices), no_cdn=True, app_name="Care Home Connect",
                        app_short_name="Care Homes",  # under the icon on a tablet's home screen (assets/manifest.json)
                        assets_dir=str(assets_dir()))
    # Before Flet's static files, which answer every other path.
    app.router.routes.insert(0, document_route(devices.document_links))
    app.add_middleware(BrowserCookie)  # a document link serves only the browser that asked for it
    return app


async def serve_web(devices: WebDevices, host: str, port: int) -> None:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(web_app(devices), host=host, port=port, log_level="warning"))
    print(f"Care Home Connect app on http://{host}:{port} (central API: {devices.server_url})", flush=True)
    try:
        await server.serve()
    finally:
        await devices.close()


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
    if args.desktop:
        run_desktop(build_context(args.server_url, args.data_dir, poll_interval=args.poll_interval,
                                  page_size=args.pull_page_size))
    else:
        devices = WebDevices(args.server_url, args.data_dir, poll_interval=args.poll_interval,
                             page_size=args.pull_page_size)
        asyncio.run(serve_web(devices, args.host, args.port))


if __name__ == "__main__":
    main()
