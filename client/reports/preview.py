"""Page one of a PDF as a PNG picture, for the screen that offers the document.

Rendered with pypdfium2 (PDFium, the renderer in Chrome) and encoded with
Pillow (both on the desktop and web builds). Where either is missing, e.g. a
phone build without them, or the PDF cannot be read, there is no preview:
``first_page_png`` answers None and the screen shows the actions only.
"""

from __future__ import annotations

import io
import logging

PREVIEW_WIDTH_PX = 480  # sharp at the size a phone shows it, small enough to send to a browser

log = logging.getLogger(__name__)


def first_page_png(pdf: bytes, *, width_px: int = PREVIEW_WIDTH_PX) -> bytes | None:
    """Page one of ``pdf`` as PNG bytes ``width_px`` wide, or None when it cannot be drawn here."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # not in this build: no preview
        return None
    try:
        document = pdfium.PdfDocument(pdf)
        try:
            if len(document) == 0:
                return None
            page = document[0]
            bitmap = page.render(scale=width_px / page.get_width())
            out = io.BytesIO()
            bitmap.to_pil().save(out, format="PNG", optimize=True)
            return out.getvalue()
        finally:
            document.close()
    except Exception:  # noqa: BLE001 - a preview is a nicety: never an error on the screen
        log.info("no preview: the PDF could not be drawn", exc_info=True)
        return None
