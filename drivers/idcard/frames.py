"""GA 467 SAM frames as pure functions: build, check and split requests and responses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import reduce

HEADER = b"\xaa\xaa\xaa\x96\x69"
# LEN counts every byte after the length field; the longest known answer (text, photo and
# fingerprint) is 0x090A. Anything far beyond it is noise that happened to follow a header.
MAX_LEN = 0x1000
MIN_LEN = 3  # a request: CMD PARA CHK; a response is at least SW1 SW2 SW3 CHK

STATUS_OK = 0x90
STATUS_FOUND = 0x9F
STATUS_NO_CONTENT = 0x91
STATUS_FIND_FAILED = 0x80


class Command(Enum):
    """The requests a kiosk sends, as (CMD, PARA)."""

    RESET_SAM = (0x10, 0xFF)
    SAM_STATUS = (0x11, 0xFF)
    READ_SAM_ID = (0x12, 0xFF)
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_TEXT_PHOTO = (0x30, 0x01)
    READ_NEW_ADDRESS = (0x30, 0x03)
    READ_WITH_FINGERPRINT = (0x30, 0x10)

    @property
    def cmd(self) -> int:
        """The CMD byte."""
        return self.value[0]

    @property
    def para(self) -> int:
        """The PARA byte."""
        return self.value[1]

    @classmethod
    def lookup(cls, cmd: int, para: int) -> Command | None:
        """The command with these bytes, or None for one this module does not know."""
        for c in cls:
            if c.value == (cmd, para):
                return c
        return None


class FrameError(ValueError):
    """A frame that cannot be used; `kind` names the problem for logs and the decode tool."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind  # header | truncated | length | checksum | layout
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Request:
    """A command frame as the reader receives it."""

    cmd: int
    para: int
    data: bytes = b""

    @property
    def command(self) -> Command | None:
        """The known command, if it is one."""
        return Command.lookup(self.cmd, self.para)


