"""HID-POS scanners: report parsing, a recorded capture replayed through a pty, unplug, the desk."""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.scanner.base import ScanEvent, ScannerStatus
from drivers.scanner.hidpos import (
    BadReport,
    HidPosAssembler,
    HidPosScan,
    ReportFramer,
    parse_descriptor,
    parse_report,
    scan_payload,
)
from drivers.scanner.hidpos_reader import HidPosScanner
from drivers.sim.serial_scanner import SimSerialScanner
from kiosk.runtime.scanners import HIDPOS_NAME
from kiosk.services.checkin import Status
from tests.support.charsets import CODES, NAME_CARD, CharsetCode, eci_protocol
from tests.support.desk import DENIED_KEY, DeskRig, wait_for
from tests.support.hidpos import (
    HIDPOS_DESCRIPTOR,
    KEYBOARD_DESCRIPTOR,
    encode,
    read_capture,
)

pytestmark = pytest.mark.timeout(60)

CHINESE = "张伟 内蒙古自治区人民医院 重症医学科 护理 急危重症护理新进展 2026"
EXPECTED = [b"CME-NUM1:A1", CHINESE.encode(), b"CME-NUM1:" + b"X" * 141, b"CME-NUM1:A2"]


def replay(reports: list[tuple[float, bytes]]) -> list[bytes]:
    """The pure path the reader runs: framer → parser → assembler, at the recorded times."""
    framer = ReportFramer(parse_descriptor(HIDPOS_DESCRIPTOR).input_sizes)
    assembler = HidPosAssembler()
    out = []
    for at, data in reports:
        for report in framer.feed(data):
            chunk = parse_report(report)
            scan = assembler.feed(chunk, at) if chunk is not None else None
            if scan is not None:
                out.append(scan.raw)
    return out


def test_descriptor_of_a_hidpos_scanner_and_of_a_keyboard() -> None:
    info = parse_descriptor(HIDPOS_DESCRIPTOR)
    assert info.hidpos and info.input_sizes == {2: 64, 4: 3}
    keyboard = parse_descriptor(KEYBOARD_DESCRIPTOR)
    assert not keyboard.hidpos and keyboard.usage_pages == {0x01}
    assert keyboard.input_sizes == {0: 8}


def test_recorded_capture_replays_to_its_payloads() -> None:
    capture = read_capture()
    # The Chinese payload is cut mid-character between its two reports: bytes, not text, join.
    second = parse_report(capture[1][1])
    assert second is not None and second.more and second.aim == "]Q1"
    with pytest.raises(UnicodeDecodeError):
        second.data.decode("utf-8")
    assert replay(capture) == EXPECTED


def test_reports_that_cannot_be_scans() -> None:
    assert parse_report(bytes([4, 1, 0])) is None  # another report ID
    with pytest.raises(BadReport, match="beyond the report's room"):
        parse_report(bytes([2, 57]) + b"]Q1" + bytes(59))
    with pytest.raises(BadReport, match="too short"):
        parse_report(bytes([2, 1, 0x41]))
    chunk = parse_report(bytes([2, 1, 0, 0, 0, 0x41, 0, 0, 0]))
    assert chunk is not None and (chunk.data, chunk.aim, chunk.more) == (b"A", "", False)


def test_a_payload_left_unfinished_is_dropped_not_glued_to_the_next() -> None:
    assembler = HidPosAssembler(gap_s=0.5)
    first, _ = encode(b"CME-NUM1:" + b"Y" * 60)
    start = parse_report(first)
    assert start is not None and assembler.feed(start, 0.0) is None
    [whole] = encode(b"CME-NUM1:A3")
    done = parse_report(whole)
    assert done is not None
    assert assembler.feed(done, 2.0) is not None
    assert assembler.dropped == 1


def test_oversized_payload_is_cut_and_flagged() -> None:
    assembler = HidPosAssembler(max_payload=100)
    scans = [
        assembler.feed(c, 0.0)
        for c in (parse_report(r) for r in encode(b"Z" * 300))
        if c is not None
    ]
    [scan] = [s for s in scans if s is not None]
    assert scan.truncated and len(scan.raw) == 101  # the verifier refuses it as oversized


@settings(max_examples=60, deadline=None)
@given(
    payloads=st.lists(st.binary(min_size=1, max_size=300), min_size=1, max_size=4),
    cuts=st.lists(st.integers(min_value=1, max_value=97), min_size=1, max_size=20),
)
def test_any_split_of_the_byte_stream_gives_the_same_payloads(
    payloads: list[bytes], cuts: list[int]
) -> None:
    stream = b"".join(r for p in payloads for r in encode(p))
    pieces, i, k = [], 0, 0
    while i < len(stream):
        step = cuts[k % len(cuts)]
        pieces.append((0.0, stream[i : i + step]))
        i, k = i + step, k + 1
    # A payload of NUL bytes only is padding-like but still a payload: nothing is dropped.
    assert replay(pieces) == payloads


class Reader:
    """The real HidPosScanner on a pty link, its scans and statuses."""

    def __init__(self, path: Path, descriptor: bytes | None = None) -> None:
        self.scans: list[ScanEvent] = []
        self.statuses: list[ScannerStatus] = []
        self.scanner = HidPosScanner(
            str(path),
            on_scan=self.scans.append,
            on_status=self.statuses.append,
            reconnect_s=0.05,
            descriptor=lambda _path: descriptor,
        )


@pytest.fixture
def pty(tmp_path: Path) -> Iterator[SimSerialScanner]:
    """A raw pty behind a stable link: the bytes written are what the reader reads."""
    with SimSerialScanner(tmp_path / "hidraw-scanner") as sim:
        yield sim


