"""A serial scanner simulator on a pseudo-terminal, for tests and the demo.

`path` is a symlink to the pty's slave end, the way udev gives a real scanner a stable name
(/dev/serial/by-id/…). `unplug()` closes the pty and removes the link — the reader sees the same
error as a pulled USB cable — and `plug()` makes a new pty behind the same path.
"""

from __future__ import annotations

import contextlib
import os
import threading
import tty
from pathlib import Path


class SimSerialScanner:
    """Writes payloads, each followed by the terminator, into a pty a SerialScanner reads."""

    def __init__(self, path: Path, *, terminator: bytes = b"\r"):
        self.path = path
        self.terminator = terminator
        self._master: int | None = None
        self._slave: int | None = None
        self._lock = threading.Lock()
        self.plug()

    @property
    def plugged(self) -> bool:
        """Whether the simulated device is present."""
        return self._master is not None

    def plug(self) -> None:
        """Make the device appear (a new pty behind `path`)."""
        with self._lock:
            if self._master is not None:
                return
            master, slave = os.openpty()
            # Raw mode before anyone opens it: no echo back into the master, CR kept as CR.
            tty.setraw(slave)
            self._master, self._slave = master, slave
            tmp = self.path.with_name(self.path.name + ".new")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(os.ttyname(slave))
            tmp.replace(self.path)

    def unplug(self) -> None:
        """Make the device vanish: readers get an I/O error, the path disappears."""
        with self._lock:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            for fd in (self._master, self._slave):
                if fd is not None:
                    os.close(fd)
            self._master = self._slave = None

    def send(self, data: bytes) -> None:
        """Write raw bytes (a partial line, garbage, several lines at once)."""
        with self._lock:
            if self._master is None:
                raise OSError("simulated scanner is unplugged")
            view = memoryview(data)
            while view:
                written = os.write(self._master, view)
                view = view[written:]

    def scan(self, payload: str | bytes) -> None:
        """One scan: the payload (UTF-8 if text) and the terminator."""
        raw = payload.encode("utf-8") if isinstance(payload, str) else payload
        self.send(raw + self.terminator)

    def close(self) -> None:
        """Unplug for good."""
        self.unplug()

    def __enter__(self) -> SimSerialScanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
