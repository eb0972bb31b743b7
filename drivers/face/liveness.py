"""Liveness from landmark tracks: a random challenge (blink, turn left/right) with a time limit.

Blink: both eyes' aspect ratio (Soukupová & Čech 2016) dips below `blink_dip` of its open
baseline and recovers within `blink_max_s`, while the head pose stays put (a photo tilted away
from the camera also flattens the eyes, but flattens the eye-to-mouth distance with them).
Turn: the nose-to-jaw yaw ratio moves by `turn_delta` towards the asked side and reaches
`turn_min_abs`; a flat picture rotated in front of the camera cannot do that, because uniform
foreshortening leaves the ratio nearly unchanged.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from drivers.face.gallery import Match
from drivers.face.geometry import Points, affine_residual, eye_ratios, mouth_drop, yaw_ratio
from drivers.face.settings import FaceSettings


class Challenge(StrEnum):
    """What the person is asked to do (the value is the prompt code the screen puts in words)."""

    BLINK = "blink"
    TURN_LEFT = "turn_left"  # the person's own left
    TURN_RIGHT = "turn_right"


class LivenessPolicy(StrEnum):
    """Per project: never, only when in doubt, or always ask for a challenge."""

    OFF = "off"
    CHALLENGE_ON_DOUBT = "challenge_on_doubt"
    ALWAYS = "always"


class Verdict(StrEnum):
    """Where a liveness session stands."""

    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, eq=False)
class Sample:
    """The tracked face's 68 landmarks at one frame's monotonic time."""

    t: float
    points: Points


@dataclass(frozen=True, slots=True)
class LivenessParams:
    """Judging thresholds (docs/face.md explains each)."""

    blink_dip: float = 0.55  # closed: both EARs at most this fraction of their open baseline
    blink_recover: float = 0.8  # open again: at least this fraction
    blink_max_s: float = 0.8  # open → closed → open within this time, each way
    pose_drift_yaw: float = 0.15  # the yaw ratio may move this much during a blink
    pose_drift_drop: float = 0.12  # and the eye-to-mouth distance this fraction
    turn_delta: float = 0.45  # yaw ratio change towards the asked side (a flat photo: < 0.35)
    turn_min_abs: float = 0.2  # and the yaw ratio reached on that side
    turn_hold: int = 2  # consecutive samples past both
    static_residual: float = 0.025  # below this (in eye distances) the face did not deform
    static_min_samples: int = 6
    static_min_span_s: float = 0.4


def choose_challenge(rng: random.Random | None = None) -> Challenge:
    """A challenge chosen at random (system randomness unless a seeded rng is given)."""
    return (rng or secrets.SystemRandom()).choice(list(Challenge))


def _baseline(values: npt.NDArray[np.float64]) -> float:
    return float(np.percentile(np.asarray(values), 80))


def judge_blink(samples: Sequence[Sample], params: LivenessParams) -> float | None:
    """The time the blink was complete (eyes open again), or None if there was none."""
    if len(samples) < 3:
        return None
    eyes = np.array([eye_ratios(s.points) for s in samples])
    drop = np.array([mouth_drop(s.points) for s in samples])
    yaw = np.array([yaw_ratio(s.points) for s in samples])
    # Foreshortening correction: a head nod or a tilted photo shrinks lids and mouth alike.
    ref_drop = float(np.median(drop)) or 1.0
    eyes = eyes / (drop / ref_drop)[:, None]
    base = np.array([_baseline(eyes[:, 0]), _baseline(eyes[:, 1])])
    if (base <= 0).any():
        return None
    rel = eyes / base
    closed = (rel <= params.blink_dip).all(axis=1)
    opened = (rel >= params.blink_recover).all(axis=1)
    times = np.array([s.t for s in samples])
    n = len(samples)
    last_open = np.maximum.accumulate(np.where(opened, np.arange(n), -1))
    next_open = np.minimum.accumulate(np.where(opened, np.arange(n), n)[::-1])[::-1]
    for i in np.flatnonzero(closed):
        j = int(last_open[i - 1]) if i > 0 else -1
        k = int(next_open[i + 1]) if i + 1 < n else n
        if j < 0 or k >= n:
            continue
        if times[i] - times[j] > params.blink_max_s or times[k] - times[i] > params.blink_max_s:
            continue
        window = slice(j, k + 1)
        if np.abs(yaw[window] - yaw[j]).max() > params.pose_drift_yaw:
            continue
        if np.abs(drop[window] / drop[j] - 1.0).max() > params.pose_drift_drop:
            continue
        return float(times[k])
    return None


def _turn_yaws(
    samples: Sequence[Sample], challenge: Challenge, *, mirror: bool, reference: Sequence[Sample]
) -> tuple[npt.NDArray[np.float64], float]:
    """The yaw ratio towards the asked side per sample, and where the head started from."""
    # Unmirrored image: the person's left is the image's right, where yaw_ratio grows.
    sign = 1.0 if challenge is Challenge.TURN_LEFT else -1.0
    if mirror:
        sign = -sign
    yaw = sign * np.array([yaw_ratio(s.points) for s in samples])
    # A person starts turning as soon as the prompt shows; on a busy desk the session's first
    # samples may already be mid-turn, and a baseline taken there would hide most of the turn.
    start = sign * np.array([yaw_ratio(s.points) for s in reference[-3:]]) if reference else yaw[:3]
    return yaw, float(np.median(start))


def judge_turn(
    samples: Sequence[Sample],
    challenge: Challenge,
    params: LivenessParams,
    *,
    mirror: bool,
    reference: Sequence[Sample] = (),
) -> float | None:
    """The time the asked turn was held, or None.

    The turn is measured from `reference` (the face's last samples before the prompt) when
    given, else from the session's first samples.
    """
    if challenge is Challenge.BLINK or len(samples) < params.turn_hold + 1:
        return None
    yaw, base = _turn_yaws(samples, challenge, mirror=mirror, reference=reference)
    past = yaw >= max(base + params.turn_delta, params.turn_min_abs)
    run = 0
    for i, ok in enumerate(past):
        run = run + 1 if ok else 0
        if run >= params.turn_hold:
            return samples[i].t
    return None


def is_static(samples: Sequence[Sample], params: LivenessParams) -> bool | None:
    """Whether the face only moved rigidly (a photo held still or slid); None: too little data."""
    if len(samples) < params.static_min_samples:
        return None
    if samples[-1].t - samples[0].t < params.static_min_span_s:
        return None
    ref = samples[0].points
    residuals = [affine_residual(ref, s.points) for s in samples[1:]]
    return float(np.percentile(residuals, 90)) < params.static_residual


def needs_challenge(
    policy: LivenessPolicy, *, match: Match, settings: FaceSettings, static: bool | None
) -> str:
    """Why a challenge is needed ("" when it is not): policy, close_match or static_face."""
    if policy is LivenessPolicy.OFF:
        return ""
    if policy is LivenessPolicy.ALWAYS:
        return "policy"
    if match.distance is not None and match.distance > settings.threshold - settings.doubt_band:
        return "close_match"
    if match.margin is not None and match.margin < 2 * settings.margin:
        return "close_match"
    if static is None or static:
        return "static_face"
    return ""


class LivenessSession:
    """One challenge for one tracked face; feed samples in time order, read the verdict."""

    def __init__(
        self,
        challenge: Challenge,
        *,
        started_at: float,
        time_limit_s: float = 6.0,
        mirror: bool = False,
        params: LivenessParams | None = None,
        reference: Sequence[Sample] = (),
    ) -> None:
        self.challenge = challenge
        self.started_at = started_at
        self.deadline = started_at + time_limit_s
        self.mirror = mirror
        self.params = params or LivenessParams()
        self.reference = tuple(reference[-3:])  # where the head was when asked
        self.samples: list[Sample] = []
        self.verdict = Verdict.PENDING
        self.reason = ""
        self.finished_at: float | None = None

    def _finish(self, verdict: Verdict, at: float, reason: str = "") -> Verdict:
        self.verdict, self.finished_at, self.reason = verdict, at, reason
        return verdict

    def feed(self, sample: Sample) -> Verdict:
        """Add the tracked face's landmarks from one frame; PASSED/FAILED are final."""
        if self.verdict is not Verdict.PENDING or sample.t < self.started_at:
            return self.verdict
        if sample.t > self.deadline:
            return self._finish(Verdict.FAILED, sample.t, "timeout")
        self.samples.append(sample)
        if self.challenge is Challenge.BLINK:
            done = judge_blink(self.samples, self.params)
        else:
            done = judge_turn(
                self.samples, self.challenge, self.params, mirror=self.mirror,
                reference=self.reference,
            )  # fmt: skip
        if done is not None:
            return self._finish(Verdict.PASSED, done)
        return self.verdict

    def expire(self, now: float) -> Verdict:
        """Fail the session if its time is up (call when frames stop coming)."""
        if self.verdict is Verdict.PENDING and now > self.deadline:
            return self._finish(Verdict.FAILED, now, "timeout")
        return self.verdict

    def abandon(self, now: float, reason: str = "face_lost") -> Verdict:
        """Fail the session because the face left or was replaced."""
        if self.verdict is Verdict.PENDING:
            return self._finish(Verdict.FAILED, now, reason)
        return self.verdict

    def describe(self) -> str:
        """What the session saw, for the log (landmark figures only, never who)."""
        n = len(self.samples)
        span = self.samples[-1].t - self.samples[0].t if n else 0.0
        seen = f"{self.challenge.value}: {n} samples over {span:.1f} s"
        if self.challenge is Challenge.BLINK or not n:
            return seen
        yaw, base = _turn_yaws(
            self.samples, self.challenge, mirror=self.mirror, reference=self.reference
        )
        best = float(yaw.max())
        need = max(base + self.params.turn_delta, self.params.turn_min_abs)
        return f"{seen}, yaw {base:+.2f} to {best:+.2f} towards the asked side (needs {need:+.2f})"
