"""The camera driver on real video files (a file stands in for a webcam) and a loopback stream."""

from __future__ import annotations

import http.server
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from drivers.camera import (
    CameraSource,
    CameraState,
    CameraStatus,
    CameraUnavailable,
    Frame,
    OpenCvCamera,
    SourceKind,
    parse_source,
)
from drivers.camera.source import redact_url
from tests.support.env import free_port
from tests.support.face_tracks import CLIP

pytestmark = pytest.mark.timeout(60)


def wait_until(cond: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def small_video(path: Path, *, frames: int = 6, fps: float = 25.0) -> Path:
    """A tiny MJPEG AVI whose frames carry their index in the pixel values."""
    import cv2

    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (64, 48))
    assert w.isOpened()
    for i in range(frames):
        w.write(np.full((48, 64, 3), 20 + 30 * i, dtype=np.uint8))
    w.release()
    return path


@pytest.fixture
def camera_factory() -> Iterator[Callable[..., OpenCvCamera]]:
    made: list[OpenCvCamera] = []

    def make(source: str | CameraSource, **kw: Any) -> OpenCvCamera:
        kw.setdefault("retry_initial_s", 0.05)
        kw.setdefault("retry_max_s", 0.2)
        cam = OpenCvCamera(source, **kw)
        made.append(cam)
        return cam

    yield make
    for cam in made:
        cam.close()


def test_parse_source_kinds() -> None:
    assert parse_source("0") == CameraSource(SourceKind.INDEX, index=0)
    assert parse_source(" 2 ").index == 2
    assert parse_source("/dev/video3").kind is SourceKind.DEVICE
    assert parse_source("/dev/v4l/by-id/usb-cam").kind is SourceKind.DEVICE
    assert parse_source("rtsp://cam.local/stream").kind is SourceKind.STREAM
    assert parse_source("HTTPS://cam.local/mjpeg").kind is SourceKind.STREAM
    f = parse_source("demo/clip.mp4")
    assert f.kind is SourceKind.FILE and not f.live
    with pytest.raises(ValueError):
        parse_source("  ")
    with pytest.raises(ValueError, match="not supported"):
        parse_source("ftp://cam/x")


def test_stream_password_never_shown() -> None:
    src = parse_source("rtsp://admin:s3cret@10.0.0.5:554/h264")
    assert "s3cret" not in src.describe() and "admin" not in src.describe()
    assert src.describe() == "rtsp://***@10.0.0.5:554/h264"
    assert redact_url("http://cam/x") == "http://cam/x"


def test_video_file_frames_are_frozen_events_with_monotonic_times(
    camera_factory: Callable[..., OpenCvCamera],
) -> None:
    cam = camera_factory(str(CLIP), fps=30)
    states: list[CameraState] = []
    cam.add_state_listener(states.append)
    cam.start()
    first = cam.wait_frame(timeout=5)
    assert first is not None and first.seq >= 1
    assert (first.width, first.height) == (640, 360)
    assert first.image.dtype == np.uint8 and first.image.shape == (360, 640, 3)
    assert not first.image.flags.writeable  # shared by every consumer: read-only
    with pytest.raises(AttributeError):
        first.seq = 99  # type: ignore[misc]
    later = cam.wait_frame(after=first.seq + 3, timeout=5)
    assert later is not None and later.seq > first.seq + 3 and later.t > first.t
    assert cam.state.status is CameraStatus.RUNNING
    assert CameraStatus.RUNNING in [s.status for s in states]
    cam.stop()
    assert cam.state.status is CameraStatus.STOPPED


def test_stop_then_start_keeps_subscribers_close_ends_them(
    camera_factory: Callable[..., OpenCvCamera],
) -> None:
    cam = camera_factory(str(CLIP), fps=30)
    seen: list[int] = []
    sub = cam.subscribe(lambda f: seen.append(f.seq))
    cam.start()
    assert wait_until(lambda: len(seen) >= 3)
    cam.stop()
    stopped_at = len(seen)
    time.sleep(0.2)
    assert len(seen) <= stopped_at + 1 and sub.active  # no frames while stopped
    cam.start()  # the same subscriber gets frames again
    assert wait_until(lambda: len(seen) >= stopped_at + 3)
    cam.close()
    assert not sub.active and cam.state.status is CameraStatus.STOPPED


def test_frame_rate_is_controlled(camera_factory: Callable[..., OpenCvCamera]) -> None:
    cam = camera_factory(str(CLIP), fps=10)
    cam.start()
    first = cam.wait_frame(timeout=5)
    assert first is not None
    time.sleep(1.5)
    last = cam.latest()
    assert last is not None
    rate = (last.seq - first.seq) / (last.t - first.t)
    assert 7.0 <= rate <= 11.0, rate  # 10 fps asked; the clip itself is 30 fps


