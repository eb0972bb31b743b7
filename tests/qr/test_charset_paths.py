"""Codes from other systems on every path: both backends, camera video, `qr decode`, serial.

The same codes (tests/support/charsets.py) go through each path; each must read the text its
maker wrote. zbar's documented differences: it hands over its UTF-8 for an ECI it knows
(Shift_JIS), and it drops an ECI it does not know (Big5), whose bytes are then guessed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp

from drivers.qr.decode import FrameDecoder
from drivers.qr.detection import QrScanned
from drivers.qr.worker import QrFrameWorker
from drivers.scanner.base import ScanEvent
from drivers.scanner.serial_reader import SerialScanner
from drivers.sim.serial_scanner import SimSerialScanner
from kiosk.core.charset import Charset
from tests.support.charsets import BY_NAME, CODES, NAME_CARD, CharsetCode, expected
from tests.support.cli import run_cli
from tests.support.qr import background, bgr, place, symbols_frame

BACKENDS = ["zxing", "zbar"]


@pytest.fixture(scope="module")
def decoders() -> dict[str, FrameDecoder]:
    return {name: FrameDecoder.open(name) for name in BACKENDS}


def test_the_codes_carry_an_eci_exactly_when_they_say() -> None:
    for code in CODES:
        [read] = zxingcpp.read_barcodes(code.symbol(), text_mode=zxingcpp.TextMode.HexECI)
        tagged = bytes.fromhex(read.text)
        assert tagged.startswith(b"]Q2" if code.eci else b"]Q1"), code.name
        assert bytes(read.bytes) == code.raw, code.name


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("code", CODES, ids=lambda c: c.name)
def test_each_backend_reads_the_text_in_a_camera_frame(
    decoders: dict[str, FrameDecoder], backend: str, code: CharsetCode
) -> None:
    frame = bgr(symbols_frame([code.symbol()], width=960, height=540, size=300, angle=7))
    [found] = decoders[backend].decode(frame)
    assert (found.text, found.raw) == expected(code, backend)
    assert found.format == "QRCode"
    if backend == "zxing":  # zbar does not say whether there was an ECI
        assert found.payload.eci == (code.eci is not None)


def test_zbar_differs_only_where_documented(decoders: dict[str, FrameDecoder]) -> None:
    differ = {}
    for code in CODES:
        frame = code.symbol()
        [zx], [zb] = (decoders[b].decode(frame) for b in BACKENDS)
        if (zx.text, zx.raw) != (zb.text, zb.raw):
            differ[code.name] = (zx.text == zb.text, zx.raw == zb.raw)
    # Shift_JIS with an ECI: same text, zbar's UTF-8 bytes. Big5 with an ECI: zbar reads GB18030.
    assert differ == {"shift_jis_eci": (True, False), "big5_eci": (False, True)}


# ---- camera frames from a video file ------------------------------------------------------------

FPS = 15.0
SHOWN, GAP = 8, 4  # frames each code is held up, frames between codes


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MJPG video in which every code is held up in turn, drifting and tilting a little."""
    path = tmp_path_factory.mktemp("charsets") / "desk.avi"
    width, height = 640, 360
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (width, height))
    assert writer.isOpened()
    symbols = [c.symbol() for c in CODES]
    for i in range((SHOWN + GAP) * len(CODES) + GAP):
        gray = background(width, height, seed=i)
        k, phase = divmod(i - GAP, SHOWN + GAP)
        if i >= GAP and phase < SHOWN:
            place(gray, symbols[k], center=(330 + i % 5, 180 + i % 3), size=230,
                  angle=float(i % 7 - 3))  # fmt: skip
        writer.write(bgr(gray))
    writer.release()
    return path


def frames(path: Path) -> Iterator[np.ndarray]:  # type: ignore[type-arg]
    capture = cv2.VideoCapture(str(path))
    assert capture.isOpened()
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        yield frame
    capture.release()


@pytest.mark.parametrize("backend", BACKENDS)
def test_camera_video_reads_every_code_once_as_written(video: Path, backend: str) -> None:
    # Codes with and without an ECI carry the same bytes: shorter than the gap, or they are one.
    worker = QrFrameWorker(FrameDecoder.open(backend), on_scan=lambda e: None, debounce_s=0.2)
    events: list[QrScanned] = []
    for i, frame in enumerate(frames(video)):
        events += worker.process(frame, at=i / FPS)
    got = [(e.detection.text, e.detection.raw) for e in events]
    assert got == [expected(c, backend) for c in CODES]


