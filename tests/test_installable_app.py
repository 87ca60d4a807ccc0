"""The app installs like an app (issue 13 part 8): web mode serves a manifest a tablet adds to its home screen
with, and `flet build` has its settings (name, organisation, splash, network permissions on Android)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from types import SimpleNamespace

import httpx
from PIL import Image

import assets
from client.__main__ import web_app
from client.document_links import DocumentLinks
from tests.support import aio

ROOT = Path(__file__).resolve().parents[1]


def _served(*paths: str) -> list[httpx.Response]:
    async def fetch() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=web_app(devices=SimpleNamespace(document_links=DocumentLinks())))
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            return [await client.get(f"/{path}") for path in paths]

    return aio.run(fetch())


def test_web_mode_serves_the_apps_manifest_with_its_name_short_name_icon_and_theme_colour():
    index, manifest_answer = _served("", "manifest.json")
    assert manifest_answer.status_code == 200
    assert 'rel="manifest"' in index.text and 'href="manifest.json"' in index.text
    manifest = manifest_answer.json()
    assert manifest["name"] == "Care Home Connect"
    assert manifest["short_name"] == "Care Homes"
    assert re.fullmatch(r"#[0-9A-F]{6}", manifest["theme_color"]) and manifest["theme_color"] == "#1565C0"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "."
    icons = {icon["sizes"]: icon for icon in manifest["icons"] if "purpose" not in icon}
    assert set(icons) >= {"192x192", "512x512"}
    # Each icon is the app's own (not Flet's), served where the manifest says.
    served = _served(*(icon["src"] for icon in manifest["icons"]))
    for icon, answer in zip(manifest["icons"], served, strict=True):
        assert answer.status_code == 200, icon["src"]
        assert answer.content == (assets.assets_dir() / icon["src"]).read_bytes(), icon["src"]


def test_a_splash_image_sits_beside_the_icon():
    with Image.open(assets.assets_dir() / "splash.png") as splash, Image.open(assets.assets_dir() / "icon.png") as icon:
        assert splash.format == "PNG" and splash.size[0] == splash.size[1] >= icon.size[0]


def test_flet_build_has_the_apps_name_organisation_and_network_permissions():
    flet = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["flet"]
    assert flet["product"] == "Care Home Connect"
    assert flet["org"] and flet["company"]
    assert flet["android"]["permission"] == {"android.permission.INTERNET": True,
                                             "android.permission.ACCESS_NETWORK_STATE": True}


def test_readme_says_how_to_build_for_android_ios_windows_and_macos():
    readme = (ROOT / "README.md").read_text()
    section = re.search(r"## Building the app\n(.*?)(\n## |\Z)", readme, re.S).group(1)
    for target in ("apk", "ipa", "windows", "macos"):
        assert f"flet build {target}" in section, target
