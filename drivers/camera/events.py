"""What the camera driver emits: frames and status changes, as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class CameraStatus(StrEnum):
    """The camera's state, for the desk's status line."""

    STOPPED = "stopped"
    STARTING = "starting"
    RUNNING = "running"
    RECONNECTING = "reconnecting"  # it was running and went away; retrying
    ABSENT = "absent"  # nothing at the configured source (yet); retrying
    UNAVAILABLE = "unavailable"  # OpenCV missing or the source is not usable at all


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """One captured image: BGR uint8 (height × width × 3), read-only, with a monotonic timestamp."""

    seq: int  # 1, 2, … per camera (continues across stop/start); gaps: frames a consumer skipped
    t: float  # time.monotonic() when the frame was read
    image: npt.NDArray[np.uint8]

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.image.shape[0])


@dataclass(frozen=True, slots=True)
class CameraState:
    """A status change, with a line the desk can show as is."""

    status: CameraStatus
    detail: str
    t: float  # time.monotonic() of the change

    @property
    def ok(self) -> bool:
        """Whether frames are flowing."""
        return self.status is CameraStatus.RUNNING