def test_a_file_loops(tmp_path: Path, camera_factory: Callable[..., OpenCvCamera]) -> None:
    video = small_video(tmp_path / "six.avi", frames=6)
    cam = camera_factory(str(video), fps=60)
    cam.start()
    frame = cam.wait_frame(after=15, timeout=5)  # more frames than the file holds
    assert frame is not None and cam.state.status is CameraStatus.RUNNING


def test_slow_consumer_never_blocks_capture_or_others(
    camera_factory: Callable[..., OpenCvCamera],
) -> None:
    cam = camera_factory(str(CLIP), fps=30)
    slow_seen: list[int] = []
    fast_seen: list[int] = []

    def slow(frame: Frame) -> None:
        slow_seen.append(frame.seq)
        time.sleep(0.3)

    slow_sub = cam.subscribe(slow, name="slow")
    fast_sub = cam.subscribe(lambda f: fast_seen.append(f.seq), name="fast")
    cam.start()
    time.sleep(1.5)
    latest = cam.latest()
    assert latest is not None and latest.seq >= 30  # the camera kept its pace
    assert len(slow_seen) <= 7 and slow_sub.dropped >= 20  # old frames were dropped, not queued
    assert slow_seen == sorted(slow_seen) and slow_seen[-1] >= latest.seq - 12  # always recent
    assert len(fast_seen) >= latest.seq - 3 - fast_sub.dropped
    assert fast_seen[-1] >= latest.seq - 2


def test_consumer_and_listener_errors_do_not_stop_the_camera(
    camera_factory: Callable[..., OpenCvCamera],
) -> None:
    cam = camera_factory(str(CLIP), fps=30)

    def broken(frame: Frame) -> None:
        raise RuntimeError("consumer bug")

    def broken_listener(state: CameraState) -> None:
        raise RuntimeError("listener bug")

    sub = cam.subscribe(broken)
    cam.add_state_listener(broken_listener)
    cam.start()
    assert wait_until(lambda: sub.delivered >= 5)
    assert sub.active and cam.state.status is CameraStatus.RUNNING


def test_removed_file_reconnects_when_restored(
    tmp_path: Path, camera_factory: Callable[..., OpenCvCamera]
) -> None:
    video = small_video(tmp_path / "cam.avi", frames=4)
    backup = tmp_path / "backup.avi"
    shutil.copy(video, backup)
    cam = camera_factory(str(video), fps=40)
    cam.start()
    assert cam.wait_frame(timeout=5) is not None
    video.unlink()
    assert wait_until(lambda: cam.state.status is CameraStatus.RECONNECTING)
    assert "not found" in cam.state.detail
    seq_gone = cam.latest().seq  # type: ignore[union-attr]
    time.sleep(0.3)
    assert cam.latest().seq == seq_gone  # type: ignore[union-attr]  # nothing while it is gone
    shutil.copy(backup, video)
    assert cam.wait_frame(after=seq_gone, timeout=5) is not None
    assert cam.state.status is CameraStatus.RUNNING and cam.reconnects == 1


class FlakyCapture:
    """A real capture of the clip whose reads fail while `failing` is set (a USB hiccup)."""

    def __init__(self, shared: dict[str, Any]) -> None:
        import cv2

        self._cap = cv2.VideoCapture(str(CLIP))
        self._shared = shared

    def isOpened(self) -> bool:
        return bool(self._cap.isOpened())

    def read(self) -> tuple[bool, Any]:
        if self._shared["fail_next"] > 0:
            self._shared["fail_next"] -= 1
            self._shared["failed"] += 1
            return False, None
        ok, img = self._cap.read()
        if not ok:  # keep the "device" going: loop the clip
            self._cap.set(1, 0)
            ok, img = self._cap.read()
        return ok, img

    def set(self, prop_id: int, value: float) -> bool:
        return True

    def release(self) -> None:
        self._shared["released"] += 1
        self._cap.release()


def test_device_that_fails_a_few_times_recovers_without_reopening(
    tmp_path: Path, camera_factory: Callable[..., OpenCvCamera]
) -> None:
    node = tmp_path / "video0"
    node.touch()
    shared = {"fail_next": 0, "failed": 0, "released": 0}
    src = CameraSource(SourceKind.DEVICE, path=node)
    cam = camera_factory(src, fps=30, opener=lambda s: FlakyCapture(shared), max_read_failures=5)
    cam.start()
    first = cam.wait_frame(timeout=5)
    assert first is not None
    shared["fail_next"] = 3  # fewer than max_read_failures: ride it out
    assert cam.wait_frame(after=first.seq + 5, timeout=5) is not None
    assert shared["failed"] == 3 and shared["released"] == 0 and cam.reconnects == 0


