"""The floor for a first sync: the same page bodies the central API sent, served from memory by a trivial server.

    python -m benchmarks.trivial_server PAGES_DIR     # prints its port on the first line, then serves

PAGES_DIR holds one file per page, named by the `since` that asked for it (e.g. `0`, `1000`, ...), each with the
exact bytes (and, in `<since>.headers`, the Content-Encoding if any) the API answered. A GET with `?since=N` gets
file N back, with keep-alive like the real server: nothing to compute, so what is left is the cost of moving the
bytes over loopback. A separate process, like the real server, so the client's CPU is not shared with it.
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


def load_pages(directory: Path) -> dict[str, tuple[bytes, str | None]]:
    pages = {}
    for path in directory.iterdir():
        if path.suffix == "":
            headers = path.with_suffix(".headers")
            encoding = headers.read_text().strip() or None if headers.exists() else None
            pages[path.name] = (path.read_bytes(), encoding)
    return pages


def serve(directory: Path) -> None:
    pages = load_pages(directory)

    class Pages(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn
        # As uvicorn: no Nagle. Without this the body's last small segment waits for the client's delayed ACK
        # (about 40 ms a page), and the floor would be slower than the real API.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            since = parse_qs(urlsplit(self.path).query).get("since", ["0"])[0]
            body, encoding = pages.get(since, (b'{"detail":"no such page"}', None))
            self.send_response(200 if since in pages else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if encoding:
                self.send_header("Content-Encoding", encoding)
            # Headers and body in one write (end_headers() would send the headers on their own).
            self._headers_buffer.append(b"\r\n")
            self.wfile.write(b"".join(self._headers_buffer) + body)
            self._headers_buffer = []

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet, like a benchmark should be
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
