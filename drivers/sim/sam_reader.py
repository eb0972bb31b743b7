"""A simulated GA 467 SAM reader on a pseudo-terminal, scriptable by tests and the demo.

`start_sam_simulator()` opens a pty, points a stable symlink at its slave side (as udev does for
a USB reader) and answers requests on the master side with one thread. Tests place and remove
cards, script one-off answers (error statuses, bad checksums, cut or noisy frames, silence) and
unplug/replug the reader; the driver under test opens the symlink like a real port.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import tempfile
import threading
import time
import tty
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

from drivers.idcard.frames import (
    STATUS_FIND_FAILED,
    STATUS_FOUND,
    STATUS_NO_CONTENT,
    STATUS_OK,
    Command,
    build_response,
)
from drivers.sim.idcard_samples import SimCard

_HEADER = b"\xaa\xaa\xaa\x96\x69"


@dataclass(frozen=True, slots=True)
class Reply:
    """A scripted answer to the next request of one command."""

    kind: str  # status | raw | corrupt | truncate | noise | silence | unplug
    status: int = 0
    data: bytes = b""
    count: int = 0

    @classmethod
    def with_status(cls, status: int) -> Reply:
        """Only the three status bytes, SW3 = `status`."""
        return cls("status", status=status)

    @classmethod
    def raw(cls, data: bytes) -> Reply:
        """Exactly these bytes."""
        return cls("raw", data=data)

    @classmethod
    def corrupt_checksum(cls) -> Reply:
        """The normal answer with its checksum byte flipped."""
        return cls("corrupt")

    @classmethod
    def truncate(cls, count: int) -> Reply:
        """Only the first `count` bytes of the normal answer."""
        return cls("truncate", count=count)

    @classmethod
    def noise(cls, garbage: bytes) -> Reply:
        """Garbage bytes, then the normal answer."""
        return cls("noise", data=garbage)

    @classmethod
    def silence(cls) -> Reply:
        """No answer at all."""
        return cls("silence")

    @classmethod
    def unplug_after(cls, count: int) -> Reply:
        """The first `count` bytes of the normal answer, then the reader disappears."""
        return cls("unplug", count=count)


class SamSimulator:
    """Serves the SAM protocol on a pty master; every method is safe from any thread."""

    def __init__(self, master_fd: int | None = None, *, link: Path | None = None):
        self._lock = threading.Condition()
        self._link = link
        self._master: int | None = None
        self._slave: int | None = None
        self._own_pty = master_fd is None
        self._card: SimCard | None = None
        self._selected = False
        self._script: dict[Command, deque[Reply]] = defaultdict(deque)
        self.sam_status = STATUS_OK
        self.requests: list[Command | None] = []  # every request received, None = unknown
        self.bad_requests = 0
        self.last_read_sent_at = 0.0  # time.monotonic() after the last byte of a read answer
        self.reads_served = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if master_fd is None:
            self._open_pty()
        else:
            self._master = master_fd

    # -- control -------------------------------------------------------------------------

    @property
    def port(self) -> str:
        """The path a driver opens: the stable link, else the pty's slave name."""
        if self._link is not None:
            return str(self._link)
        assert self._slave is not None, "no pty of our own: the caller knows the slave path"
        return os.ttyname(self._slave)

    def start(self) -> None:
        """Start answering (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="sam-sim", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop answering and close the pty."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(3)
            self._thread = None
        with self._lock:
            self._close_pty()
        if self._link is not None:
            with contextlib.suppress(FileNotFoundError):
                self._link.unlink()

    def place(self, card: SimCard) -> None:
        """Put a card on the reader (replacing any card there)."""
        with self._lock:
            self._card, self._selected = card, False

    def remove(self) -> None:
        """Take the card away."""
        with self._lock:
            self._card, self._selected = None, False

    def script(self, command: Command, reply: Reply, *, times: int = 1) -> None:
        """Answer the next `times` requests of `command` with `reply`."""
        with self._lock:
            self._script[command].extend([reply] * times)

    def clear_script(self) -> None:
        """Forget every scripted answer not yet used."""
        with self._lock:
            self._script.clear()

    def unplug(self) -> None:
        """Close the pty and remove the link, as udev removes the node of a pulled reader."""
        with self._lock:
            self._close_pty()
            if self._link is not None:
                # Never leave a dangling link: the pts number may go to another process's pty.
                with contextlib.suppress(FileNotFoundError):
                    self._link.unlink()

    def replug(self) -> None:
        """A fresh pty behind the same link, as udev recreates the device node."""
        if not self._own_pty:
            raise RuntimeError("replug needs a simulator that made its own pty")
        with self._lock:
            self._close_pty()
            self._open_pty()
            self._lock.notify_all()

    @property
    def plugged(self) -> bool:
        """Whether the reader is connected."""
        with self._lock:
            return self._master is not None

    def count(self, command: Command) -> int:
        """How many requests of `command` arrived so far."""
        with self._lock:
            return self.requests.count(command)

    def wait_for(self, command: Command, *, count: int, timeout: float = 5.0) -> bool:
        """Wait until `count` requests of `command` have arrived in total."""
        with self._lock:
            return self._lock.wait_for(lambda: self.requests.count(command) >= count, timeout)

    # -- pty -----------------------------------------------------------------------------

    def _open_pty(self) -> None:
        master, slave = pty.openpty()
        # Raw from the start: no echo or newline translation before the driver configures it.
        tty.setraw(slave)
        self._master, self._slave = master, slave
        if self._link is not None:
            tmp = self._link.with_name(self._link.name + ".new")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(os.ttyname(slave))
            tmp.replace(self._link)

    def _close_pty(self) -> None:
        for fd in (self._master, self._slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = None

    # -- protocol ------------------------------------------------------------------------

    def _serve(self) -> None:
        buf = bytearray()
        while not self._stop.is_set():
            with self._lock:
                fd = self._master
            if fd is None:
                buf.clear()
                time.sleep(0.02)
                continue
            try:
                ready, _, _ = select.select([fd], [], [], 0.05)
                chunk = os.read(fd, 4096) if ready else b""
            except OSError:
                time.sleep(0.02)  # unplugged underneath us, or no slave open yet
                continue
            buf += chunk
            while True:
                frame = _take_frame(buf)
                if frame is None:
                    break
                self._answer(fd, frame)

    def _answer(self, fd: int, frame: bytes) -> None:
        body = frame[7:-1]
        chk = 0
        for b in frame[5:-1]:
            chk ^= b
        with self._lock:
            if chk != frame[-1] or len(body) < 2:
                self.bad_requests += 1
                self.requests.append(None)
                self._lock.notify_all()
                reply: Reply | None = None
                normal = build_response(0x10)  # the reader's "checksum error"
                command = None
            else:
                command = Command.lookup(body[0], body[1])
                self.requests.append(command)
                self._lock.notify_all()
                queue = self._script.get(command) if command is not None else None
                reply = queue.popleft() if queue else None
                normal = self._normal(command)
        self._send(fd, command, normal, reply)

    def _normal(self, command: Command | None) -> bytes:  # noqa: PLR0911 - one branch per command
        """The answer a healthy reader gives (called with the lock held)."""
        card = self._card
        if command is None:
            return build_response(0x21)
        if command in (Command.SAM_STATUS, Command.RESET_SAM):
            return build_response(self.sam_status)
        if command is Command.READ_SAM_ID:
            return build_response(self.sam_status, bytes(range(16)))
        if command is Command.FIND_CARD:
            self._selected = False
            if card is None:
                return build_response(STATUS_FIND_FAILED)
            return build_response(STATUS_FOUND, bytes(4))
        if command is Command.SELECT_CARD:
            if card is None:
                return build_response(0x81)
            self._selected = True
            return build_response(STATUS_OK, bytes(8))
        if card is None or not self._selected:
            return build_response(0x41)
        if command is Command.READ_NEW_ADDRESS:
            return build_response(STATUS_NO_CONTENT)
        fp = command is Command.READ_WITH_FINGERPRINT
        return build_response(STATUS_OK, card.read_data(with_fingerprint=fp))

    def _send(self, fd: int, command: Command | None, normal: bytes, reply: Reply | None) -> None:
        out = normal
        unplug = False
        if reply is not None:
            if reply.kind == "status":
                out = build_response(reply.status)
            elif reply.kind == "raw":
                out = reply.data
            elif reply.kind == "corrupt":
                out = normal[:-1] + bytes([normal[-1] ^ 0x5A])
            elif reply.kind == "truncate":
                out = normal[: reply.count]
            elif reply.kind == "noise":
                out = reply.data + normal
            elif reply.kind == "silence":
                out = b""
            elif reply.kind == "unplug":
                out, unplug = normal[: reply.count], True
        is_read = command in (Command.READ_TEXT_PHOTO, Command.READ_WITH_FINGERPRINT)
        try:
            if is_read and out.endswith(normal):
                # Stamp the time before the last byte goes out, so a fast driver can never be
                # measured as finishing before the frame was complete.
                _write_all(fd, out[:-1])
                with self._lock:
                    self.last_read_sent_at = time.monotonic()
                    self.reads_served += 1
                _write_all(fd, out[-1:])
                with self._lock:
                    self._lock.notify_all()
            else:
                _write_all(fd, out)
        except OSError:
            return
        if unplug:
            time.sleep(0.02)  # let the cut bytes reach the driver before the line drops
            self.unplug()


def _take_frame(buf: bytearray) -> bytes | None:
    """Cut the next complete request out of `buf` (skipping noise), or None if incomplete."""
    start = buf.find(_HEADER)
    if start < 0:
        del buf[: max(0, len(buf) - 4)]
        return None
    del buf[:start]
    if len(buf) < 7:
        return None
    end = 7 + int.from_bytes(buf[5:7], "big")
    if end > 7 + 0x1000:
        del buf[:1]
        return _take_frame(buf)
    if len(buf) < end:
        return None
    frame = bytes(buf[:end])
    del buf[:end]
    return frame


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def start_sam_simulator(link: Path | None = None) -> tuple[str, SamSimulator]:
    """Start a simulator behind a stable link (a temporary one unless given); (port, controller)."""
    if link is None:
        link = Path(tempfile.mkdtemp(prefix="cme-sam-")) / "ttySAM"
    sim = SamSimulator(link=link)
    sim.start()
    return sim.port, sim
