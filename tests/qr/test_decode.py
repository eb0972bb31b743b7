"""Camera-frame decoding with both backends: clean, rotated, blurred, small, several, bad frames."""

from __future__ import annotations

import sys

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.qr.backends import DecoderUnavailable, backend_status, open_backend
from drivers.qr.debounce import Debouncer
from drivers.qr.decode import BadFrame, FrameDecoder
from drivers.qr.detection import Detection
from kiosk.core.charset import Payload
from tests.support.qr import PlatformKeys, bgr, camera_frame, qr_matrix
from tests.support.roster import DAY1, at

BACKENDS = ["zxing", "zbar"]
KEYS = PlatformKeys()
TICKET = KEYS.ticket("2026-15-01-001", "A17", start=at(DAY1, 0))  # QR version 7


@pytest.fixture(params=BACKENDS)
def decoder(request: pytest.FixtureRequest) -> FrameDecoder:
    return FrameDecoder.open(request.param)


def texts(found: list[Detection]) -> list[str]:
    return [d.text for d in found]


def test_clean_symbol(decoder: FrameDecoder) -> None:
    symbol = qr_matrix(TICKET, module_px=6)
    [found] = decoder.decode(symbol)
    assert (found.text, found.format) == (TICKET, "QRCode")
    # Quiet zone of 4 modules at 6 px: the symbol starts at 24 px; corners clockwise from top-left.
    side = symbol.shape[0] - 48
    expected = [(24, 24), (24 + side, 24), (24 + side, 24 + side), (24, 24 + side)]
    for (x, y), (ex, ey) in zip(found.box, expected, strict=True):
        assert abs(x - ex) <= 3 and abs(y - ey) <= 3


@pytest.mark.parametrize("angle", [0, 17, 30, 90, 180, 270])
def test_rotated_in_a_camera_frame(decoder: FrameDecoder, angle: int) -> None:
    frame = camera_frame([TICKET], size=300, angle=angle)
    [found] = decoder.decode(bgr(frame))
    assert found.text == TICKET
    # The first corner is the symbol's own top-left wherever the rotation put it.
    cx, cy = 640, 360
    tl = np.array(found.box[0]) - (cx, cy)
    theta = np.radians(-angle)  # OpenCV's positive angle turns counter-clockwise on screen
    want = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]]) @ np.array(
        [-1.0, -1.0]
    )
    assert float(np.dot(tl / np.linalg.norm(tl), want / np.linalg.norm(want))) > 0.95


def test_both_backends_report_the_same_corners() -> None:
    frame = bgr(camera_frame([TICKET], size=300, angle=30))
    boxes = [FrameDecoder.open(b).decode(frame)[0].box for b in BACKENDS]
    for (x1, y1), (x2, y2) in zip(*boxes, strict=True):
        assert abs(x1 - x2) <= 4 and abs(y1 - y2) <= 4


def test_blurred(decoder: FrameDecoder) -> None:
    frame = cv2.GaussianBlur(camera_frame([TICKET], size=320), (0, 0), 1.5)
    assert texts(decoder.decode(frame)) == [TICKET]


def test_zxing_reads_a_heavier_blur() -> None:
    frame = cv2.GaussianBlur(camera_frame([TICKET], size=320), (0, 0), 2.5)
    assert texts(FrameDecoder.open("zxing").decode(frame)) == [TICKET]


def test_small_code_in_a_vga_frame(decoder: FrameDecoder) -> None:
    # About 2.7 px per module: a ticket held at arm's length from a 640×480 camera.
    frame = camera_frame([TICKET], width=640, height=480, size=145)
    assert texts(decoder.decode(frame)) == [TICKET]


def test_several_codes_in_one_frame_left_to_right(decoder: FrameDecoder) -> None:
    payloads = ["CME-NUM1:A1", TICKET, "CME-NUM1:A3"]
    frame = camera_frame(payloads, size=240)
    assert texts(decoder.decode(frame)) == payloads


