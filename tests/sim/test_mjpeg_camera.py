"""The simulated IP camera through the real camera driver: scenes change live, QR codes decode."""

from __future__ import annotations

import threading
import time

from drivers.camera.opencv import OpenCvCamera
from drivers.qr.decode import FrameDecoder
from drivers.qr.worker import QrFrameWorker
from drivers.sim.mjpeg_camera import MjpegCamera
from tests.support.qr import qr_matrix


def _wait(predicate: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_a_code_shown_to_the_stream_is_reported_once_then_again_after_it_left() -> None:
    sim = MjpegCamera(fps=15)
    cam = OpenCvCamera(sim.url, fps=15)
    seen: list[str] = []
    lock = threading.Lock()

    def on_scan(event: object) -> None:
        with lock:
            seen.append(event.detection.text)  # type: ignore[attr-defined]

    worker = QrFrameWorker(FrameDecoder.open("zxing"), on_scan=on_scan, debounce_s=0.5)
    cam.subscribe(worker.handle_frame, name="qr")
    cam.start()
    try:
        assert cam.wait_frame(timeout=10) is not None
        time.sleep(0.5)
        assert seen == []  # the empty desk holds no code
        sim.show(qr_matrix("CME-NUM1:A1", module_px=8))
        assert _wait(lambda: len(seen) == 1)
        time.sleep(1.0)  # held in view: still one event
        assert seen == ["CME-NUM1:A1"]
        sim.clear()
        time.sleep(1.0)
        sim.show(qr_matrix("CME-NUM1:A1", module_px=8))
        assert _wait(lambda: len(seen) == 2)
    finally:
        cam.close()
        sim.close()
    assert sim.connections >= 1


def test_the_stream_serves_jpeg_parts_and_404_elsewhere() -> None:
    import urllib.error
    import urllib.request

    sim = MjpegCamera(fps=30)
    try:
        with urllib.request.urlopen(sim.url, timeout=5) as r:
            assert r.headers["Content-Type"].startswith("multipart/x-mixed-replace")
            head = r.read(4096)
        assert head.startswith(b"--frame\r\nContent-Type: image/jpeg\r\n")
        assert b"\xff\xd8" in head  # a JPEG start-of-image marker
        try:
            urllib.request.urlopen(sim.url.replace("/video", "/x"), timeout=5)
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
        else:
            raise AssertionError("expected 404")
    finally:
        sim.close()
