"""Face check-in at the desk: `FaceStation` (started by kiosk.runtime.faces) and its pacing."""

from kiosk.runtime.face.station import FaceStation
from kiosk.runtime.face.templates import templates_revision_key
from kiosk.runtime.face.timing import (
    LOADING,
    MISMATCH_EN,
    MISMATCH_ZH,
    UNKNOWN_EN,
    UNKNOWN_ZH,
    StationTiming,
    stricter_policy,
)

__all__ = [
    "LOADING",
    "MISMATCH_EN",
    "MISMATCH_ZH",
    "UNKNOWN_EN",
    "UNKNOWN_ZH",
    "FaceStation",
    "StationTiming",
    "stricter_policy",
    "templates_revision_key",
]
