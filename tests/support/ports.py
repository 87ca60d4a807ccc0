"""Ports for the processes tests start: each run takes free ones from the OS, never a fixed number.

A port from ``free_port()`` is free when asked for, but another process (a second
copy of the suite, an outgoing connection) may take it before our server binds it;
the process then exits saying so, and its starter tries again on another port.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

PORT_ATTEMPTS = 3


class PortTaken(RuntimeError):
    """The process could not listen: its port was taken meanwhile."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_retrying_taken_ports(start_once: Callable[[], T], another_port: Callable[[], None] | None) -> T:
    """start_once(); if its port was taken meanwhile, another_port() and again (None: the port was asked for)."""
    for attempt in range(PORT_ATTEMPTS):
        try:
            return start_once()
        except PortTaken:
            if another_port is None or attempt == PORT_ATTEMPTS - 1:
                raise
            another_port()
    raise AssertionError("unreachable")


def port_taken(output: str) -> bool:
    """Whether a process's output says it could not bind its port (uvicorn, PostgreSQL)."""
    return "address already in use" in output.lower()


def listens_on(pid: int, port: int) -> bool | None:
    """Whether process pid itself listens on the TCP port (Linux /proc); None where that cannot be told.

    A health check on a port answers for whoever holds it: this tells our server from
    another process (a second copy of the suite) that took the port first.
    """
    try:
        listening = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as rows:
                for row in list(rows)[1:]:
                    fields = row.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                        listening.add(f"socket:[{fields[9]}]")
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except (OSError, IndexError, ValueError):
        return None
    return any(_link(fd) in listening for fd in fds)


def _link(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:  # closed meanwhile
        return ""
