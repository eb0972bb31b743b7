"""Our own tiny virtual contactless card for vpcd (vsmartcard's virtual PC/SC reader).

vpcd listens on a TCP port; a virtual card connects to it to be "inserted" and closes the
connection to be "removed". Every message is a 2-byte big-endian length and its data: a single
byte is a control message (0 power off, 1 power on, 2 reset, 4 ATR request, answered with the
ATR), anything longer is a command APDU, answered with a response APDU. The card answers the
PC/SC "get UID" APDU `FF CA 00 00 00` with its UID and 9000.

Run as a process (tests start and stop it by PID):
    python -m drivers.sim.vpcd_card --port 35963 --uid 2A83155E
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import socket
import struct
import sys
import threading
from types import FrameType

log = logging.getLogger(__name__)

# PC/SC part 3 ATR of a contactless storage card (MIFARE Classic 1K) as readers synthesise it.
MIFARE_ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
# A contactless type B card (what a resident ID card looks like to a plain PC/SC reader).
TYPE_B_ATR = bytes.fromhex("3B8880010000000000718100F9")

CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4
SW_OK = b"\x90\x00"


def answer(apdu: bytes, uid: bytes) -> bytes:
    """The card's response APDU to one command APDU."""
    if len(apdu) < 4:
        return b"\x67\x00"  # wrong length
    cla, ins, p1, p2 = apdu[:4]
    if (cla, ins) == (0xFF, 0xCA):
        if p1 != 0x00 or p2 != 0x00:
            return b"\x6a\x81"  # only the UID is supported, no historical bytes
        le = apdu[4] if len(apdu) > 4 else 0
        if le and le < len(uid):
            return b"\x6c" + bytes([len(uid)])  # wrong Le: here is the right one
        return uid + SW_OK
    if cla == 0xFF:
        return b"\x6d\x00"  # instruction not supported
    return b"\x6e\x00"  # class not supported


class VirtualCard:
    """A card that stays inserted while it is connected to vpcd; reconnects if vpcd restarts."""

    def __init__(
        self,
        uid: bytes,
        *,
        port: int,
        host: str = "127.0.0.1",
        atr: bytes = MIFARE_ATR,
        reconnect_s: float = 0.1,
    ) -> None:
        self.uid = uid
        self.host = host
        self.port = port
        self.atr = atr
        self.reconnect_s = reconnect_s
        self.apdus = 0  # command APDUs answered, for tests
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    def run(self) -> None:
        """Connect and serve until stop(); after vpcd goes away, connect again."""
        while not self._stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
            except OSError:
                self._stop.wait(self.reconnect_s)
                continue
            with self._lock:
                self._sock = sock
            log.info("inserted into vpcd on port %d", self.port)
            try:
                self._serve(sock)
            except (OSError, EOFError) as exc:
                log.info("vpcd connection ended: %s", exc)
            finally:
                with self._lock:
                    self._sock = None
                sock.close()
            self._stop.wait(self.reconnect_s)

    def stop(self) -> None:
        """Remove the card: close the connection and stop reconnecting."""
        self._stop.set()
        with self._lock:
            if self._sock is not None:
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(0.2)  # wake up to notice stop()
        while not self._stop.is_set():
            try:
                header = _recv_exact(sock, 2)
            except TimeoutError:
                continue
            sock.settimeout(2.0)  # a message has started: its body follows at once
            (length,) = struct.unpack(">H", header)
            message = _recv_exact(sock, length)
            sock.settimeout(0.2)
            if length == 1:
                if message[0] == CTRL_ATR:
                    sock.sendall(struct.pack(">H", len(self.atr)) + self.atr)
                # Power on/off and reset need no answer: this card has no state to lose.
                continue
            response = answer(message, self.uid)
            self.apdus += 1
            sock.sendall(struct.pack(">H", len(response)) + response)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("vpcd closed the connection")
        buf += chunk
    return buf


def main(argv: list[str] | None = None) -> int:
    """Run one virtual card until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description="virtual contactless card for vpcd")
    parser.add_argument("--port", type=int, required=True, help="vpcd's TCP port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--uid", required=True, help="UID as hex, e.g. 2A83155E")
    parser.add_argument("--atr", default=MIFARE_ATR.hex(), help="ATR as hex")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="vpcd-card: %(message)s")
    card = VirtualCard(
        bytes.fromhex(args.uid), port=args.port, host=args.host, atr=bytes.fromhex(args.atr)
    )

    def _bye(signum: int, frame: FrameType | None) -> None:
        card.stop()

    signal.signal(signal.SIGTERM, _bye)
    signal.signal(signal.SIGINT, _bye)
    card.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