def test_capture_through_a_pty_with_unplug_and_replug(pty: SimSerialScanner) -> None:
    reader = Reader(pty.path, HIDPOS_DESCRIPTOR)
    reader.scanner.start()
    try:
        assert wait_for(lambda: reader.scanner.status.ok)
        for _, report in read_capture():
            for i in range(0, len(report), 13):  # the pty hands them over in odd pieces
                pty.send(report[i : i + 13])
        assert wait_for(lambda: len(reader.scans) == len(EXPECTED))
        assert [s.raw for s in reader.scans] == EXPECTED
        assert reader.scans[0].source == f"hidpos:{pty.path}"
        # Unplugged half-way through a two-report payload: that half is never a scan.
        first, _ = encode(CHINESE.encode())
        pty.send(first)
        time.sleep(0.2)
        pty.unplug()
        assert wait_for(lambda: not reader.scanner.status.ok)
        assert "device lost" in reader.scanner.status.detail or "cannot open" in (
            reader.scanner.status.detail
        )
        pty.plug()
        assert wait_for(lambda: reader.scanner.status.ok)
        for report in encode(b"CME-NUM1:A3"):
            pty.send(report)
        assert wait_for(lambda: len(reader.scans) == len(EXPECTED) + 1)
        assert reader.scans[-1].raw == b"CME-NUM1:A3"
    finally:
        reader.scanner.stop()


def test_a_keyboard_mode_node_is_reported_not_read(pty: SimSerialScanner) -> None:
    reader = Reader(pty.path, KEYBOARD_DESCRIPTOR)
    reader.scanner.start()
    try:
        assert wait_for(lambda: "not a HID-POS scanner" in reader.scanner.status.detail)
        assert reader.scanner.status.detail == (
            "not a HID-POS scanner (usage pages 0x01): set the scanner to HID-POS mode"
        )
    finally:
        reader.scanner.stop()


def test_hidpos_ticket_to_a_check_in_at_the_desk(rig: DeskRig, pty: SimSerialScanner) -> None:
    rig.runtime({"scanner": {"hidpos_device": str(pty.path), "reconnect_s": 0.05}})
    assert wait_for(lambda: any(d.name == HIDPOS_NAME and d.ok for d in rig.devices))
    for report in encode(rig.ticket("A1").encode()):  # a ticket spans four reports
        pty.send(report)
    out = rig.outcomes.wait()
    assert out.status is Status.ACCEPTED and out.attendee is not None
    assert out.attendee.id == "A1" and len(rig.store.records.events()) == 1


# ---- character sets ------------------------------------------------------------------------------


def assembled(reports: list[bytes]) -> HidPosScan:
    assembler = HidPosAssembler()
    scans = [assembler.feed(c, 0.0) for c in map(parse_report, reports) if c is not None]
    [scan] = [s for s in scans if s is not None]
    return scan


@pytest.mark.parametrize("code", CODES, ids=lambda c: c.name)
def test_scanned_bytes_read_like_the_camera(code: CharsetCode) -> None:
    # ]Q1: the symbol's bytes, no ECI (a Big5 code is then guessed, as zbar reads it).
    plain = scan_payload(assembled(encode(code.raw)))
    assert (plain.raw, plain.text) == (code.raw, code.zbar_text or code.text)
    # ]Q2: the scanner transmits the ECI protocol, and the ECI wins.
    labelled = scan_payload(assembled(encode(eci_protocol(code), aim=b"]Q2")))
    assert (labelled.raw, labelled.text) == (code.raw, code.text)
    assert labelled.eci == (code.eci is not None)


def test_a_scanner_set_to_gb18030_or_utf8() -> None:
    scan = assembled(encode(NAME_CARD.encode("gbk")))
    assert scan_payload(scan, charset="gb18030").text == NAME_CARD
    assert scan_payload(scan, charset="utf-8").binary
    assert scan_payload(scan).text == NAME_CARD  # auto


def test_charset_codes_through_a_pty(pty: SimSerialScanner) -> None:
    reader = Reader(pty.path, HIDPOS_DESCRIPTOR)
    reader.scanner.start()
    try:
        assert wait_for(lambda: reader.scanner.status.ok)
        for code in CODES:
            aim, data = (b"]Q2", eci_protocol(code)) if code.eci else (b"]Q1", code.raw)
            for report in encode(data, aim=aim):
                pty.send(report)
        assert wait_for(lambda: len(reader.scans) == len(CODES))
        assert [(s.text, s.raw) for s in reader.scans] == [(c.text, c.raw) for c in CODES]
    finally:
        reader.scanner.stop()


@pytest.mark.parametrize(("charset", "reason"), [("gbk", "unknown_prefix"), ("utf-8", "binary")])
def test_the_desk_reads_a_gbk_badge_in_the_configured_charset(
    rig: DeskRig, pty: SimSerialScanner, charset: str, reason: str
) -> None:
    config = {"hidpos_device": str(pty.path), "reconnect_s": 0.05, "charset": charset}
    rig.runtime({"scanner": config})
    assert wait_for(lambda: any(d.name == HIDPOS_NAME and d.ok for d in rig.devices))
    for report in encode(NAME_CARD.encode("gbk")):
        pty.send(report)
    out = rig.outcomes.wait()
    assert out.status is Status.REFUSED and out.reason == reason
    [row] = rig.store.records.denied()
    text = NAME_CARD if charset == "gbk" else "hex:" + NAME_CARD.encode("gbk").hex()
    assert row["credential_hmac"] == hmac.new(DENIED_KEY, text.encode(), "sha256").hexdigest()
