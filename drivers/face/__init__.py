"""Face check-in: detection, tracking, quality gates, 1:N/1:1 matching, liveness, enrollment.

dlib and face_recognition are imported only by `drivers.face.backend`, and only after
`drivers.face.availability` has seen the models load in a child process.
"""

from drivers.face.availability import FaceStatus, face_status, load_engine
from drivers.face.desk import FaceDesk
from drivers.face.engine import BadImage, FaceEngine, face_crop_jpeg, load_rgb
from drivers.face.enrollment import (
    EnrollmentState,
    OnSiteEnrollment,
    enroll_from_roster,
    withdraw,
)
from drivers.face.events import (
    EnrollmentFinished,
    FaceEvent,
    FaceHint,
    FaceMatched,
    FaceUnknown,
    FaceVerified,
    LivenessFailed,
    LivenessStarted,
)
from drivers.face.gallery import Gallery, GalleryError, Match, pack_template, unpack_template
from drivers.face.liveness import Challenge, LivenessPolicy, LivenessSession
from drivers.face.settings import FaceSettings
from drivers.face.verification import CardPhotoDecoder, PersonIdVerifier

__all__ = [
    "BadImage",
    "CardPhotoDecoder",
    "Challenge",
    "EnrollmentFinished",
    "EnrollmentState",
    "FaceDesk",
    "FaceEngine",
    "FaceEvent",
    "FaceHint",
    "FaceMatched",
    "FaceSettings",
    "FaceStatus",
    "FaceUnknown",
    "FaceVerified",
    "Gallery",
    "GalleryError",
    "LivenessFailed",
    "LivenessPolicy",
    "LivenessSession",
    "LivenessStarted",
    "Match",
    "OnSiteEnrollment",
    "PersonIdVerifier",
    "enroll_from_roster",
    "face_crop_jpeg",
    "face_status",
    "load_engine",
    "load_rgb",
    "pack_template",
    "unpack_template",
    "withdraw",
]
