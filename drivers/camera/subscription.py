"""A frame consumer on a thread of its own, fed through a drop-old mailbox."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from drivers.camera.events import Frame
from drivers.camera.mailbox import Latest

log = logging.getLogger(__name__)


class Subscription:
    """Delivers the newest frame to one callback; the camera never waits for it."""

    def __init__(self, callback: Callable[[Frame], None], *, name: str = "") -> None:
        self._callback = callback
        self._box: Latest[Frame] = Latest()
        self.delivered = 0
        self._thread = threading.Thread(
            target=self._run, name=f"camera-subscriber-{name or id(self)}", daemon=True
        )
        self._thread.start()

    @property
    def dropped(self) -> int:
        """Frames replaced by a newer one before the callback could take them."""
        return self._box.dropped

    @property
    def active(self) -> bool:
        """Whether the delivery thread is still running."""
        return self._thread.is_alive()

    def offer(self, frame: Frame) -> None:
        """Hand over a frame (never blocks)."""
        self._box.put(frame)

    def close(self, timeout: float = 3.0) -> None:
        """Stop delivering; waits for a callback in progress up to `timeout`."""
        self._box.close()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._box.closed:
            frame = self._box.take(timeout=0.5)
            if frame is None:
                continue
            try:
                self._callback(frame)
            # A consumer's bug must not stop the preview or the other consumers.
            except Exception:
                log.exception("frame consumer failed on frame %d", frame.seq)
            self.delivered += 1
