"""An IP camera on loopback: HTTP MJPEG (multipart/x-mixed-replace) of whatever scene is set now.

The camera driver reads it as it reads a real network camera; the demo and tests change the scene
(a phone showing a QR code, an empty desk) while the stream runs.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Image = npt.NDArray[np.uint8]


def empty_desk(width: int = 640, height: int = 480) -> Image:
    """A plain grey scene with a little texture, as a camera over an empty desk sees it."""
    rng = np.random.default_rng(7)
    scene = np.full((height, width, 3), 150, dtype=np.uint8)
    noise = rng.integers(0, 12, (height, width, 1), dtype=np.uint8)
    out: Image = np.clip(scene + noise, 0, 255).astype(np.uint8)
    return out


class MjpegCamera:
    """Serves the current scene as an MJPEG stream at `fps` on 127.0.0.1 (port chosen free)."""

    def __init__(self, *, fps: float = 10.0, width: int = 640, height: int = 480):
        self.fps = fps
        self._blank = empty_desk(width, height)
        self._jpeg = self._encode(self._blank)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.connections = 0
        camera = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/video":
                    self.send_error(404)
                    return
                camera.connections += 1
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                with contextlib.suppress(OSError):  # the reader went away: end this connection
                    while not camera._stop.is_set():
                        jpeg = camera.frame_jpeg()
                        self.wfile.write(
                            b"--frame\r\nContent-Type: image/jpeg\r\n"
                            + f"Content-Length: {len(jpeg)}\r\n\r\n".encode()
                            + jpeg
                            + b"\r\n"
                        )
                        time.sleep(1.0 / camera.fps)

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("mjpeg camera: " + format, *args)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sim-mjpeg", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """The stream's address, for the [camera] source setting."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/video"

    @staticmethod
    def _encode(image: Image) -> bytes:
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        if not ok:
            raise ValueError("scene could not be encoded as JPEG")
        return bytes(buf)

    def frame_jpeg(self) -> bytes:
        """The JPEG of the current scene."""
        with self._lock:
            return self._jpeg

    def show(self, image: Image) -> None:
        """Put `image` (gray or BGR) in front of the camera, centred on the desk scene."""
        scene = self._blank.copy()
        patch = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image
        h, w = patch.shape[:2]
        if h > scene.shape[0] or w > scene.shape[1]:
            scale = min(scene.shape[0] / h, scene.shape[1] / w)
            patch = cv2.resize(patch, (int(w * scale), int(h * scale)))
            h, w = patch.shape[:2]
        y, x = (scene.shape[0] - h) // 2, (scene.shape[1] - w) // 2
        scene[y : y + h, x : x + w] = patch
        jpeg = self._encode(scene)
        with self._lock:
            self._jpeg = jpeg

    def clear(self) -> None:
        """Nothing but the empty desk in view."""
        jpeg = self._encode(self._blank)
        with self._lock:
            self._jpeg = jpeg

    def close(self) -> None:
        """Stop serving; readers see the stream end (a camera unplugged)."""
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
