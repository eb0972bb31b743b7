"""systemd's notification protocol (sd_notify) over $NOTIFY_SOCKET, without libsystemd."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Mapping

log = logging.getLogger(__name__)

READY = "READY=1"
STOPPING = "STOPPING=1"
WATCHDOG = "WATCHDOG=1"
# Since systemd 243: act as if the watchdog had expired (the unit's Restart= applies).
WATCHDOG_TRIGGER = "WATCHDOG=trigger"


def socket_address(value: str) -> str | bytes:
    """$NOTIFY_SOCKET as an AF_UNIX address: a leading '@' names the abstract namespace."""
    if value.startswith("@"):
        return b"\0" + value[1:].encode()
    return value


class Notifier:
    """Sends state lines to the service manager; without $NOTIFY_SOCKET it does nothing.

    Thread-safe: the heartbeat thread and the GUI thread both send through one datagram socket.
    """

    def __init__(self, address: str | None) -> None:
        self.address = address or None
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Notifier:
        """The notifier for $NOTIFY_SOCKET (inert when the variable is unset or empty)."""
        env = os.environ if environ is None else environ
        return cls(env.get("NOTIFY_SOCKET"))

    @property
    def enabled(self) -> bool:
        """Whether a service manager listens."""
        return self.address is not None

    def send(self, *lines: str) -> bool:
        """Send one datagram of newline-separated assignments; False if nobody got it."""
        if self.address is None:
            return False
        message = "\n".join(lines).encode()
        with self._lock:
            try:
                if self._sock is None:
                    kind = socket.SOCK_DGRAM | socket.SOCK_CLOEXEC
                    self._sock = socket.socket(socket.AF_UNIX, kind)
                self._sock.sendto(message, socket_address(self.address))
            except OSError as exc:  # the manager went away or the socket is full: never fatal
                log.warning("sd_notify %s failed: %s", lines[0] if lines else "", exc)
                return False
        return True

    def close(self) -> None:
        """Close the socket (a later send opens a new one)."""
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None


def watchdog_interval(
    environ: Mapping[str, str] | None = None, *, pid: int | None = None
) -> float | None:
    """Seconds between heartbeats (half of $WATCHDOG_USEC), or None when no watchdog watches us.

    $WATCHDOG_PID names the unit's main process. Under cage that is the compositor, our parent,
    and systemd (NotifyAccess=all) accepts the heartbeat from any process of the unit: so the
    parent's PID counts as ours. Any other PID means the variables were inherited by mistake.
    """
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    owner = env.get("WATCHDOG_PID")
    if owner:
        me = os.getpid() if pid is None else pid
        if owner not in (str(me), str(os.getppid())):
            return None
    return usec / 2_000_000
