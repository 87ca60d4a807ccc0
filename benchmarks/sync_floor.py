"""The floor of a first sync, measured in the same run as the app's: what moving the same bytes costs.

floor = the same page bodies the central API sent, fetched from a trivial server that holds them in memory
        (benchmarks/trivial_server.py, its own process like the API)
      + one executemany of the same rows into an empty SQLite table.

Earlier the floor fetched its pages from the real API, so every cost of building a page was in the floor
too and the ratio hid it. The API's own time for the same pages is measured here as well (`api_only`).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from protocol.sync import SCHEMA_VERSION, SCHEMA_VERSION_HEADER

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Floor:
    api_only: float  # the real API, the same pages, plain httpx: no parsing, no storing
    trivial: float  # the same bytes from the trivial server
    insert: float  # one executemany of the same rows
    rows: int
    wire_bytes: int  # as sent (compressed, if the API compressed them)
    json_bytes: int  # after decoding

    @property
    def floor(self) -> float:
        return self.trivial + self.insert


def _headers(token: str) -> dict[str, str]:
    # What the app sends (httpx's Accept-Encoding too), so the API answers these requests as it answers the app's.
    return {"Authorization": f"Bearer {token}", SCHEMA_VERSION_HEADER: str(SCHEMA_VERSION)}


def fetch_pages(url: str, token: str, page_size: int, pages_dir: Path) -> float:
    """Every page of a first sync from the real API, kept byte for byte in pages_dir; returns the time taken."""
    pages_dir.mkdir(parents=True, exist_ok=True)
    for old in pages_dir.iterdir():
        old.unlink()
    started = time.perf_counter()
    since = 0
    with httpx.Client(base_url=url, headers=_headers(token), timeout=120) as client:
        while True:
            params = _params(since, page_size)
            with client.stream("GET", "/sync/changes", params=params) as response:
                response.raise_for_status()
                raw = b"".join(response.iter_raw())
                encoding = response.headers.get("Content-Encoding")
                (pages_dir / str(since)).write_bytes(raw)
                (pages_dir / f"{since}.headers").write_text(encoding or "")
                body = raw if not encoding else _decoded(raw, encoding)
            page = json.loads(body)
            since = page["cursor"]
            if not page["has_more"]:
                break
    return time.perf_counter() - started


def _params(since: int, page_size: int) -> dict:
    # As the app asks: what remains is counted on a pull's first page only (older servers ignore the flag).
    return {"since": since, "limit": page_size, **({"count_remaining": "false"} if since else {})}


def _decoded(raw: bytes, encoding: str) -> bytes:
    import gzip
    assert encoding == "gzip", encoding
    return gzip.decompress(raw)


def time_fetch(url: str, token: str, page_size: int) -> tuple[float, list[bytes], int]:
    """Fetch every page with plain httpx (decoded, unparsed but for the cursor); (seconds, bodies, wire bytes)."""
    bodies, since, wire = [], 0, 0
    started = time.perf_counter()
    with httpx.Client(base_url=url, headers=_headers(token), timeout=120) as client:
        while True:
            params = _params(since, page_size)
            response = client.get("/sync/changes", params=params)
            response.raise_for_status()
            wire += response.num_bytes_downloaded
            bodies.append(response.content)
            since, has_more = _cursor(response.content)
            if not has_more:
                break
    return time.perf_counter() - started, bodies, wire


def _cursor(body: bytes) -> tuple[int, bool]:
    # The envelope's tail: the fields after "changes" (a trivial client reads only these, never the records).
    tail = json.loads(b"{" + body[body.rindex(b'],"cursor"') + 2:])
    return tail["cursor"], tail["has_more"]


def insert_rows(bodies: list[bytes], workdir: Path) -> tuple[float, int]:
    """One executemany of the same rows into an empty table (the rows are made before the clock starts)."""
    rows = [(c["kind"], c["id"], c["home_id"], c["version"], json.dumps(c["data"]))
            for body in bodies for c in json.loads(body)["changes"]]
    path = workdir / "floor.sqlite3"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE records (kind TEXT, id TEXT, home_id TEXT, version INTEGER, data TEXT,"
               " PRIMARY KEY (kind, id))")
    started = time.perf_counter()
    with db:
        db.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?)", rows)
    inserted = time.perf_counter() - started
    db.close()
    return inserted, len(rows)


class TrivialServer:
    """benchmarks/trivial_server.py as a process serving one directory of pages."""

    def __init__(self, pages_dir: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "benchmarks.trivial_server", str(pages_dir)],
                                        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
        self.url = f"http://127.0.0.1:{int(self.process.stdout.readline())}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def measure_floor(url: str, token: str, page_size: int, workdir: Path, repeat: int = 3) -> Floor:
    """The best of `repeat` runs of each part (a floor is what the machine can do, not its unlucky moments)."""
    pages_dir = workdir / "pages"
    fetch_pages(url, token, page_size, pages_dir)  # warms the API's caches, and keeps the bytes it sent
    api_only = min(time_fetch(url, token, page_size)[0] for _ in range(repeat))
    trivial_server = TrivialServer(pages_dir)
    try:
        runs = [time_fetch(trivial_server.url, token, page_size) for _ in range(repeat)]
    finally:
        trivial_server.stop()
    trivial = min(run[0] for run in runs)
    _, bodies, wire = runs[0]
    insert = min(insert_rows(bodies, workdir)[0] for _ in range(repeat))
    rows = sum(len(json.loads(body)["changes"]) for body in bodies)
    return Floor(api_only=api_only, trivial=trivial, insert=insert, rows=rows, wire_bytes=wire,
                 json_bytes=sum(len(body) for body in bodies))
