"""A person in front of the demo's camera: frames of a real video clip played at its own pace.

The MJPEG camera simulator serves whatever scene is set; this plays a range of the clip's frames
into it on a thread of its own (or holds one frame still, as a printed photo is), and stops on
request, leaving the empty desk in view.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from drivers.sim.mjpeg_camera import MjpegCamera
from kiosk.assets import asset

# The MIT-licensed face_recognition example clip (assets/demo/faces, its LICENSE beside it).
CLIP = "demo/faces/short_hamilton_clip.mp4"
CLIP_FPS = 29.97


def clip_path() -> Path:
    """The clip the demo's attendee is made of (AssetMissing if it was not shipped)."""
    return asset(CLIP)


class ClipPlayer:
    """Plays clip frames into the camera; one range at a time, from any thread."""

    def __init__(self, camera: MjpegCamera, path: Path | None = None) -> None:
        self.camera = camera
        self._path = path
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _capture(self, first: int) -> object:
        import cv2

        cap = cv2.VideoCapture(str(self._path or clip_path()))
        if not cap.isOpened():
            raise RuntimeError(f"the demo clip {self._path or CLIP} cannot be read")
        cap.set(cv2.CAP_PROP_POS_FRAMES, first)
        return cap

    def play(self, first: int, last: int, *, loop: bool = False, speed: float = 1.0) -> None:
        """Show frames first..last-1 at the clip's pace × `speed` (again and again with `loop`)."""
        self.stop(clear=False)
        cap = self._capture(first)
        stop = threading.Event()
        pace = (first, last, loop, CLIP_FPS * speed)
        thread = threading.Thread(target=self._run, args=(cap, pace, stop), name="demo-clip",
                                  daemon=True)  # fmt: skip
        with self._lock:
            self._stop, self._thread = stop, thread
        thread.start()

    def _run(self, cap: object, pace: tuple[int, int, bool, float], stop: threading.Event) -> None:
        import cv2

        first, last, loop, fps = pace
        assert isinstance(cap, cv2.VideoCapture)
        try:
            start, i = time.monotonic(), first
            while not stop.is_set():
                ok, frame = cap.read() if i < last else (False, None)
                if not ok or frame is None:
                    if not loop:
                        return  # the last frame stays in view, as a person stays put
                    cap.set(cv2.CAP_PROP_POS_FRAMES, first)
                    start, i = time.monotonic(), first
                    continue
                self.camera.show(np.asarray(frame, dtype=np.uint8))
                i += 1
                stop.wait(max(0.0, start + (i - first) / fps - time.monotonic()))
        finally:
            cap.release()

    def perform(self, frames: list[int]) -> None:
        """Show these clip frames in this order at the clip's pace (the last one stays)."""
        import cv2

        self.stop(clear=False)
        first, last = min(frames), max(frames) + 1
        cap = self._capture(first)
        assert isinstance(cap, cv2.VideoCapture)
        images: dict[int, np.ndarray] = {}
        try:
            for i in range(first, last):
                ok, frame = cap.read()
                if not ok:
                    raise RuntimeError(f"frame {i} of the demo clip cannot be read")
                images[i] = np.asarray(frame, dtype=np.uint8)
        finally:
            cap.release()
        stop = threading.Event()

        def run() -> None:
            start = time.monotonic()
            for n, i in enumerate(frames):
                if stop.is_set():
                    return
                self.camera.show(images[i])
                stop.wait(max(0.0, start + (n + 1) / CLIP_FPS - time.monotonic()))

        thread = threading.Thread(target=run, name="demo-clip", daemon=True)
        with self._lock:
            self._stop, self._thread = stop, thread
        thread.start()

    def hold(self, index: int) -> None:
        """One frame held still in front of the camera: a printed photo."""
        import cv2

        self.stop(clear=False)
        cap = self._capture(index)
        assert isinstance(cap, cv2.VideoCapture)
        try:
            ok, frame = cap.read()
        finally:
            cap.release()
        if not ok:
            raise RuntimeError(f"frame {index} of the demo clip cannot be read")
        self.camera.show(np.asarray(frame, dtype=np.uint8))

    def stop(self, *, clear: bool = True) -> None:
        """End the playing range; with `clear`, nothing but the empty desk in view."""
        with self._lock:
            stop, thread, self._thread = self._stop, self._thread, None
        stop.set()
        if thread is not None:
            thread.join(5)
        if clear:
            self.camera.clear()
