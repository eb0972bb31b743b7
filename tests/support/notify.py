"""A service manager's end of sd_notify: a datagram socket that records what arrives, and when."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest


class NotifyListener:
    """Binds $NOTIFY_SOCKET (a path, or '@name' in the abstract namespace) and records messages."""

    def __init__(self, where: Path | str) -> None:
        self.address = str(where)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if self.address.startswith("@"):
            self._sock.bind(b"\0" + self.address[1:].encode())
        else:
            self._sock.bind(self.address)
            os.chmod(self.address, 0o666)  # a desk running as another user must reach it
        self._sock.settimeout(0.05)
        self.messages: list[tuple[float, str]] = []  # (time.monotonic() at arrival, text)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="notify-listener", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.messages.append((time.monotonic(), data.decode()))

    def lines(self) -> list[str]:
        """Every assignment received so far, in order (a message may carry several)."""
        with self._lock:
            return [line for _, text in self.messages for line in text.split("\n")]

    def times(self, line: str) -> list[float]:
        """When each message containing `line` arrived."""
        with self._lock:
            return [at for at, text in self.messages if line in text.split("\n")]

    def wait_for(self, line: str, *, count: int = 1, timeout: float = 30.0) -> list[float]:
        """The arrival times once `count` messages with `line` came; fails the test otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.times(line)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        pytest.fail(f"{count} x {line!r} not received within {timeout} s; got {self.lines()}")

    def close(self) -> None:
        """Stop listening and remove the socket file."""
        self._stop.set()
        self._thread.join(2)
        self._sock.close()
        if not self.address.startswith("@"):
            Path(self.address).unlink(missing_ok=True)
