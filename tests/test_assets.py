"""The app's static files (assets/): found from the source tree and from an installed copy, and used by the app."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import httpx
from PIL import Image

import assets
from client.__main__ import web_app
from client.document_links import DocumentLinks
from tests.support import aio

ROOT = Path(__file__).resolve().parents[1]
FILES = ["icon.png", "favicon.png", "icons/icon-192.png", "icons/icon-512.png", "icons/apple-touch-icon-192.png",
         "icons/icon-maskable-192.png", "icons/icon-maskable-512.png", "fonts/DejaVuSans.ttf",
         "fonts/DejaVuSans-Bold.ttf", "fonts/LICENSE", "manifest.json", "splash.png"]


def test_the_assets_are_found_in_the_source_tree():
    assert assets.assets_dir() == ROOT / "assets"
    for name in FILES:
        assert (assets.assets_dir() / name).is_file(), name
    assert assets.font_path() == ROOT / "assets" / "fonts" / "DejaVuSans.ttf"


def test_the_icons_are_square_pngs_of_their_size():
    for name, size in [("icon.png", 512), ("icons/icon-192.png", 192), ("icons/icon-maskable-512.png", 512)]:
        with Image.open(assets.assets_dir() / name) as image:
            assert (image.format, image.size) == ("PNG", (size, size)), name


def test_an_installed_copy_finds_its_assets(tmp_path):
    """Builds the packages as an install lays them out (setuptools build_py, from pyproject.toml's package data)
    from a copy of the project, then looks the assets up from there, away from the source tree."""
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for folder in ("assets", "client", "domain", "protocol", "server_stub"):
        shutil.copytree(ROOT / folder, project / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    installed = tmp_path / "site-packages"
    subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "build_py", "--build-lib",
                    str(installed)], cwd=project, check=True, capture_output=True, timeout=120)

    lookup = ("import assets; from client.reports import pdf_document; "
              "print(assets.assets_dir()); print(pdf_document.UNICODE_FONT)")
    found = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(installed)!r}); "
                            + lookup], cwd=tmp_path, check=True, capture_output=True, text=True, timeout=120)
    directory, font = (Path(line) for line in found.stdout.split())
    assert directory == installed / "assets"
    assert font == installed / "assets" / "fonts" / "DejaVuSans.ttf"
    for name in FILES:
        assert (directory / name).is_file(), f"{name} is not installed (pyproject.toml package data)"


def test_web_mode_serves_the_app_favicon_and_icons():
    names = ["favicon.png", "icons/icon-192.png", "icons/apple-touch-icon-192.png"]

    async def fetch() -> list[httpx.Response]:
        # The page handler (and so the contexts) is used only by a connection: none here.
        transport = httpx.ASGITransport(app=web_app(devices=SimpleNamespace(document_links=DocumentLinks())))
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            return [await client.get(f"/{path}") for path in ["", "documents/unknown", *names]]

    index, document, *served = aio.run(fetch())
    # The app's own document links come before Flet's files (which answer any other path with the app).
    assert document.status_code == 404 and document.headers["cache-control"] == "no-store"
    assert 'href="favicon.png"' in index.text
    for name, answer in zip(names, served, strict=True):
        assert answer.status_code == 200, name
        assert answer.content == (assets.assets_dir() / name).read_bytes(), name