@dataclass(frozen=True, slots=True)
class Response:
    """A reader's answer: three status bytes (SW3 is the status code) and the data."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @property
    def status(self) -> int:
        """The status code (SW3)."""
        return self.sw3


def checksum(data: bytes) -> int:
    """XOR of the bytes from LEN_H up to the byte before CHK."""
    return reduce(lambda a, b: a ^ b, data, 0)


def _frame(body: bytes) -> bytes:
    """Header, length, body and checksum around a body (CMD PARA DATA or SW1 SW2 SW3 DATA)."""
    length = len(body) + 1
    if length > 0xFFFF:
        raise ValueError(f"frame body of {len(body)} bytes does not fit the 16-bit length")
    counted = length.to_bytes(2, "big") + body
    return HEADER + counted + bytes([checksum(counted)])


def build_request(command: Command, data: bytes = b"") -> bytes:
    """A complete request frame, e.g. FIND_CARD → AA AA AA 96 69 00 03 20 01 22."""
    return _frame(bytes([command.cmd, command.para]) + data)


def build_response(status: int, data: bytes = b"", *, sw1: int = 0, sw2: int = 0) -> bytes:
    """A complete response frame (the simulator's side of the protocol)."""
    return _frame(bytes([sw1, sw2, status]) + data)


def split_frame(frame: bytes) -> bytes:
    """The body of one complete frame (between LEN and CHK), checked strictly."""
    if len(frame) < len(HEADER) or frame[: len(HEADER)] != HEADER:
        raise FrameError("header", "no frame header AA AA AA 96 69 at the start")
    if len(frame) < len(HEADER) + 2:
        raise FrameError("truncated", f"truncated: {len(frame)} bytes, the length field is cut")
    length = int.from_bytes(frame[5:7], "big")
    if not MIN_LEN <= length <= MAX_LEN:
        raise FrameError("length", f"length field {length} is outside {MIN_LEN}..{MAX_LEN}")
    expected = len(HEADER) + 2 + length
    if len(frame) < expected:
        raise FrameError(
            "truncated",
            f"truncated: length field says {length} bytes after it, only {len(frame) - 7} present",
        )
    if len(frame) > expected:
        raise FrameError(
            "length",
            f"{len(frame) - expected} bytes after the end of the frame (length field {length})",
        )
    got, want = frame[-1], checksum(frame[5:-1])
    if got != want:
        raise FrameError("checksum", f"bad checksum: frame has 0x{got:02X}, computed 0x{want:02X}")
    return frame[7:-1]


def parse_response(frame: bytes) -> Response:
    """A complete response frame → Response (no status interpretation here)."""
    body = split_frame(frame)
    return Response(body[0], body[1], body[2], bytes(body[3:]))


def parse_request(frame: bytes) -> Request:
    """A complete request frame → Request."""
    body = split_frame(frame)
    return Request(body[0], body[1], bytes(body[2:]))


@dataclass(frozen=True, slots=True)
class ReadBlocks:
    """The blocks of a read response: 256 bytes of text, the WLT photo, an optional fingerprint."""

    text: bytes
    photo: bytes
    fingerprint: bytes | None = None


def split_read_data(data: bytes) -> ReadBlocks:
    """Split the data of a read response by its block lengths (with or without fingerprint)."""
    if len(data) < 4:
        raise FrameError("layout", f"read response data of {len(data)} bytes has no block lengths")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if len(data) == 4 + text_len + photo_len:
        start = 4
        fp_len = None
    elif len(data) >= 6 and len(data) == 6 + text_len + photo_len + int.from_bytes(
        data[4:6], "big"
    ):
        start = 6
        fp_len = int.from_bytes(data[4:6], "big")
    else:
        raise FrameError(
            "layout",
            f"block lengths (text {text_len}, photo {photo_len}) do not add up to the"
            f" {len(data)} data bytes",
        )
    text = data[start : start + text_len]
    photo = data[start + text_len : start + text_len + photo_len]
    fingerprint = None if fp_len is None else data[start + text_len + photo_len :]
    return ReadBlocks(
        bytes(text), bytes(photo), None if fingerprint is None else bytes(fingerprint)
    )


def build_read_data(text: bytes, photo: bytes, fingerprint: bytes | None = None) -> bytes:
    """The data of a read response: block lengths, then the blocks (for the simulator)."""
    lengths = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
    if fingerprint is not None:
        lengths += len(fingerprint).to_bytes(2, "big")
    return lengths + text + photo + (fingerprint or b"")


@dataclass(frozen=True, slots=True)
class Dropped:
    """Bytes the decoder threw away while resynchronising, and why."""

    count: int
    reason: str  # garbage | checksum | length


class FrameDecoder:
    """Incremental splitter for a byte stream: skips garbage, resynchronises after bad frames.

    Feed bytes as they arrive; `frames()` yields complete, checksum-valid frames and `Dropped`
    records. A partial frame stays buffered: the caller decides when it has waited long enough
    (`pending`, `reset`). Not thread-safe: one reader thread owns it.
    """

    def __init__(self) -> None:
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes buffered that do not yet make a complete frame."""
        return len(self._buf)

    def reset(self) -> int:
        """Drop whatever is buffered (a truncated frame); return how many bytes went."""
        n = len(self._buf)
        self._buf.clear()
        return n

    def feed(self, data: bytes) -> list[bytes | Dropped]:
        """Add bytes; return every complete frame and every dropped run, in stream order."""
        self._buf += data
        out: list[bytes | Dropped] = []
        while True:
            start = self._buf.find(HEADER)
            if start < 0:
                # Keep a tail that could be the start of a header split across reads.
                keep = _header_prefix_len(self._buf)
                junk = len(self._buf) - keep
                if junk:
                    out.append(Dropped(junk, "garbage"))
                    del self._buf[:junk]
                return out
            if start:
                out.append(Dropped(start, "garbage"))
                del self._buf[:start]
            if len(self._buf) < 7:
                return out
            length = int.from_bytes(self._buf[5:7], "big")
            if not MIN_LEN <= length <= MAX_LEN:
                # A header followed by an impossible length: skip one byte and look again.
                out.append(Dropped(1, "length"))
                del self._buf[:1]
                continue
            end = 7 + length
            if len(self._buf) < end:
                # A new header inside the missing part means this frame was cut short.
                later = self._buf.find(HEADER, 1)
                if later > 0:
                    out.append(Dropped(later, "truncated"))
                    del self._buf[:later]
                    continue
                return out
            frame = bytes(self._buf[:end])
            if checksum(frame[5:-1]) != frame[-1]:
                out.append(Dropped(1, "checksum"))
                del self._buf[:1]
                continue
            out.append(frame)
            del self._buf[:end]


def _header_prefix_len(buf: bytearray) -> int:
    """Length of the longest suffix of `buf` that is a proper prefix of HEADER."""
    for n in range(min(len(buf), len(HEADER) - 1), 0, -1):
        if buf[-n:] == HEADER[:n]:
            return n
    return 0
