"""Face check-in at the desk: `FaceStation` (started by kiosk.runtime.faces), its screen events."""

from kiosk.runtime.face.screen import (
    FACE_NAME,
    LOADING,
    MISMATCH_EN,
    MISMATCH_ZH,
    UNKNOWN_EN,
    UNKNOWN_ZH,
    EnrollmentControls,
    EnrollmentOffer,
    EnrollmentUpdate,
    FacePrompt,
    PreviewFrame,
    StationTiming,
    stricter_policy,
)
from kiosk.runtime.face.station import FaceStation
from kiosk.runtime.face.templates import templates_revision_key

__all__ = [
    "FACE_NAME",
    "LOADING",
    "MISMATCH_EN",
    "MISMATCH_ZH",
    "UNKNOWN_EN",
    "UNKNOWN_ZH",
    "EnrollmentControls",
    "EnrollmentOffer",
    "EnrollmentUpdate",
    "FacePrompt",
    "FaceStation",
    "PreviewFrame",
    "StationTiming",
    "stricter_policy",
    "templates_revision_key",
]
