"""Face check-in at a desk: camera frames in, events out (match, unknown, liveness, 1:1).

Per frame: detect on a downscaled copy, track boxes by IoU, take only the primary face (largest
and most central: never a bystander), landmarks and quality gates, then encode once per track
(a refused track is retried at most `max_encodes_per_track` times, `reencode_after_s` apart),
identify 1:N (or verify 1:1 after `expect`), apply the liveness policy, and emit one final event
per track. `feed` runs on one thread (the camera subscription's); the control methods may be
called from any thread, return at once, and take effect at the next frame.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from drivers.camera.events import Frame
from drivers.face.backend import Encoding
from drivers.face.engine import FaceEngine, bgr_to_rgb, face_crop_jpeg, gray_of
from drivers.face.enrollment import OnSiteEnrollment
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
from drivers.face.gallery import Gallery, Match
from drivers.face.geometry import Box, primary_index
from drivers.face.liveness import (
    LivenessParams,
    LivenessPolicy,
    LivenessSession,
    Sample,
    Verdict,
    choose_challenge,
    is_static,
    needs_challenge,
)
from drivers.face.settings import FaceSettings
from drivers.face.tracker import IouTracker, Track
from drivers.face.verification import PersonIdVerifier

log = logging.getLogger(__name__)

_HISTORY = 45  # landmark samples kept per track (3 s at 15 fps)


@dataclass(slots=True)
class _Expect:
    attendee_id: str
    card_photo: bytes | None
    until: float | None


@dataclass(slots=True)
class _TrackState:
    samples: list[Sample] = field(default_factory=list)
    encodes: int = 0
    last_encode_t: float = -1e9
    encoding: Encoding | None = None
    evidence: bytes = b""
    frame_t: float = 0.0
    match: Match | None = None
    expect: _Expect | None = None
    verified: tuple[bool, float | None, str] | None = None
    session: LivenessSession | None = None
    reason_shown: str = ""
    done: bool = False


class FaceDesk:
    """The face pipeline of one desk (see the module docstring for the order of work)."""

    def __init__(
        self,
        *,
        engine: FaceEngine,
        gallery: Gallery,
        on_event: Callable[[FaceEvent], None],
        settings: FaceSettings | None = None,
        policy: LivenessPolicy | str | None = None,
        project: str | None = None,
        verifier: PersonIdVerifier | None = None,
        mirror: bool = False,
        rng: random.Random | None = None,
        params: LivenessParams | None = None,
        static_wait_s: float = 0.6,
        recheck_s: float = 2.0,
    ) -> None:
        self.engine = engine
        self.gallery = gallery
        self.settings = settings or engine.settings
        self.policy = LivenessPolicy(policy or self.settings.liveness)
        self.project = project
        self.verifier = verifier or PersonIdVerifier(
            engine=engine, gallery=gallery, settings=self.settings, project=project
        )
        self.mirror = mirror
        self.params = params or LivenessParams()
        self._emit_cb = on_event
        self._rng = rng
        self._static_wait = static_wait_s
        self._recheck_s = recheck_s
        self._tracker = IouTracker(ttl_s=self.settings.track_ttl_s)
        self._states: dict[int, _TrackState] = {}
        self._ctl = threading.Lock()
        self._commands: list[Callable[[], None]] = []
        self._expect: _Expect | None = None
        self._enrollment: OnSiteEnrollment | None = None
        self.primary_box: tuple[Box, int, int] | None = None  # (box, frame width, height)

    # -- control (any thread; never waits for a frame in progress) ---------------------------

    def _command(self, fn: Callable[[], None]) -> None:
        with self._ctl:
            self._commands.append(fn)

    def expect(
        self,
        attendee_id: str | None,
        *,
        card_photo: bytes | None = None,
        until: float | None = None,
    ) -> None:
        """1:1 mode for the next face (after a card tap); None returns to 1:N identification.

        `card_photo`: the card's WLT photo bytes (used when a decoder is configured); `until`:
        monotonic time after which the desk falls back to 1:N. Applied at the next frame.
        """
        wanted = _Expect(attendee_id, card_photo, until) if attendee_id else None

        def apply() -> None:
            self._expect = wanted
            self._reset_tracks()

        self._command(apply)

    def begin_enrollment(self, flow: OnSiteEnrollment) -> None:
        """Send frames to an on-site enrollment until it reaches a final state."""

        def apply() -> None:
            self._enrollment = flow

        self._command(apply)

    def set_policy(self, policy: LivenessPolicy | str) -> None:
        """Change the liveness policy (the project's setting) from the next frame on."""
        chosen = LivenessPolicy(policy)

        def apply() -> None:
            self.policy = chosen

        self._command(apply)

    def reset(self) -> None:
        """Forget every track (a new person may step up and be served again)."""
        self._command(self._reset_tracks)

    def _reset_tracks(self) -> None:
        self._tracker.clear()
        self._states.clear()

    # -- frames (one consumer thread: the camera subscription) ----------------------------------

    def feed(self, frame: Frame) -> None:
        """Process one frame; events go to `on_event` before this returns."""
        with self._ctl:
            commands, self._commands = self._commands, []
        for command in commands:
            command()
        flow = self._enrollment
        if flow is not None:
            state = flow.feed(frame.image, frame.t)
            if state.final:
                self._enrollment = None
                self._reset_tracks()
                self._emit(EnrollmentFinished(flow.attendee_id, state.value, flow.reason, frame.t))
            return
        self._process(frame)

    def _emit(self, event: FaceEvent) -> None:
        try:
            self._emit_cb(event)
        # The desk keeps running whatever the listener does.
        except Exception:
            log.exception("face event listener failed")

    def _process(self, frame: Frame) -> None:
        t = frame.t
        rgb = bgr_to_rgb(frame.image)
        found = self.engine.detect_live(rgb)
        boxes = [b for b, _ in found]
        tracks, ended = self._tracker.update(boxes, t)
        for tr in ended:
            self._end_track(tr, t)
        for tid, other in list(self._states.items()):
            if other.session is not None and other.session.expire(t) is Verdict.FAILED:
                self._liveness_failed(tid, other, t)
        i = primary_index(boxes, width=rgb.shape[1], height=rgb.shape[0])
        # For the screen's preview (read from another thread: one tuple, replaced whole).
        self.primary_box = None if i is None else (boxes[i], rgb.shape[1], rgb.shape[0])
        if i is None:
            return
        track, (box, score) = tracks[i], found[i]
        st = self._states.setdefault(track.id, _TrackState())
        if st.done:
            return
        seen = self.engine.inspect(rgb, gray_of(rgb), box, score)
        st.samples.append(Sample(t, seen.points))
        del st.samples[:-_HISTORY]
        if st.session is not None:
            self._continue_liveness(track, st, rgb, box, t, frontal=seen.quality.ok)
            return
        if not seen.quality.ok:
            if st.reason_shown != seen.quality.problem:
                st.reason_shown = seen.quality.problem
                self._emit(FaceHint(track.id, seen.quality.problem, t))
            return
        undecided = st.match is None and st.verified is None
        if undecided and not self._encode_and_decide(track, st, frame, rgb, box):
            return
        self._after_identity(track, st, t)

    def _encode_and_decide(
        self, track: Track, st: _TrackState, frame: Frame, rgb: np.ndarray, box: Box
    ) -> bool:
        """Encode (within the per-track budget) and identify or verify; True once decided."""
        t = frame.t
        s = self.settings
        if st.encodes >= s.max_encodes_per_track or t - st.last_encode_t < s.reencode_after_s:
            return False
        st.encodes += 1
        st.last_encode_t = t
        st.encoding = self.engine.encode(rgb, box)
        st.evidence = face_crop_jpeg(frame.image, box)
        st.frame_t = t
        expect = self._expect
        if expect is not None and expect.until is not None and t > expect.until:
            expect = self._expect = None  # the card tap is too long ago: back to 1:N
        if expect is not None:
            st.expect = expect
            r = self.verifier.verify(
                st.encoding, attendee_id=expect.attendee_id, card_photo=expect.card_photo
            )
            st.verified = (r.matched, r.distance, r.reference)
            if not r.matched:
                self._finish_verified(track, st, t, liveness="not_needed")
                return False
            st.match = Match(expect.attendee_id, expect.attendee_id, r.distance, None, "match")
            return True
        match = self.gallery.identify(
            st.encoding, threshold=s.threshold, margin=s.margin, project=self.project
        )
        if match.person is None:
            if st.encodes == 1 or st.reason_shown != match.reason:
                st.reason_shown = match.reason
                self._emit(
                    FaceUnknown(track.id, match.reason, match.nearest, match.distance,
                                match.second_distance, t)
                )  # fmt: skip
            return False
        st.match = match
        return True

    def _after_identity(self, track: Track, st: _TrackState, t: float) -> None:
        assert st.match is not None
        static = is_static(st.samples, self.params)
        reason = needs_challenge(self.policy, match=st.match, settings=self.settings, static=static)
        if reason == "static_face" and static is None and t - track.first_t < self._static_wait:
            return  # too few frames to tell a still picture from a person: wait a little
        if not reason:
            self._succeed(
                track, st, t, "off" if self.policy is LivenessPolicy.OFF else "not_needed"
            )
            return
        challenge = choose_challenge(self._rng)
        st.session = LivenessSession(
            challenge,
            started_at=t,
            time_limit_s=self.settings.liveness_timeout_s,
            mirror=self.mirror,
            params=self.params,
            reference=st.samples,  # up to this frame: where the head was when asked
        )
        assert st.match.person is not None
        self._emit(
            LivenessStarted(track.id, st.match.person, challenge, reason, st.session.deadline, t)
        )

    def _continue_liveness(
        self, track: Track, st: _TrackState, rgb: np.ndarray, box: Box, t: float, *, frontal: bool
    ) -> None:
        session = st.session
        assert session is not None and st.match is not None and st.encoding is not None
        if session.verdict is Verdict.PENDING:
            verdict = session.feed(st.samples[-1])
            if verdict is Verdict.FAILED:
                self._liveness_failed(track.id, st, t)
            if verdict is not Verdict.PASSED:
                return
        # Passed. The face that did the challenge must still be the matched person (no swap
        # mid-way): encode it again on the next frontal frame (a turn ends looking sideways).
        assert session.finished_at is not None
        if t > session.finished_at + self._recheck_s:
            self._liveness_failed(track.id, st, t, reason="not_verified")
            return
        if not frontal:
            return
        again = self.engine.encode(rgb, box)
        d = float(np.linalg.norm(again - st.encoding))
        if st.match.person is not None:
            v = self.gallery.verify(
                again, st.match.person, threshold=self.settings.verify_threshold,
                project=self.project,
            )  # fmt: skip
            d = min(d, v.distance if v.distance is not None else d)
        if d > self.settings.verify_threshold:
            self._liveness_failed(track.id, st, t, reason="face_changed")
            return
        self._succeed(track, st, t, "passed")

    def _succeed(self, track: Track, st: _TrackState, t: float, liveness: str) -> None:
        st.done = True
        assert st.match is not None and st.match.person is not None
        if st.verified is not None:
            self._finish_verified(track, st, t, liveness=liveness)
            return
        m = st.match
        assert m.distance is not None
        self._emit(
            FaceMatched(track.id, m.person or "", m.distance, m.second_distance, st.evidence,
                        liveness, st.frame_t, t)
        )  # fmt: skip

    def _finish_verified(self, track: Track, st: _TrackState, t: float, *, liveness: str) -> None:
        st.done = True
        assert st.verified is not None and st.expect is not None
        matched, distance, reference = st.verified
        self._emit(
            FaceVerified(track.id, st.expect.attendee_id, matched, distance, reference,
                         st.evidence, liveness, t)
        )  # fmt: skip
        with_expect = self._expect
        if with_expect is st.expect:
            self._expect = None  # one card tap, one verification

    def _liveness_failed(
        self, track_id: int, st: _TrackState, t: float, *, reason: str = ""
    ) -> None:
        assert st.session is not None and st.match is not None
        st.done = True
        why = reason or st.session.reason or "timeout"
        log.info("liveness failed (%s): %s", why, st.session.describe())
        self._emit(
            LivenessFailed(track_id, st.match.person or "", st.session.challenge, why,
                           st.evidence, t)
        )  # fmt: skip
        st.session = None

    def _end_track(self, tr: Track, t: float) -> None:
        st = self._states.pop(tr.id, None)
        if st is not None and not st.done and st.session is not None:
            st.session.abandon(t)
            self._liveness_failed(tr.id, st, t)
