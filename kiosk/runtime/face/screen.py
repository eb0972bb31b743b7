"""What the face station shows: frozen screen events emitted through DeskBridge.face / .preview.

Qt-free: the station emits them from worker threads, the widgets in kiosk/ui read them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from kiosk.services.checkin import Outcome

FACE_NAME = "人脸 face"
LOADING = "人脸模型加载中… face: loading…"
UNKNOWN_ZH = "未能识别，请刷身份证或扫码"
UNKNOWN_EN = "Not recognised — tap your ID card or scan your code"
MISMATCH_ZH = "人脸与证件不符，请联系工作人员"
MISMATCH_EN = "Face does not match the card — please see staff"
_POLICIES = ("off", "challenge_on_doubt", "always")


def stricter_policy(*policies: str) -> str:
    """The strictest liveness policy named (the venue may raise the organizer's, never lower)."""
    return max(policies, key=_POLICIES.index)


@dataclass(frozen=True, slots=True)
class FacePrompt:
    """A line for the person at the camera: liveness or verify (with a deadline), hint, unknown."""

    kind: str
    zh: str
    en: str
    deadline: float | None = None  # time.monotonic() when a liveness challenge runs out


@dataclass(frozen=True, slots=True, eq=False)
class PreviewFrame:
    """A small RGB preview (mirrored like a looking glass); call `shown()` once painted."""

    rgb: npt.NDArray[np.uint8]
    shown: Callable[[], None]


class EnrollmentControls(Protocol):
    """What the consent screen may do with an offer (GUI thread; each call returns at once)."""

    def accept(self) -> None:
        """The person agreed."""

    def decline(self) -> None:
        """The person declined; the check-in stands."""

    def confirm(self) -> None:
        """Staff confirmed the person at the camera holds the card; capture starts."""

    def cancel(self) -> None:
        """Nobody answered, or the person left."""


@dataclass(frozen=True, slots=True, eq=False)
class EnrollmentOffer:
    """Offer face enrollment after this ID-card check-in (shown on the consent screen)."""

    outcome: Outcome
    controls: EnrollmentControls
    project_name: str


@dataclass(frozen=True, slots=True)
class EnrollmentUpdate:
    """An offered enrollment ended: stored | failed | cancelled (reason for failed)."""

    attendee_id: str
    state: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class StationTiming:
    """The station's pacing; the defaults suit a desk, tests shorten them."""

    preview_fps: float = 5.0
    preview_width: int = 240
    poll_s: float = 2.0  # how often the store's template revision is read while frames flow
    capture_timeout_s: float = 20.0  # on-site enrollment: 3 good frames within this
    offer_timeout_s: float = 60.0  # an offer no screen answers is cancelled
    # After a consent screen the person walks away, and a face just checked in (by any means)
    # is still in front of the camera: neither is a new presentation.
    quiet_s: float = 5.0
    repeat_s: float = 20.0
