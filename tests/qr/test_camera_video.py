"""The camera path on frames from a real video file: one event per presentation, bad frames survive."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from drivers.qr.decode import FrameDecoder
from drivers.qr.detection import QrScanned
from drivers.qr.worker import QrFrameWorker
from tests.support.qr import PlatformKeys, place, qr_matrix
from tests.support.roster import DAY1, at

CLIP = Path("/work/shared/faces/short_hamilton_clip.mp4")
FPS = 15.0
KEYS = PlatformKeys()
TICKET = KEYS.ticket("2026-15-01-001", "A17", start=at(DAY1, 0))
BADGE = "CME-NUM1:A2"
# (first frame, last frame, payload): a ticket shown, taken away, shown again, then a badge.
SCRIPT = [(15, 44, TICKET), (75, 104, TICKET), (105, 134, BADGE)]
FRAMES = 140


def scene(i: int, width: int, height: int) -> npt.NDArray[np.uint8]:
    """A moving synthetic background, used when the face clip is missing or runs out."""
    rng = np.random.default_rng(i)
    frame = np.full((height, width, 3), 120, np.uint8)
    frame += rng.integers(0, 20, frame.shape, dtype=np.uint8)
    cv2.circle(frame, (50 + 3 * i, 180), 60, (40, 90, 160), -1)
    return frame


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short MJPG video with the codes in view as SCRIPT says, as a webcam would see them."""
    path = tmp_path_factory.mktemp("video") / "desk.avi"
    source = cv2.VideoCapture(str(CLIP)) if CLIP.exists() else None
    width, height = 640, 360
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (width, height))
    assert writer.isOpened()
    symbols = {p: qr_matrix(p) for _, _, p in SCRIPT}
    for i in range(FRAMES):
        ok, frame = source.read() if source is not None else (False, None)
        if not ok or frame is None or frame.shape[:2] != (height, width):
            frame = scene(i, width, height)
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        for first, last, payload in SCRIPT:
            if first <= i <= last:
                # Held by a hand: it drifts and tilts a little from frame to frame.
                place(gray, symbols[payload], center=(420 + (i % 7), 180 + (i % 5)),
                      size=210, angle=float((i % 9) - 4))  # fmt: skip
                frame = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
        writer.write(frame)
    writer.release()
    if source is not None:
        source.release()
    return path


def frames(path: Path) -> Iterator[tuple[int, npt.NDArray[np.uint8]]]:
    capture = cv2.VideoCapture(str(path))
    assert capture.isOpened()
    i = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        yield i, frame
        i += 1
    capture.release()


@pytest.mark.parametrize("backend", ["zxing", "zbar"])
def test_each_presentation_is_one_event(video: Path, backend: str) -> None:
    worker = QrFrameWorker(FrameDecoder.open(backend), on_scan=lambda e: None, debounce_s=1.0)
    events: list[QrScanned] = []
    count = 0
    for i, frame in frames(video):
        events += worker.process(frame, at=i / FPS)
        count += 1
    assert count == FRAMES
    got = [(round(e.at * FPS), e.detection.text) for e in events]
    assert [t for _, t in got] == [TICKET, TICKET, BADGE]
    # Each event comes within a few frames of the code appearing.
    for (frame_no, _), (first, _, _) in zip(got, SCRIPT, strict=True):
        assert first <= frame_no <= first + 3


def test_worker_thread_reports_on_its_own_thread(video: Path) -> None:
    events: list[tuple[str, str]] = []
    worker = QrFrameWorker(
        FrameDecoder.open("zxing"),
        on_scan=lambda e: events.append((threading.current_thread().name, e.detection.text)),
    )
    worker.start()
    try:
        for i, frame in frames(video):
            worker.submit(frame, at=i / FPS)
            assert worker.wait_idle(5.0)
    finally:
        worker.stop()
    assert events == [("qr-decode", TICKET), ("qr-decode", TICKET), ("qr-decode", BADGE)]


def test_slow_decoding_drops_old_frames_never_queues_them(video: Path) -> None:
    worker = QrFrameWorker(FrameDecoder.open("zxing"), on_scan=lambda e: None)
    worker.start()
    try:
        submitted = 0
        for i, frame in frames(video):
            worker.submit(frame, at=i / FPS)
            submitted += 1
        assert worker.wait_idle(10.0)
    finally:
        worker.stop()
    assert worker.dropped > 0
    assert worker.dropped + worker.decoded == submitted


def test_bad_frames_are_reported_once_and_decoding_goes_on() -> None:
    errors: list[str] = []
    events: list[QrScanned] = []
    worker = QrFrameWorker(
        FrameDecoder.open("zxing"), on_scan=events.append, on_error=errors.append
    )
    bad = np.zeros((480, 640), dtype=np.float64)
    for i in range(5):
        assert worker.process(bad, at=i / FPS) == []
    assert len(errors) == 1 and "pixel type float64" in errors[0]
    good = cv2.cvtColor(qr_matrix(BADGE), cv2.COLOR_GRAY2BGR)
    assert [e.detection.text for e in worker.process(good, at=1.0)] == [BADGE]


@dataclass(frozen=True)
class CameraFrame:
    """Shaped like drivers.camera's Frame: what a camera subscription hands over."""

    seq: int
    t: float
    image: npt.NDArray[np.uint8]


def test_camera_subscription_callback(video: Path) -> None:
    events: list[QrScanned] = []
    worker = QrFrameWorker(FrameDecoder.open("zxing"), on_scan=events.append)
    for i, frame in frames(video):
        worker.handle_frame(CameraFrame(i + 1, i / FPS, frame))
    assert [e.detection.text for e in events] == [TICKET, TICKET, BADGE]


def test_a_failing_consumer_does_not_stop_the_camera(video: Path) -> None:
    seen: list[str] = []

    def consumer(event: QrScanned) -> None:
        seen.append(event.detection.text)
        raise RuntimeError("bug in the desk")

    worker = QrFrameWorker(FrameDecoder.open("zxing"), on_scan=consumer)
    for i, frame in frames(video):
        worker.handle_frame(CameraFrame(i + 1, i / FPS, frame))
    assert seen == [TICKET, TICKET, BADGE]


@pytest.mark.timeout(60)
def test_real_camera_driver_on_the_video_file(video: Path) -> None:
    """drivers.camera reads the file at 30 fps; its subscription thread runs the decoder."""
    from drivers.camera import OpenCvCamera

    events: list[QrScanned] = []
    worker = QrFrameWorker(FrameDecoder.open("zxing"), on_scan=events.append, debounce_s=0.5)
    camera = OpenCvCamera(str(video), fps=30.0)
    camera.subscribe(worker.handle_frame, name="qr")
    camera.start()
    try:
        deadline = time.monotonic() + 30
        while len(events) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        camera.close()  # stop() keeps the subscriber thread for a restart
    assert [e.detection.text for e in events[:3]] == [TICKET, TICKET, BADGE]
