"""USB HID-POS scanners (usage page 0x8C, Bar Code Scanner): report parsing, pure functions.

In HID-POS mode a scanner sends each payload as "Scanned Data" input reports, not as key
presses: the bytes arrive intact (UTF-8 included) with no keyboard layout or input method in
between. Layout of the scanned-data report as Linux hidraw delivers it (report ID first), the one
Honeywell, Zebra, Datalogic and Newland firmware use in HID-POS mode:

    byte 0        report ID (2)
    byte 1        n: payload bytes in this report
    bytes 2–4     AIM symbology identifier (``]Q1`` QR Code, ``]C0`` Code 128; zeros if none)
    bytes 5…      payload (n bytes, at most the report's room: 56 in a 64-byte report)
    last byte     bit 0 set: the payload continues in the next report

A payload longer than one report spans several; the last has bit 0 clear. A QR Code identifier
with modifier 2, 4 or 6 (`]Q2`) says the payload follows the ECI protocol (`\\NNNNNN` names a
character set, `\\\\` is a backslash): the text then comes from those ECIs (`scan_payload`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from kiosk.core.charset import (
    Charset,
    Payload,
    decode_eci_blocks,
    decode_payload,
    parse_eci_protocol,
)

USAGE_PAGE_POS_BARCODE = 0x8C  # HID Point of Sale Usage Tables: Bar Code Scanner page
SCANNED_DATA_REPORT_ID = 2
HEADER = 5  # report ID, length, three bytes of AIM identifier
TRAILER = 3  # vendor symbology code, reserved, continuation flags
DEFAULT_REPORT_SIZE = 64  # the scanned-data report's size when the descriptor cannot be read
# QR Code identifiers whose modifier says "ECI protocol implemented" (ISO/IEC 18004, annex F).
ECI_PROTOCOL_AIMS = frozenset({"]Q2", "]Q4", "]Q6"})


class BadReport(ValueError):
    """A report that cannot be a scanned-data report (too short, length beyond its room)."""


@dataclass(frozen=True, slots=True)
class ScannedChunk:
    """One scanned-data report's share of a payload."""

    data: bytes
    aim: str  # "]Q1", or "" when the scanner sent none
    more: bool  # the payload continues in the next report


@dataclass(frozen=True, slots=True)
class HidPosScan:
    """One complete payload with its AIM symbology identifier."""

    raw: bytes
    aim: str
    truncated: bool = False  # longer than the assembler's limit: cut (the verifier refuses it)


def scan_payload(scan: HidPosScan, *, charset: Charset = "auto") -> Payload:
    """A scan's bytes and text: by its ECIs when the identifier says so, else read in `charset`."""
    if scan.aim in ECI_PROTOCOL_AIMS and not scan.truncated:
        blocks = parse_eci_protocol(scan.raw)
        if blocks is not None:
            return decode_eci_blocks(blocks)
    return decode_payload(scan.raw, charset=charset)


def parse_report(report: bytes) -> ScannedChunk | None:
    """The chunk in a scanned-data report; None for other report IDs; BadReport if malformed."""
    if not report or report[0] != SCANNED_DATA_REPORT_ID:
        return None
    if len(report) < HEADER + TRAILER:
        raise BadReport(f"scanned-data report of {len(report)} bytes is too short")
    length = report[1]
    room = len(report) - HEADER - TRAILER
    if length > room:
        raise BadReport(f"length {length} beyond the report's room of {room} bytes")
    aim_bytes = report[2:5]
    aim = aim_bytes.decode("ascii") if aim_bytes[:1] == b"]" and aim_bytes.isascii() else ""
    return ScannedChunk(bytes(report[HEADER : HEADER + length]), aim, bool(report[-1] & 0x01))


@dataclass(slots=True)
class HidPosAssembler:
    """Joins chunks into payloads; a half payload is dropped if the rest does not come in time.

    Time is passed in (seconds, any monotonic clock), so recorded captures replay exactly.
    """

    max_payload: int = 1024
    gap_s: float = 0.5  # a continuation later than this belongs to no payload (replug, glitch)
    _buf: bytearray = field(default_factory=bytearray)
    _aim: str = ""
    _last: float | None = None
    _overflow: bool = False
    dropped: int = 0  # partial payloads thrown away

    def feed(self, chunk: ScannedChunk, at: float) -> HidPosScan | None:
        """Add one chunk; the payload it completes, if any."""
        if self._buf and self._last is not None and at - self._last > self.gap_s:
            self.reset()  # the scanner never finished the last payload: do not glue it on
        if not self._buf:
            self._aim = chunk.aim
        self._last = at
        room = self.max_payload + 1 - len(self._buf)
        if len(chunk.data) > room:
            self._overflow = True
        self._buf += chunk.data[: max(room, 0)]
        if chunk.more:
            return None
        scan = HidPosScan(bytes(self._buf), self._aim, truncated=self._overflow)
        self._buf.clear()
        self._overflow = False
        self._last = None
        return scan if scan.raw else None

    def reset(self) -> None:
        """Forget a partial payload (the device went away, or it timed out)."""
        if self._buf:
            self.dropped += 1
        self._buf.clear()
        self._overflow = False
        self._last = None


