"""The camera Protocol the desk codes against, and the OpenCV capture subset drivers use."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from drivers.camera.events import CameraState, Frame

if TYPE_CHECKING:
    from drivers.camera.subscription import Subscription

FrameCallback = Callable[[Frame], None]
StateCallback = Callable[[CameraState], None]


class Camera(Protocol):
    """A frame source with its own worker thread; nothing here blocks the caller for long."""

    def start(self) -> None:
        """Start capturing (idempotent); status changes follow as events."""

    def stop(self, timeout: float = 3.0) -> None:
        """Stop capturing and join the worker; subscriptions stay for a later start()."""

    def close(self, timeout: float = 3.0) -> None:
        """Stop, and end every subscription's thread."""

    @property
    def state(self) -> CameraState:
        """The current status."""

    def latest(self) -> Frame | None:
        """The newest frame, or None before the first one (does not wait)."""

    def wait_frame(self, *, after: int = 0, timeout: float | None = None) -> Frame | None:
        """The newest frame with `seq > after`, waiting up to `timeout`; None if none came."""

    def subscribe(self, on_frame: FrameCallback, *, name: str = "") -> Subscription:
        """Call `on_frame` on a thread of its own with the newest frame; slow consumers skip."""

    def add_state_listener(self, on_state: StateCallback) -> None:
        """Call `on_state` (on the worker thread: keep it short) at every status change."""


class Capture(Protocol):
    """The part of cv2.VideoCapture the driver uses (tests wrap a real one to inject faults)."""

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        """Whether the source opened."""

    def read(self) -> tuple[bool, Any]:
        """Grab and decode the next frame."""

    def set(self, prop_id: int, value: float) -> bool:
        """Set a capture property."""

    def release(self) -> None:
        """Close the source."""
