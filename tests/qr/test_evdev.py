"""The evdev scanner path: recorded input events replayed through the real decoding code.

CI has no /dev/uinput, so no real input device can be made; the recording goes through the same
EvdevKeyDecoder the worker uses, and the worker itself reads real evdev.InputEvent objects from a
stand-in device whose file descriptor is a pipe (so select() behaves as with /dev/input/event*).
"""

from __future__ import annotations

import errno
import os
import re
import threading
import time
from pathlib import Path

import evdev
import pytest
from evdev import ecodes
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.scanner import keymap
from drivers.scanner.base import ScanEvent, ScannerStatus
from drivers.scanner.burst import BurstConfig
from drivers.scanner.evdev_reader import EvdevKeyDecoder, EvdevScanner

RECORDING = Path(__file__).parent / "data" / "scanner_evtest.txt"
_LINE = re.compile(r"Event: time (\d+)\.(\d{6}), type 1 \(EV_KEY\), code (\d+) \(\w+\), value (\d)")


def recorded() -> list[tuple[int, int, int, int]]:
    """(sec, usec, code, value) of every key event in the evtest recording."""
    out = []
    for line in RECORDING.read_text().splitlines():
        m = _LINE.match(line)
        if m:
            sec, usec, code, value = (int(g) for g in m.groups())
            out.append((sec, usec, code, value))
    return out


def runs(events: list[tuple[int, int, int, int]]) -> list[list[tuple[float, int, int]]]:
    """The events as (time, code, value), split where the recording pauses for over 0.1 s."""
    out: list[list[tuple[float, int, int]]] = []
    for sec, usec, code, value in events:
        at = sec + usec / 1e6
        if not out or at - out[-1][-1][0] > 0.1:
            out.append([])
        out[-1].append((at, code, value))
    return out


def replay(decoder: EvdevKeyDecoder, events: list[tuple[int, int, int, int]]) -> list[str]:
    scans: list[str] = []
    for sec, usec, code, value in events:
        at = sec + usec / 1e6
        deadline = decoder.deadline_s()
        if deadline is not None and deadline <= at:
            scans += decoder.tick(deadline)
        scans += decoder.feed(code, value, at)
    return scans


def test_keymap_agrees_with_the_kernel_codes() -> None:
    for letter in "abcdefghijklmnopqrstuvwxyz":
        code = ecodes.ecodes[f"KEY_{letter.upper()}"]
        assert keymap.char_for(code, shift=False) == letter
        assert keymap.char_for(code, shift=True) == letter.upper()
        assert keymap.char_for(code, shift=False, caps=True) == letter.upper()
    for digit in "0123456789":
        assert keymap.char_for(ecodes.ecodes[f"KEY_{digit}"], shift=False) == digit
        assert keymap.char_for(ecodes.ecodes[f"KEY_KP{digit}"], shift=False) == digit
    assert keymap.char_for(ecodes.KEY_SEMICOLON, shift=True) == ":"
    assert keymap.char_for(ecodes.KEY_MINUS, shift=False, caps=True) == "-"
    assert (keymap.KEY_ENTER, keymap.KEY_KPENTER, keymap.KEY_TAB) == (
        ecodes.KEY_ENTER, ecodes.KEY_KPENTER, ecodes.KEY_TAB,
    )  # fmt: skip
    assert keymap.char_for(ecodes.KEY_F1, shift=False) is None
    with pytest.raises(ValueError, match="cannot type"):
        keymap.codes_for("张")


def test_recorded_scans_come_out_and_typing_on_the_scanner_is_dropped() -> None:
    decoder = EvdevKeyDecoder()
    assert replay(decoder, recorded()) == ["CME-NUM1:A17", "CME-NUM1:A2"]
    assert decoder.ignored == 2  # the slow "ok"


def test_autorepeat_and_unknown_keys_end_a_burst_as_typing() -> None:
    decoder = EvdevKeyDecoder(BurstConfig(min_length=3))
    t = 100.0
    events = [(ecodes.KEY_A, 1), (ecodes.KEY_A, 2), (ecodes.KEY_A, 2), (ecodes.KEY_B, 1)]
    events += [(ecodes.KEY_C, 1), (ecodes.KEY_F5, 1), (ecodes.KEY_D, 1), (ecodes.KEY_ENTER, 1)]
    scans = []
    for code, value in events:
        t += 0.002
        scans += decoder.feed(code, value, t)
    assert scans == [] and decoder.ignored == 4


def test_ctrl_and_numlock_do_not_break_a_scan() -> None:
    decoder = EvdevKeyDecoder()
    t = 5.0
    scans = []
    for code, value in [(ecodes.KEY_NUMLOCK, 1), (ecodes.KEY_NUMLOCK, 0)]:
        scans += decoder.feed(code, value, t)
    for ch in "123456":
        t += 0.003
        scans += decoder.feed(ecodes.ecodes[f"KEY_KP{ch}"], 1, t)
        scans += decoder.feed(ecodes.ecodes[f"KEY_KP{ch}"], 0, t + 0.001)
    scans += decoder.feed(ecodes.KEY_KPENTER, 1, t + 0.004)
    assert scans == ["123456"]