# ---- `qr decode` ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each code printed on its own page (a photo of one badge)."""
    folder = tmp_path_factory.mktemp("printed")
    pages = {}
    for code in CODES:
        page = np.full((480, 480), 255, np.uint8)
        symbol = code.symbol(module_px=5)
        y = x = (480 - symbol.shape[0]) // 2
        page[y : y + symbol.shape[0], x : x + symbol.shape[1]] = symbol
        pages[code.name] = folder / f"{code.name}.png"
        assert cv2.imwrite(str(pages[code.name]), page)
    return pages


@pytest.mark.parametrize("backend", BACKENDS)
def test_qr_decode_prints_the_text_as_written(
    printed: dict[str, Path], backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = {}
    for code in CODES:
        status, out, err = run_cli(
            capsys, "qr", "decode", "--backend", backend, str(printed[code.name])
        )
        assert status == 0 and err == ""
        [lines[code.name]] = out.splitlines()
    for code in CODES:
        row = json.loads(lines[code.name])
        assert list(row) == ["text", "format", "box", "verdict", "reason"]
        assert row["text"] == expected(code, backend)[0]
        assert (row["format"], row["verdict"]) == ("QRCode", "rejected")
        # Read as text (not refused as bytes): no format of ours, so an unknown prefix.
        assert row["reason"] == ("binary" if code.name == "binary" else "unknown_prefix")
    # The exact line a field engineer sees: UTF-8 JSON with the text unescaped.
    assert lines["gb18030"].startswith(f'{{"text": "{NAME_CARD}", "format": "QRCode", "box": [[')
    assert lines["gb18030"].endswith('"verdict": "rejected", "reason": "unknown_prefix"}')


# ---- serial scanners -----------------------------------------------------------------------------

# A serial scanner sends the symbol's bytes and ends each with CR; it does not send ECIs.
SERIAL = [c for c in CODES if b"\r" not in c.raw and b"\n" not in c.raw]
NO_TERMINATOR = bytes(b for b in BY_NAME["binary"].raw if b not in b"\r\n")


class Serial:
    """The simulated scanner on a pty and the real reader with a charset setting."""

    def __init__(self, tmp: Path, charset: Charset) -> None:
        self.sim = SimSerialScanner(tmp / f"ttyACM-{charset}")
        self.scans: list[ScanEvent] = []
        self.reader = SerialScanner(
            str(self.sim.path), on_scan=self.scans.append, reconnect_s=0.05, charset=charset
        )
        self.reader.start()

    def send(self, payloads: list[bytes]) -> list[ScanEvent]:
        deadline = time.monotonic() + 5
        while not self.reader.status.ok and time.monotonic() < deadline:
            time.sleep(0.01)
        for raw in payloads:
            self.sim.scan(raw)
        while len(self.scans) < len(payloads) and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.scans

    def close(self) -> None:
        self.reader.stop()
        self.sim.close()


@pytest.fixture
def serial(tmp_path: Path) -> Iterator[Serial]:
    rig = Serial(tmp_path, "auto")
    yield rig
    rig.close()


def test_serial_scanner_bytes_read_like_the_camera(serial: Serial) -> None:
    payloads = [c.raw for c in SERIAL] + [NO_TERMINATOR]
    scans = serial.send(payloads)
    assert [s.raw for s in scans] == payloads
    # Without its ECI a Big5 code is guessed, like zbar's reading of it.
    want = [c.zbar_text or c.text for c in SERIAL] + ["hex:" + NO_TERMINATOR.hex()]
    assert [s.text for s in scans] == want


@pytest.mark.parametrize(
    ("charset", "text"),
    [("gb18030", NAME_CARD), ("utf-8", "hex:" + NAME_CARD.encode("gbk").hex())],
)
def test_serial_scanner_set_to_a_charset(tmp_path: Path, charset: Charset, text: str) -> None:
    rig = Serial(tmp_path, charset)
    try:
        [scan] = rig.send([NAME_CARD.encode("gbk")])
        assert scan.text == text and scan.payload.charset == (
            "gb18030" if charset == "gb18030" else "binary"
        )
    finally:
        rig.close()
