"""The face station's pacing and texts that are not screen events."""

from __future__ import annotations

from dataclasses import dataclass

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
