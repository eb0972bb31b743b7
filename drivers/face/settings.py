"""Face engine settings: the `[face]` section's values with their documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class FaceSettings:
    """Thresholds and gates; the defaults and the error rates behind them are in docs/face.md."""

    # 1:N identification: the best person's distance must be <= threshold, and the second-best
    # person's distance must exceed the best by at least margin.
    threshold: float = 0.5
    margin: float = 0.06
    # 1:1 verification against one attendee's enrolled template / the ID-card photo.
    verify_threshold: float = 0.55
    card_photo_threshold: float = 0.6
    # Live frames are downscaled to this width for detection (dlib HOG, no upsampling): with a
    # 640-wide camera the smallest face found is about 80 * 640 / detect_width pixels.
    detect_width: int = 480
    detect_upsample: int = 0
    # Photos (roster, CLI) are downscaled so their longer side is at most this, upsampled once.
    photo_max_side: int = 800
    photo_upsample: int = 1
    # Quality gates before a live face is encoded.
    min_face_px: int = 80
    blur_min: float = 40.0  # variance of the Laplacian on the face resized to 128 px wide
    max_yaw: float = 0.5  # |yaw ratio| from landmarks (frontal 0; the test photos: up to 0.42)
    max_roll_deg: float = 25.0
    # Liveness.
    liveness: str = "challenge_on_doubt"  # off | challenge_on_doubt | always
    liveness_timeout_s: float = 6.0
    doubt_band: float = 0.1  # a match with distance > threshold - doubt_band is "close"
    # Tracking and encoding.
    track_ttl_s: float = 1.0
    max_encodes_per_track: int = 3
    reencode_after_s: float = 0.7
    enroll_frames: int = 3

    @classmethod
    def from_config(cls, section: Any) -> FaceSettings:
        """Take every field the `[face]` config section (or any object) has; keep the rest."""
        names = {f.name for f in fields(cls)}
        values = {n: getattr(section, n) for n in names if hasattr(section, n)}
        return cls(**values)
