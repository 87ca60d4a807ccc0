"""What a person can do with a document in each mode, and what the screen says afterwards.

Each screen showing a document (transfer pack, FHIR file, readiness summary,
area CSV) offers the same actions, chosen here from where the app runs:

* **web** (a browser on any computer, tablet or phone): Open (a one-time link
  in a new tab) and Download (the bytes sent over that browser's own
  connection, saved by the browser). No Share: a browser lets a page open its
  share sheet only straight from a tap, which a round trip to the app's server
  loses; the downloaded file is shared from the browser's downloads instead.
* **desktop** (Windows, macOS, Linux app): Open (the system's viewer) and
  Download (a save dialog).
* **mobile** (Android or iOS app): Share (the share sheet: email, print, save
  to Files) and Download (saved on the phone). No Open: a phone's viewers do
  not open a file by its path; the share sheet offers them.

No Flet here: the view (client/views/document_actions.py) builds one button per
action and forwards the taps.
"""

from __future__ import annotations

from enum import StrEnum

MOBILE_PLATFORMS = frozenset({"android", "ios"})


class DocumentAction(StrEnum):
    OPEN = "open"
    DOWNLOAD = "download"
    SHARE = "share"

    @property
    def verb(self) -> str:
        return self.value.capitalize()

    @property
    def icon(self) -> str:
        """The Material icon's name (the view looks it up)."""
        return {"open": "OPEN_IN_NEW", "download": "DOWNLOAD", "share": "SHARE"}[self.value]


def actions_offered(*, web: bool, platform: str | None) -> tuple[DocumentAction, ...]:
    """The actions for a document where the app runs: ``web`` (in a browser) and the device's platform."""
    if web:
        return DocumentAction.OPEN, DocumentAction.DOWNLOAD
    if (platform or "").lower() in MOBILE_PLATFORMS:
        return DocumentAction.SHARE, DocumentAction.DOWNLOAD
    return DocumentAction.OPEN, DocumentAction.DOWNLOAD


def action_label(action: DocumentAction, name: str) -> str:
    """A button's own accessible name: 'Download transfer pack'."""
    return f"{action.verb} {name}"


def _sentence(name: str) -> str:
    return f"The {name}"


def done_message(action: DocumentAction, name: str, *, web: bool, saved_to: str | None = None,
                 shared: str | None = None) -> str:
    """What the screen says once an action went through.

    ``saved_to``: where a desktop save dialog put the file (None: cancelled).
    ``shared``: the share sheet's outcome ("success", "dismissed", "unavailable").
    """
    the = _sentence(name)
    if action is DocumentAction.OPEN:
        return f"{the} opened in a new tab" if web else f"{the} opened"
    if action is DocumentAction.DOWNLOAD:
        if web:
            return f"{the} was downloaded: it is in your browser's downloads"
        if not saved_to:
            return "Nothing was saved"
        return f"{the} was saved: {saved_to}"
    if shared == "success":
        return f"{the} was shared"
    if shared == "dismissed":
        return "Nothing was shared"
    return f"{the} was handed to the share sheet"


def failed_message(action: DocumentAction, name: str, *, gone: bool = False) -> str:
    """What the screen says when an action did not work (``gone``: the document left this device)."""
    if gone:
        return f"The {name} is no longer on this device: make it again from the app"
    verb = {DocumentAction.OPEN: "opened", DocumentAction.DOWNLOAD: "saved",
            DocumentAction.SHARE: "shared"}[action]
    return f"The {name} could not be {verb}. Please try again"


def preview_label(name: str) -> str:
    """What a screen reader says for a PDF's preview image."""
    return f"Preview of page one of the {name}"