class PipeInputDevice:
    """Stands in for evdev.InputDevice: real InputEvent objects, a pipe as its file descriptor."""

    def __init__(self) -> None:
        self._r, self._w = os.pipe()
        self.fd = self._r
        self._queue: list[evdev.InputEvent] = []
        self._lock = threading.Lock()
        self.grabbed = False
        self.closed = False
        self.unplugged = False

    def push_many(self, events: list[tuple[float, int, int]]) -> None:
        with self._lock:
            for at, code, value in events:
                sec, usec = int(at), int((at % 1) * 1e6)
                self._queue.append(evdev.InputEvent(sec, usec, ecodes.EV_KEY, code, value))
        os.write(self._w, b"x")

    def unplug(self) -> None:
        self.unplugged = True
        os.write(self._w, b"x")

    def read(self) -> list[evdev.InputEvent]:
        os.read(self._r, 4096)
        if self.unplugged:
            raise OSError(errno.ENODEV, "No such device")
        with self._lock:
            out, self._queue = self._queue, []
        return out

    def grab(self) -> None:
        self.grabbed = True

    def ungrab(self) -> None:
        if self.unplugged:
            raise OSError(errno.ENODEV, "No such device")
        self.grabbed = False

    def close(self) -> None:
        self.closed = True
        os.close(self._r)
        os.close(self._w)


def wait_for(condition, timeout: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.timeout(30)
def test_worker_grabs_reads_recording_and_reconnects_after_unplug() -> None:
    devices: list[PipeInputDevice] = []
    present = threading.Event()
    present.set()

    def opener(path: str) -> PipeInputDevice:
        if not present.is_set():
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        devices.append(PipeInputDevice())
        return devices[-1]

    scans: list[ScanEvent] = []
    statuses: list[ScannerStatus] = []
    scanner = EvdevScanner(
        "/dev/input/event7", on_scan=scans.append, on_status=statuses.append,
        reconnect_s=0.05, opener=opener,
    )  # fmt: skip
    scanner.start()
    try:
        assert wait_for(lambda: devices and devices[0].grabbed)
        # Replay on today's clock (the worker's timer ticks on the events' clock): each run of
        # keys closer than 0.1 s is handed over at once, as the kernel queues a fast burst, and
        # the pauses between runs are 0.3 s, far beyond the inter-key limit.
        for run in runs(recorded()):
            end = run[-1][0]
            now = time.time()
            devices[0].push_many([(now - (end - at), code, value) for at, code, value in run])
            time.sleep(0.3)
        assert wait_for(lambda: len(scans) == 2)
        assert [s.text for s in scans] == ["CME-NUM1:A17", "CME-NUM1:A2"]
        assert scans[0].source == "evdev:/dev/input/event7"

        present.clear()
        devices[0].unplug()
        assert wait_for(lambda: not scanner.status.ok)
        assert devices[0].closed and "device lost" in scanner.status.detail
        present.set()
        assert wait_for(lambda: len(devices) == 2 and devices[1].grabbed)
        assert scanner.status.ok
        burst: list[tuple[float, int, int]] = []
        t = time.time()
        for code, shift_on in keymap.codes_for("CME-NUM1:A3"):
            keys = [(ecodes.KEY_LEFTSHIFT, 1), (code, 1), (code, 0), (ecodes.KEY_LEFTSHIFT, 0)]
            for key, value in keys if shift_on else keys[1:3]:
                t += 0.001
                burst.append((t, key, value))
        devices[1].push_many([*burst, (t + 0.001, ecodes.KEY_ENTER, 1)])
        assert wait_for(lambda: len(scans) == 3)
        assert scans[2].text == "CME-NUM1:A3"
    finally:
        scanner.stop()
    assert devices[-1].closed
    assert [s.ok for s in statuses][:2] == [True, False]


def test_missing_evdev_library_disables_the_reader() -> None:
    def opener(path: str) -> PipeInputDevice:
        raise ImportError("No module named 'evdev'")

    scanner = EvdevScanner("/dev/input/event0", on_scan=lambda e: None, opener=opener)
    scanner.start()
    assert wait_for(lambda: "not installed" in scanner.status.detail)
    scanner.stop()
    assert not scanner.status.ok


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=0x2FF),
            st.integers(min_value=-1, max_value=3),
            st.floats(min_value=0, max_value=0.2, allow_nan=False),
        ),
        max_size=80,
    )
)
def test_any_event_sequence_is_handled(events: list[tuple[int, int, float]]) -> None:
    decoder = EvdevKeyDecoder()
    t = 1000.0
    for code, value, gap in events:
        t += gap
        for scan in decoder.feed(code, value, t):
            assert scan and scan.isprintable()
    decoder.tick(t + 1)
    assert decoder.deadline_s() is None
