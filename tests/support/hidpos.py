"""HID-POS test material: report descriptors, a report encoder, and the recorded capture's reader."""

from __future__ import annotations

from pathlib import Path

# A HID-POS scanner's descriptor: the Bar Code Scanner collection with the 64-byte scanned-data
# report (ID 2: length, AIM id, 56 data bytes, vendor code, reserved, flags) and a 2-byte status
# report (ID 4) that is not a scan.
HIDPOS_DESCRIPTOR = bytes.fromhex(
    "058C 0902 A101"  # Usage Page (Bar Code Scanner), Usage (Bar Code Scanner), Collection (App)
    " 8502 0912 A102"  # Report ID 2, Usage (Scanned Data Report), Collection (Logical)
    " 1500 26FF00 7508"  # Logical 0..255, Report Size 8
    " 9501 8102 9503 8102 9538 82020195 03 8102"  # length, AIM (3), data (56, buffered), trailer
    " C0"
    " 8504 9502 8102"  # Report ID 4: two status bytes
    " C0".replace(" ", "")
)
# A keyboard-mode scanner's hidraw node: Generic Desktop / Keyboard, 8-byte boot reports.
KEYBOARD_DESCRIPTOR = bytes.fromhex(
    "0501 0906 A101 0507 19E0 29E7 1500 2501 7501 9508 8102 9501 7508 8101"
    " 9506 7508 1500 2565 0507 1900 2965 8100 C0".replace(" ", "")
)

CAPTURE = Path(__file__).resolve().parents[1] / "runtime" / "data" / "hidpos_capture.txt"


def encode(payload: bytes, *, aim: bytes = b"]Q1", size: int = 64) -> list[bytes]:
    """The scanned-data reports a HID-POS scanner sends for one payload."""
    room = size - 8
    chunks = [payload[i : i + room] for i in range(0, len(payload), room)] or [b""]
    out = []
    for k, chunk in enumerate(chunks):
        more = 1 if k < len(chunks) - 1 else 0
        out.append(bytes([2, len(chunk)]) + aim + chunk.ljust(room, b"\0") + bytes([0x73, 0, more]))
    return out


def read_capture(path: Path = CAPTURE) -> list[tuple[float, bytes]]:
    """(seconds, report) pairs of a capture file: one `<ms> <hex>` line per report."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            ms, hexdata = line.split(maxsplit=1)
            rows.append((int(ms) / 1000.0, bytes.fromhex(hexdata)))
    return rows
