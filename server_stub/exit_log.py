"""Every exit of ``python -m server_stub`` leaves a line on stderr saying why.

uvicorn logs only warnings here, and a SIGTERM it handles gracefully (it finishes the requests in progress,
then re-raises the signal) says nothing at that level: a process stopped that way vanished without a word
(issue 14: one of two processes under load exited with no log line). Now each way out is on stderr:

- a signal (SIGTERM, SIGINT, SIGHUP): when it arrives, and when the requests in progress are finished;
- an exception escaping the server (its traceback), a start that failed (uvicorn's reason, then ours);
- a crash in C code (SIGSEGV, SIGABRT): every thread's stack, by faulthandler.

A process killed with SIGKILL (the kernel's out-of-memory killer, ``kill -9``) cannot write anything: its
parent sees the signal in its exit status (-9) and the kernel log (``dmesg``) names the OOM kill.
"""

from __future__ import annotations

import faulthandler
import logging
import signal
import sys
from types import FrameType

import uvicorn

log = logging.getLogger("server_stub.exit")


def start_logging() -> None:
    """Exit lines to stderr, with the time and the process id (several processes may share one log)."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s server_stub[%(process)d] %(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    faulthandler.enable()


def _name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


class LoggedServer(uvicorn.Server):
    """uvicorn's server, saying when a signal stops it and when it has stopped."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.should_exit:
            log.warning("stopping: received %s; finishing the requests in progress", _name(sig))
        super().handle_exit(sig, frame)

    async def shutdown(self, sockets=None) -> None:
        await super().shutdown(sockets)
        signals = [*self._captured_signals, *getattr(self, "_hangups", [])]
        log.warning("stopped (%s)", ", ".join(_name(sig) for sig in signals) or "asked to stop")

    def install_hangup(self) -> None:
        """SIGHUP (its terminal or session gone) would end the process silently: stop gracefully instead."""
        def hangup(sig: int, frame: FrameType | None) -> None:
            log.warning("stopping: received %s; finishing the requests in progress", _name(sig))
            self._hangups = [sig]  # not uvicorn's list: it would raise the signal again once stopped
            self.should_exit = True

        signal.signal(signal.SIGHUP, hangup)


def serve(server: LoggedServer) -> int:
    """Run the server until it stops; the exit code (a signal uvicorn re-raises ends the process first)."""
    server.install_hangup()
    try:
        server.run()
    except BaseException as error:  # SystemExit and KeyboardInterrupt too: every way out is said
        log.critical("exiting: %s: %s", type(error).__name__, error, exc_info=not isinstance(error, SystemExit))
        raise
    if not server.started:
        log.error("exiting: the server did not start (the reason is above)")
        return 1
    return 0
