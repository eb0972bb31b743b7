"""What the face desk emits (on the camera's delivery thread; the Qt bridge re-emits them)."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.face.liveness import Challenge

# The codes the screen puts in words (kiosk/ui/texts.py, kiosk/services/driver_texts.py).
FACE_HINTS: frozenset[str] = frozenset({"too_small", "blurry", "not_frontal"})
LIVENESS_FAILURES: frozenset[str] = frozenset(
    {"timeout", "face_lost", "face_changed", "not_verified"}
)


@dataclass(frozen=True, slots=True)
class FaceHint:
    """The face in front is not usable yet: `problem` is a code in FACE_HINTS."""

    track_id: int
    problem: str
    t: float


@dataclass(frozen=True, slots=True)
class FaceMatched:
    """1:N found an enrolled attendee (and liveness passed or was not needed): check them in."""

    track_id: int
    attendee_id: str
    distance: float
    second_distance: float | None
    evidence: bytes  # JPEG face crop, kept with the record
    liveness: str  # off | not_needed | passed
    frame_t: float  # monotonic time of the frame the face was encoded from
    t: float


@dataclass(frozen=True, slots=True)
class FaceUnknown:
    """Nobody passed threshold and margin (above_threshold | ambiguous | empty)."""

    track_id: int
    reason: str
    nearest: str | None
    distance: float | None
    second_distance: float | None
    t: float


@dataclass(frozen=True, slots=True)
class FaceVerified:
    """1:1 after a card tap: whether the face is the expected attendee."""

    track_id: int
    attendee_id: str
    matched: bool
    distance: float | None
    reference: str  # card_photo | template | none
    evidence: bytes
    liveness: str
    t: float


@dataclass(frozen=True, slots=True)
class LivenessStarted:
    """Show the challenge on screen until `deadline` (monotonic)."""

    track_id: int
    attendee_id: str
    challenge: Challenge
    reason: str  # policy | close_match | static_face
    deadline: float
    t: float


@dataclass(frozen=True, slots=True)
class LivenessFailed:
    """The challenge failed: a denied check-in.

    reason: timeout | face_lost (the face left) | face_changed (after the challenge the face no
    longer verifies as the matched person) | not_verified (no frontal frame to check it on).
    """

    track_id: int
    attendee_id: str
    challenge: Challenge
    reason: str  # a code in LIVENESS_FAILURES; the desk refuses with `liveness_<reason>`
    evidence: bytes
    t: float


@dataclass(frozen=True, slots=True)
class EnrollmentFinished:
    """An on-site enrollment run through the desk ended: stored | failed | cancelled."""

    attendee_id: str
    state: str
    reason: str  # for failed: timeout | enrolled_as_other
    t: float


FaceEvent = (
    FaceHint
    | FaceMatched
    | FaceUnknown
    | FaceVerified
    | LivenessStarted
    | LivenessFailed
    | EnrollmentFinished
)
