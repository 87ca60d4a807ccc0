"""The app's static files, shipped as package data: the icon, the favicon, and the fonts the PDFs embed.

Layout::

    assets/icon.png            the app icon (512 x 512)
    assets/favicon.png         the web page's tab icon
    assets/splash.png          the splash image `flet build` shows while the app starts (1024 x 1024)
    assets/manifest.json       the web app manifest: name, short name, icons, theme colour (add to home screen)
    assets/icons/              the web app manifest's and home-screen icons (Flet's web names)
    assets/fonts/              DejaVu Sans, regular and bold, and its LICENSE

The directory is handed to Flet as ``assets_dir``: its files replace Flet's own
of the same name (favicon.png, icons/...) in web mode.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

REGULAR_FONT = "DejaVuSans.ttf"
BOLD_FONT = "DejaVuSans-Bold.ttf"


def assets_dir() -> Path:
    """This directory, from the source tree or an installed copy alike.

    Flet serves files from a real directory, so the package must be installed
    unzipped (as pip does); a zipped copy is refused here rather than later.
    """
    root = resources.files(__name__)
    if not isinstance(root, Path):
        raise RuntimeError(f"the assets are not in a directory on disk: {root}")
    return root


def font_path(name: str = REGULAR_FONT) -> Path:
    """The path of a font file in ``assets/fonts``."""
    return assets_dir() / "fonts" / name
