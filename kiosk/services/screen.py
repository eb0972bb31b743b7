"""What the desk shows: frozen screen events the desk service publishes to its listeners.

Qt-free. Worker threads (readers, camera, face, sync) and the desk's own thread publish them; the
Qt bridge (kiosk/ui/bridge.py) re-emits them on the GUI thread, where the widgets read them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from kiosk.core.model import DeskMode
from kiosk.services.checkin import Outcome
from kiosk.services.session_state import SessionState
from kiosk.services.staff_methods import Fallbacks
from kiosk.services.staff_search import SearchResult, SessionList
from kiosk.services.staff_sync import DeadLetters

FACE_NAME = "人脸 face"
CAMERA_NAME = "摄像头 camera"


@dataclass(frozen=True, slots=True)
class DeviceReason:
    """Why a device is in its state: a reason code and its parameters (a path, a count).

    The screen words it through Qt's translator (kiosk/ui/texts.py DEVICE_REASONS), logs and the
    console plainly (kiosk/services/device_texts.py); the codes are listed in both catalogues.
    """

    code: str
    params: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """One device's state: whether it works, why, its last error, whether staff reconnect it."""

    name: str
    ok: bool
    reason: DeviceReason
    detail: str = ""  # the driver's technical words, for the log only (never on screen)
    last_error: DeviceReason | None = None  # the latest reason while off; kept after it recovers
    last_error_at: datetime | None = None  # the desk clock then
    reconnectable: bool = False


@dataclass(frozen=True, slots=True)
class Notice:
    """A message that is not a check-in outcome (an unreadable code, data purged)."""

    zh: str
    en: str
    code: str = ""  # the catalogue's key (kiosk/ui/texts.py); zh/en are the sender's fallback


@dataclass(frozen=True, slots=True)
class SyncState:
    """The desk's sync line: online or not, what is pending, whether staff must act."""

    line: str
    ok: bool


@dataclass(frozen=True, slots=True)
class ModeChanged:
    """The desk's check-in mode now in force (after a staff change, or at start)."""

    mode: DeskMode


@dataclass(frozen=True, slots=True)
class StaffState:
    """Who is signed in to staff mode (empty when nobody), and why that changed."""

    signed_in: bool
    staff_id: str = ""
    name: str = ""
    reason: str = ""  # signed_in | shared_pin | no_pin | signed_out | idle
    role: str = ""  # staff | lead (named members)


@dataclass(frozen=True, slots=True)
class PinAnswer:
    """A staff PIN at the desk: right, wrong, wait `wait_s` seconds, or `asked` for one."""

    ok: bool
    wait_s: float = 0.0
    asked: bool = False  # the action needs the staff PIN and none was given


@dataclass(frozen=True, slots=True)
class FacePrompt:
    """A line for the person at the camera: liveness or verify (with a deadline), hint, unknown."""

    kind: str  # liveness | verify | hint | unknown
    zh: str
    en: str
    deadline: float | None = None  # time.monotonic() when a liveness challenge runs out
    code: str = ""  # blink | turn_left | turn_right | verify | too_small | … (the catalogue key)


@dataclass(frozen=True, slots=True, eq=False)
class PreviewFrame:
    """A small RGB preview (mirrored like a looking glass); call `shown()` once painted."""

    rgb: npt.NDArray[np.uint8]
    shown: Callable[[], None]
    box: tuple[float, float, float, float] | None = None  # the face: left, top, right, bottom (0–1)


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


ScreenEvent = (
    Outcome
    | DeviceStatus
    | Notice
    | SyncState
    | ModeChanged
    | PinAnswer
    | StaffState
    | SessionState
    | SearchResult
    | SessionList
    | Fallbacks
    | DeadLetters
    | FacePrompt
    | PreviewFrame
    | EnrollmentOffer
    | EnrollmentUpdate
)
