"""The interactive API docs (Swagger UI), served from the installed swagger-ui-bundle package: nothing
comes from a CDN, so the page works on a closed network and loads no one else's scripts."""

from __future__ import annotations

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

DOCS_PATH = "/docs"
SCRIPTS_PATH = "/docs/swagger-ui"


def add_api_docs(app: FastAPI) -> None:
    app.mount(SCRIPTS_PATH, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")

    @app.get(DOCS_PATH, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title}: API docs",
            swagger_js_url=f"{SCRIPTS_PATH}/swagger-ui-bundle.js", swagger_css_url=f"{SCRIPTS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{SCRIPTS_PATH}/favicon-32x32.png",
        )
