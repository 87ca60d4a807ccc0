"""The WiFi survey's speed-test limits: one definition for the app and the central API.

One download request is bounded so the central API is no bandwidth amplifier;
one upload request stays within the central API's body size limit (1 MiB by
default), so the app splits a larger upload into several requests.
"""

from __future__ import annotations

KIB = 1024
MIB = 1024 * KIB

MIN_DOWNLOAD_REQUEST = 1 * KIB
MAX_DOWNLOAD_REQUEST = 8 * MIB
DEFAULT_DOWNLOAD_REQUEST = 1 * MIB
MAX_UPLOAD_REQUEST = 1 * MIB
