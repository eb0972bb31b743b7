"""Serial / USB-CDC scanners through a real pseudo-terminal: lines, UTF-8, unplug and replug."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.scanner.base import ScanEvent, ScannerStatus
from drivers.scanner.lines import LineSplitter
from drivers.scanner.serial_reader import SerialScanner
from drivers.sim.serial_scanner import SimSerialScanner
from kiosk.core.codes import Reason, classify_and_verify, inspection_context
from kiosk.core.timeutil import utc_now

pytestmark = pytest.mark.timeout(60)


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


class Rig:
    """A simulated scanner on a pty and the real reader on its worker thread."""

    def __init__(self, tmp: Path, *, plugged: bool = True) -> None:
        self.path = tmp / "ttyACM-scanner"
        self.sim = SimSerialScanner(self.path)
        if not plugged:
            self.sim.unplug()
        self.scans: list[ScanEvent] = []
        self.statuses: list[ScannerStatus] = []
        self.reader = SerialScanner(
            str(self.path),
            on_scan=self.scans.append,
            on_status=self.statuses.append,
            baudrate=115200,
            reconnect_s=0.05,
            max_line=64,
        )

    def raws(self) -> list[bytes]:
        return [s.raw for s in self.scans]


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    r = Rig(tmp_path)
    r.reader.start()
    assert wait_for(lambda: r.reader.status.ok)
    yield r
    r.reader.stop()
    r.sim.close()


def test_cr_terminated_payloads_including_chinese(rig: Rig) -> None:
    rig.sim.scan("CME-NUM1:A17")
    rig.sim.scan("张伟 内蒙古自治区人民医院")
    assert wait_for(lambda: len(rig.scans) == 2)
    assert rig.raws() == [b"CME-NUM1:A17", "张伟 内蒙古自治区人民医院".encode()]
    assert rig.scans[1].text == "张伟 内蒙古自治区人民医院"
    assert rig.scans[0].source == f"serial:{rig.path}"


def test_partial_writes_several_lines_crlf_and_blank_lines(rig: Rig) -> None:
    rig.sim.send(b"CME-NU")
    time.sleep(0.15)  # the reader sees half a line first
    rig.sim.send(b"M1:A1\r\n\r\nCME-NUM1:A2\nCME-NUM1:A3\r")
    assert wait_for(lambda: len(rig.scans) == 3)
    assert rig.raws() == [b"CME-NUM1:A1", b"CME-NUM1:A2", b"CME-NUM1:A3"]


def test_overlong_line_is_cut_and_the_next_line_is_intact(rig: Rig) -> None:
    rig.sim.scan("X" * 500)
    rig.sim.scan("CME-NUM1:A4")
    assert wait_for(lambda: len(rig.scans) == 2)
    assert rig.raws() == [b"X" * 65, b"CME-NUM1:A4"]


def test_binary_and_control_bytes_reach_the_verifier_as_such(rig: Rig) -> None:
    rig.sim.scan(b"\xff\xfe\x00garbage")
    rig.sim.scan(b"CME-NUM1:A1\x1b[2J")
    assert wait_for(lambda: len(rig.scans) == 2)
    look = inspection_context(clock=utc_now)
    reasons = [classify_and_verify(s.raw, context=look).reason for s in rig.scans]
    assert reasons == [Reason.BINARY, Reason.CONTROL_CHARACTERS]


def test_unplug_and_replug_reconnects_to_the_same_path(rig: Rig) -> None:
    rig.sim.scan("CME-NUM1:A1")
    assert wait_for(lambda: len(rig.scans) == 1)
    rig.sim.unplug()
    assert wait_for(lambda: not rig.reader.status.ok)
    assert "disconnected" in rig.statuses[1].detail or "not connected" in rig.statuses[1].detail
    time.sleep(0.2)  # a few failed reconnect attempts while it is away
    rig.sim.plug()
    assert wait_for(lambda: rig.reader.status.ok)
    rig.sim.scan("CME-NUM1:A2")
    assert wait_for(lambda: len(rig.scans) == 2)
    assert rig.raws() == [b"CME-NUM1:A1", b"CME-NUM1:A2"]
    # Status changes are reported once each, not once per retry.
    oks = [s.ok for s in rig.statuses]
    assert oks[0] is True and oks[-1] is True and len(oks) <= 4


def test_scanner_plugged_in_after_start(tmp_path: Path) -> None:
    r = Rig(tmp_path, plugged=False)
    r.reader.start()
    try:
        assert wait_for(lambda: "not connected" in r.reader.status.detail)
        r.sim.plug()
        assert wait_for(lambda: r.reader.status.ok)
        r.sim.scan("CME-NUM1:A9")
        assert wait_for(lambda: r.raws() == [b"CME-NUM1:A9"])
    finally:
        r.reader.stop()
        r.sim.close()


def test_a_failing_consumer_does_not_stop_the_reader(tmp_path: Path) -> None:
    seen: list[bytes] = []

    def consumer(event: ScanEvent) -> None:
        seen.append(event.raw)
        raise RuntimeError("bug in the desk")

    sim = SimSerialScanner(tmp_path / "tty")
    reader = SerialScanner(str(tmp_path / "tty"), on_scan=consumer, reconnect_s=0.05)
    reader.start()
    try:
        assert wait_for(lambda: reader.status.ok)
        sim.scan("one")
        sim.scan("two")
        assert wait_for(lambda: seen == [b"one", b"two"])
    finally:
        reader.stop()
        sim.close()


def test_missing_pyserial_disables_the_scanner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "serial", None)
    reader = SerialScanner("/dev/ttyACM0", on_scan=lambda e: None)
    reader.start()
    assert wait_for(lambda: "pyserial not installed" in reader.status.detail)
    reader.stop()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.binary(min_size=1, max_size=80).filter(lambda b: b"\r" not in b and b"\n" not in b)
    ),
    st.sampled_from([b"\r", b"\n", b"\r\n"]),
    st.lists(st.integers(min_value=1, max_value=30), min_size=1),
)
def test_line_splitting_does_not_depend_on_how_bytes_arrive(
    lines: list[bytes], terminator: bytes, cuts: list[int]
) -> None:
    stream = b"".join(line + terminator for line in lines)
    expected = [line if len(line) <= 64 else line[:65] for line in lines]
    splitter = LineSplitter(max_line=64)
    got: list[bytes] = []
    pos, i = 0, 0
    while pos < len(stream):
        size = cuts[i % len(cuts)]
        got += splitter.feed(stream[pos : pos + size])
        pos += size
        i += 1
    assert got == expected and splitter.pending == 0
