"""One desk per data directory: a lock file held while the desk runs, and crash reports.

Two desks on one store would each think they own the check-in sequence; the second one is
refused at start with the first one's process id. A crash (a Python exception nobody caught, or
a fatal signal in a C library) leaves a report in the log folder for the field engineer.
"""

from __future__ import annotations

import contextlib
import faulthandler
import fcntl
import logging
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from types import TracebackType
from typing import IO

from kiosk.logging_setup import scrub

log = logging.getLogger(__name__)


class AlreadyRunning(RuntimeError):
    """Another desk holds this data directory's lock."""


class DeskLock:
    """An exclusive flock on `<data_dir>/desk.lock`, released when the process ends."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "desk.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise AlreadyRunning naming the holder's pid."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise AlreadyRunning(
                f"another desk (pid {holder}) is running on {self.path.parent}"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Let go (the kernel also does at exit, even after a crash)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None


class CrashReports:
    """Fatal signals and uncaught exceptions are written to `<log_dir>/crash-<time>.txt` (0600)."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.path = log_dir / f"crash-{stamp}-{os.getpid()}.txt"
        self._file: IO[str] | None = None

    def install(self) -> None:
        """Arm faulthandler on a fresh report file and hook uncaught exceptions on every thread."""
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(fd, "w", encoding="utf-8")
        faulthandler.enable(self._file, all_threads=True)
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_hook

    def _write(self, where: str, kind: type[BaseException], value: BaseException,
               tb: TracebackType | None) -> None:  # fmt: skip
        text = "".join(traceback.format_exception(kind, value, tb))
        report = f"uncaught exception in {where}\n{scrub(text)}"
        log.critical("%s", report)
        if self._file is not None:
            self._file.write(report + "\n")
            self._file.flush()

    def _excepthook(self, kind: type[BaseException], value: BaseException,
                    tb: TracebackType | None) -> None:  # fmt: skip
        self._write("the main thread", kind, value, tb)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread is not None else "?"
        if args.exc_value is not None:
            self._write(f"thread {name}", args.exc_type, args.exc_value, args.exc_traceback)

    def close(self) -> None:
        """A clean exit: no report, no empty file left behind."""
        if self._file is None:
            return
        faulthandler.disable()
        sys.excepthook = sys.__excepthook__
        threading.excepthook = threading.__excepthook__
        empty = self._file.tell() == 0
        self._file.close()
        self._file = None
        if empty:
            with contextlib.suppress(OSError):
                self.path.unlink()