def test_frame_without_a_code(decoder: FrameDecoder) -> None:
    assert decoder.decode(camera_frame([])) == []


def test_gray_bgr_and_bgra_frames_decode_alike(decoder: FrameDecoder) -> None:
    gray = camera_frame([TICKET], size=300)
    color = bgr(gray)
    bgra = cv2.cvtColor(color, cv2.COLOR_BGR2BGRA)
    results = [texts(decoder.decode(f)) for f in (gray, color, bgra, gray[:, :, None])]
    assert results == [[TICKET]] * 4


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (np.zeros((480, 640), dtype=np.float32), "pixel type"),
        (np.zeros((480, 640, 2), dtype=np.uint8), "shape"),
        (np.zeros((4, 4), dtype=np.uint8), "size"),
        (np.zeros((0, 640, 3), dtype=np.uint8), "size"),
        (b"not an image", "not an image array"),
    ],
)
def test_bad_frames_are_a_clear_error(frame: object, message: str) -> None:
    with pytest.raises(BadFrame, match=message):
        FrameDecoder.open("zxing").decode(frame)  # type: ignore[arg-type]


def test_corrupted_frame_content_decodes_to_nothing(decoder: FrameDecoder) -> None:
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    assert decoder.decode(noise) == []


def test_unknown_backend_and_missing_library(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DecoderUnavailable, match="unknown backend"):
        open_backend("quirc")
    # Simulate a machine without pyzbar/libzbar0: the status names the package to install.
    monkeypatch.setitem(sys.modules, "pyzbar", None)
    ok, status = backend_status("zbar")
    assert not ok and "libzbar0" in status
    monkeypatch.setitem(sys.modules, "zxingcpp", None)
    ok, status = backend_status("zxing")
    assert not ok and status.startswith("QR decoder zxing unavailable: zxing-cpp not installed")


def test_symbology_filter_and_names(decoder: FrameDecoder) -> None:
    only_code128 = FrameDecoder.open(decoder.name, formats=["Code128"])
    assert only_code128.decode(qr_matrix("CME-NUM1:A1")) == []
    with pytest.raises(DecoderUnavailable):
        FrameDecoder.open(decoder.name, formats=["NoSuchCode"])


# ---- debouncing ---------------------------------------------------------------------------------


def det(text: str) -> Detection:
    return Detection(Payload.of_text(text), "QRCode", ((0, 0), (1, 0), (1, 1), (0, 1)))


def test_code_held_in_view_is_one_event() -> None:
    d = Debouncer(gap_s=1.0)
    events = [d.feed([det("A")], at=i / 30) for i in range(30)]
    assert sum(len(e) for e in events) == 1


def test_short_dropouts_do_not_repeat_but_a_return_does() -> None:
    d = Debouncer(gap_s=1.0)
    assert d.feed([det("A")], 0.0) == [det("A")]
    assert d.feed([], 0.5) == []  # motion blur: missed frames
    assert d.feed([det("A")], 0.9) == []
    assert d.feed([], 2.5) == []  # taken away
    assert d.feed([det("A")], 2.6) == [det("A")]  # shown again: a new presentation


def test_two_codes_and_duplicates_within_a_frame() -> None:
    d = Debouncer(gap_s=1.0)
    assert d.feed([det("A"), det("B"), det("A")], 0.0) == [det("A"), det("B")]
    assert d.feed([det("B"), det("C")], 0.1) == [det("C")]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([np.uint8, np.uint16, np.float32, np.int8]),
    st.lists(st.integers(min_value=0, max_value=70), min_size=1, max_size=4),
    st.sampled_from(BACKENDS),
)
def test_any_array_is_decoded_or_refused_cleanly(
    dtype: type, shape: list[int], backend: str
) -> None:
    frame = np.random.default_rng(len(shape)).integers(0, 255, shape).astype(dtype)
    try:
        found = FrameDecoder.open(backend).decode(frame)
    except BadFrame as exc:
        assert str(exc)
    else:
        assert isinstance(found, list)