def test_device_that_stops_delivering_is_reopened(
    tmp_path: Path, camera_factory: Callable[..., OpenCvCamera]
) -> None:
    node = tmp_path / "video0"
    node.touch()
    shared = {"fail_next": 0, "failed": 0, "released": 0}
    src = CameraSource(SourceKind.DEVICE, path=node)
    cam = camera_factory(src, fps=30, opener=lambda s: FlakyCapture(shared), max_read_failures=5)
    states: list[CameraStatus] = []
    cam.add_state_listener(lambda s: states.append(s.status))
    cam.start()
    first = cam.wait_frame(timeout=5)
    assert first is not None
    shared["fail_next"] = 5
    assert cam.wait_frame(after=first.seq, timeout=5) is not None
    assert wait_until(lambda: cam.reconnects == 1)
    assert shared["released"] >= 1 and CameraStatus.RECONNECTING in states
    # Unplugged: the node disappears; the status says so; plugged back in, frames resume.
    node.unlink()
    shared["fail_next"] = 5
    assert wait_until(lambda: "no camera at" in cam.state.detail)
    assert cam.state.status is CameraStatus.RECONNECTING
    seq = cam.latest().seq  # type: ignore[union-attr]
    node.touch()
    assert cam.wait_frame(after=seq, timeout=5) is not None
    assert cam.reconnects == 2


def test_no_camera_present_has_a_clear_status(
    camera_factory: Callable[..., OpenCvCamera],
) -> None:
    cam = camera_factory("7")
    cam.start()
    assert wait_until(lambda: cam.state.status is CameraStatus.ABSENT)
    assert cam.state.detail == "no camera at /dev/video7"
    assert cam.wait_frame(timeout=0.3) is None and cam.latest() is None
    cam.stop()
    assert cam.state.status is CameraStatus.STOPPED


def test_missing_video_file_is_absent(
    tmp_path: Path, camera_factory: Callable[..., OpenCvCamera]
) -> None:
    cam = camera_factory(str(tmp_path / "nope.mp4"))
    cam.start()
    assert wait_until(lambda: cam.state.status is CameraStatus.ABSENT)
    assert "not found" in cam.state.detail


def test_not_a_video_is_absent_not_a_crash(
    tmp_path: Path, camera_factory: Callable[..., OpenCvCamera]
) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00" * 4096)
    cam = camera_factory(str(junk))
    cam.start()
    assert wait_until(lambda: cam.state.status is CameraStatus.ABSENT)
    assert "cannot open" in cam.state.detail or "stopped delivering" in cam.state.detail


def test_missing_opencv_is_unavailable(camera_factory: Callable[..., OpenCvCamera]) -> None:
    def no_cv(source: CameraSource) -> Any:
        raise CameraUnavailable("OpenCV is not installed: No module named 'cv2'")

    cam = camera_factory(str(CLIP), opener=no_cv)
    cam.start()
    assert wait_until(lambda: cam.state.status is CameraStatus.UNAVAILABLE)
    assert "OpenCV is not installed" in cam.state.detail


class MjpegServer:
    """An IP camera's HTTP MJPEG stream (multipart/x-mixed-replace) of the clip's frames, 30 fps."""

    def __init__(self, frames: int = 30, per_connection: int = 10_000) -> None:
        import cv2

        cap = cv2.VideoCapture(str(CLIP))
        self.jpegs = []
        for _ in range(frames):
            ok, img = cap.read()
            assert ok
            self.jpegs.append(cv2.imencode(".jpg", img)[1].tobytes())
        cap.release()
        self.per_connection = per_connection
        self.connections = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.connections += 1
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                try:
                    for k in range(outer.per_connection):
                        j = outer.jpegs[k % len(outer.jpegs)]
                        head = b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n"
                        self.wfile.write(head % len(j) + j + b"\r\n")
                        time.sleep(1 / 30)
                except OSError:
                    pass  # the camera hung up

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/video.mjpg"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mjpeg() -> Iterator[MjpegServer]:
    server = MjpegServer(per_connection=45)  # the "camera" drops the connection every 1.5 s
    yield server
    server.close()


def test_http_mjpeg_stream_is_paced_and_reconnected(
    mjpeg: MjpegServer, camera_factory: Callable[..., OpenCvCamera]
) -> None:
    cam = camera_factory(mjpeg.url, fps=10)
    assert cam.source.kind is SourceKind.STREAM
    cam.start()
    first = cam.wait_frame(timeout=10)
    assert first is not None and first.image.shape == (360, 640, 3)
    assert cam.state.status is CameraStatus.RUNNING
    time.sleep(2.5)  # past the server's hang-up: the driver reconnects by itself
    last = cam.latest()
    assert last is not None
    rate = (last.seq - first.seq) / (last.t - first.t)
    assert 5.0 <= rate <= 11.0, rate  # the stream sends 30 fps; 10 are delivered
    assert mjpeg.connections >= 2 and cam.reconnects >= 1
