"""The WiFi survey's answers (GET /speedtest/ping, POST /speedtest/upload); the download is raw bytes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

PING_PATH = "/speedtest/ping"
DOWNLOAD_PATH = "/speedtest/download"
UPLOAD_PATH = "/speedtest/upload"


class SpeedtestPing(BaseModel):
    status: Literal["ok"] = "ok"


class SpeedtestUpload(BaseModel):
    received: int  # bytes of the request body read (and discarded)