class ReportFramer:
    """Cuts a byte stream into reports by their ID's size (hidraw gives one report per read).

    Report sizes come from the device's report descriptor. A byte that starts no known report is
    skipped (counted in `skipped`), so a stream that lost bytes finds its way back.
    """

    def __init__(self, sizes: dict[int, int]) -> None:
        if not sizes:
            raise ValueError("no input report sizes")
        self.sizes = dict(sizes)
        self._buf = bytearray()
        self.skipped = 0

    def feed(self, data: bytes) -> list[bytes]:
        """The complete reports this data finishes."""
        self._buf += data
        out: list[bytes] = []
        while self._buf:
            size = self.sizes.get(self._buf[0])
            if size is None:
                del self._buf[0]
                self.skipped += 1
                continue
            if len(self._buf) < size:
                break
            out.append(bytes(self._buf[:size]))
            del self._buf[:size]
        return out

    def reset(self) -> None:
        """Drop a partial report."""
        self._buf.clear()


@dataclass(frozen=True, slots=True)
class DescriptorInfo:
    """What a HID report descriptor says: a barcode-scanner collection, input report sizes."""

    hidpos: bool
    input_sizes: dict[int, int]  # report ID → bytes hidraw delivers (ID byte included)
    usage_pages: frozenset[int]  # pages of the top-level collections, for the status line


_GLOBAL_FIELDS = {0x0: "page", 0x7: "size", 0x8: "report_id", 0x9: "count"}


@dataclass(slots=True)
class _Globals:
    """The descriptor's global item state (Push/Pop save and restore a copy)."""

    page: int = 0
    size: int = 0
    report_id: int = 0
    count: int = 0


def _items(desc: bytes) -> Iterator[tuple[int, int, int, int]]:
    """(type, tag, value, data size) of each short item; long items are skipped."""
    i = 0
    while i < len(desc):
        prefix = desc[i]
        if prefix == 0xFE:  # long item: its size byte, tag byte, then data
            i += 3 + (desc[i + 1] if i + 1 < len(desc) else 0)
            continue
        n = (0, 1, 2, 4)[prefix & 0x03]
        yield (
            (prefix >> 2) & 0x03,
            prefix >> 4,
            int.from_bytes(desc[i + 1 : i + 1 + n], "little"),
            n,
        )
        i += 1 + n


def parse_descriptor(desc: bytes) -> DescriptorInfo:
    """Walk a HID report descriptor: its top-level collections' pages, input report sizes."""
    g = _Globals()
    stack: list[_Globals] = []
    usage_page: int | None = None  # the page of the last Usage, when it named one (32-bit)
    bits: dict[int, int] = {}
    pages: set[int] = set()
    depth = 0
    for kind, tag, value, n in _items(desc):
        if kind == 1 and tag in _GLOBAL_FIELDS:
            setattr(g, _GLOBAL_FIELDS[tag], value)
        elif kind == 1 and tag == 0xA:  # Push
            stack.append(_Globals(g.page, g.size, g.report_id, g.count))
        elif kind == 1 and tag == 0xB and stack:  # Pop
            g = stack.pop()
        elif kind == 2 and tag == 0x0:  # Usage
            usage_page = value >> 16 if n == 4 else None
        elif kind == 0:
            if tag == 0xA:  # Collection: its page is the Usage's own, else the global one
                if depth == 0:
                    pages.add(g.page if usage_page is None else usage_page)
                depth += 1
            elif tag == 0xC:  # End Collection
                depth = max(0, depth - 1)
            elif tag == 0x8:  # Input
                bits[g.report_id] = bits.get(g.report_id, 0) + g.size * g.count
            usage_page = None
    # hidraw puts the report ID byte in front of numbered reports.
    sizes = {rid: (b + 7) // 8 + (1 if rid else 0) for rid, b in bits.items()}
    return DescriptorInfo(USAGE_PAGE_POS_BARCODE in pages, sizes, frozenset(pages))
