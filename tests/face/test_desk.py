"""The face desk end to end: frames in (synthetic, the clip, the camera driver), events out."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from drivers.camera import Frame, OpenCvCamera
from drivers.face.backend import Encoding, FaceBackend, Image
from drivers.face.desk import FaceDesk
from drivers.face.engine import FaceEngine, bgr_to_rgb, load_rgb
from drivers.face.events import (
    LIVENESS_FAILURES,
    FaceEvent,
    FaceHint,
    FaceMatched,
    FaceUnknown,
    FaceVerified,
    LivenessFailed,
    LivenessStarted,
)
from drivers.face.gallery import Gallery
from drivers.face.geometry import Box, Points
from drivers.face.liveness import Challenge, choose_challenge
from kiosk.services.driver_texts import face_hint_text
from tests.support import face_tracks as ft
from tests.support.faces import PhotoCache, gallery_of, paste, still_scene, still_video

pytestmark = pytest.mark.timeout(120)


class CountingBackend:
    """The real backend, counting encodings (the expensive step: once per track)."""

    def __init__(self, inner: FaceBackend) -> None:
        self.inner = inner
        self.encodes = 0

    def detect(self, rgb: Image, *, upsample: int) -> list[tuple[Box, float]]:
        return self.inner.detect(rgb, upsample=upsample)

    def landmarks(self, rgb: Image, box: Box) -> Points:
        return self.inner.landmarks(rgb, box)

    def encode(self, rgb: Image, box: Box) -> Encoding:
        self.encodes += 1
        return self.inner.encode(rgb, box)


class Events:
    """Collects desk events (from whatever thread emits them)."""

    def __init__(self) -> None:
        self.items: list[FaceEvent] = []
        self.cond = threading.Condition()

    def __call__(self, event: FaceEvent) -> None:
        with self.cond:
            self.items.append(event)
            self.cond.notify_all()

    def of(self, kind: type) -> list:  # type: ignore[type-arg]
        return [e for e in self.items if isinstance(e, kind)]

    def wait_for(self, kind: type, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: bool(self.of(kind)), timeout)


def feed(desk: FaceDesk, frames: list[np.ndarray] | np.ndarray, *, n: int = 0, fps: float = 15.0,
         t0: float = 100.0) -> None:  # fmt: skip
    seq = list(frames) if isinstance(frames, list) else [frames] * n
    for k, img in enumerate(seq):
        img.flags.writeable = False
        desk.feed(Frame(k + 1, t0 + k / fps, img))


@pytest.fixture
def counting(engine: FaceEngine) -> FaceEngine:
    return FaceEngine(CountingBackend(engine.backend), engine.settings)


def test_policy_off_one_match_per_track_encoded_once(
    counting: FaceEngine, photos: PhotoCache
) -> None:
    events = Events()
    desk = FaceDesk(engine=counting, gallery=gallery_of(photos), on_event=events, policy="off")
    feed(desk, still_scene(photos, "obama-720p.jpg"), n=20)
    matched = events.of(FaceMatched)
    assert len(matched) == 1 and matched[0].attendee_id == "obama"
    assert matched[0].liveness == "off" and matched[0].distance < 0.5
    assert matched[0].frame_t == 100.0  # decided on the first frame the face appeared in
    assert counting.backend.encodes == 1  # type: ignore[attr-defined]
    crop = load_rgb(matched[0].evidence)  # the evidence is a readable JPEG of the face
    assert 100 <= crop.shape[0] <= 240 and matched[0].evidence[:2] == b"\xff\xd8"
    assert not events.of(LivenessStarted)


def test_the_primary_face_is_served_never_the_bystander(
    engine: FaceEngine, photos: PhotoCache
) -> None:
    obama = load_rgb(ft.FACES / "obama-720p.jpg")
    biden = load_rgb(ft.FACES / "biden.jpg")
    ob = photos.faces(ft.FACES / "obama-720p.jpg")[0].box
    bb = photos.faces(ft.FACES / "biden.jpg")[0].box
    canvas = np.full((480, 640, 3), 100, dtype=np.uint8)
    scene = paste(canvas, obama, ob, at=(250, 160), face_px=150)
    scene = paste(scene, biden, bb, at=(20, 30), face_px=100)  # a bystander in the corner
    events = Events()
    desk = FaceDesk(engine=engine, gallery=gallery_of(photos), on_event=events, policy="off")
    assert len(engine.detect_live(bgr_to_rgb(scene))) == 2
    feed(desk, scene, n=8)
    assert [e.attendee_id for e in events.of(FaceMatched)] == ["obama"]
    # The other way round: the bystander is obama now.
    swapped = paste(np.full((480, 640, 3), 100, dtype=np.uint8), biden, bb, at=(250, 160),
                    face_px=150)  # fmt: skip
    swapped = paste(swapped, obama, ob, at=(500, 330), face_px=100)
    events2 = Events()
    desk2 = FaceDesk(engine=engine, gallery=gallery_of(photos), on_event=events2, policy="off")
    feed(desk2, swapped, n=8)
    assert [e.attendee_id for e in events2.of(FaceMatched)] == ["biden"]


def test_stranger_is_unknown_and_retried_within_budget(
    counting: FaceEngine, photos: PhotoCache
) -> None:
    events = Events()
    g = gallery_of(photos, leave_out="rose_leslie")
    desk = FaceDesk(engine=counting, gallery=g, on_event=events, policy="off")
    feed(desk, still_scene(photos, "enroll/rose_leslie/img2.jpg"), n=60)  # 4 s of frames
    assert not events.of(FaceMatched)
    unknown = events.of(FaceUnknown)
    assert unknown and unknown[0].reason == "above_threshold" and unknown[0].distance > 0.5
    assert counting.backend.encodes == 3  # type: ignore[attr-defined]  # max_encodes_per_track


def test_small_and_blurred_faces_get_hints_not_matches(
    engine: FaceEngine, photos: PhotoCache
) -> None:
    import cv2

    events = Events()
    desk = FaceDesk(engine=engine, gallery=gallery_of(photos), on_event=events, policy="off")
    big = still_scene(photos, "obama-720p.jpg", face_px=150)
    feed(desk, cv2.GaussianBlur(big, (0, 0), 3), n=4)
    assert [e.problem for e in events.of(FaceHint)] == ["blurry"]
    assert face_hint_text(events.of(FaceHint)[0].problem)[0] == "请保持不动"
    desk.reset()
    small = still_scene(photos, "obama-720p.jpg", face_px=100)
    small_engine = FaceEngine(engine.backend, replace(engine.settings, min_face_px=120))
    desk2 = FaceDesk(engine=small_engine, gallery=gallery_of(photos), on_event=events,
                     policy="off")  # fmt: skip
    feed(desk2, small, n=4)
    assert events.of(FaceHint)[-1].problem == "too_small"
    assert not events.of(FaceMatched)


def test_one_to_one_after_a_card_tap(engine: FaceEngine, photos: PhotoCache) -> None:
    events = Events()
    desk = FaceDesk(engine=engine, gallery=gallery_of(photos), on_event=events, policy="off")
    desk.expect("obama")
    feed(desk, still_scene(photos, "biden.jpg"), n=5)
    v = events.of(FaceVerified)
    assert len(v) == 1 and not v[0].matched and v[0].attendee_id == "obama"
    assert v[0].reference == "template" and v[0].distance > 0.55
    desk.expect("biden")
    feed(desk, still_scene(photos, "biden.jpg"), n=5, t0=200.0)
    v = events.of(FaceVerified)
    assert len(v) == 2 and v[1].matched and v[1].attendee_id == "biden"
    # One tap, one verification: the next person is identified 1:N again.
    desk.reset()
    feed(desk, still_scene(photos, "obama-720p.jpg"), n=3, t0=300.0)
    assert [e.attendee_id for e in events.of(FaceMatched)] == ["obama"]


@pytest.mark.parametrize("policy", ["challenge_on_doubt", "always"])
def test_still_photo_loop_through_the_camera_is_refused(
    policy: str, engine: FaceEngine, photos: PhotoCache, tmp_path: Path
) -> None:
    video = still_video(tmp_path / "still.avi", still_scene(photos, "obama-720p.jpg"))
    fast = FaceEngine(engine.backend, replace(engine.settings, liveness_timeout_s=2.0))
    events = Events()
    desk = FaceDesk(engine=fast, gallery=gallery_of(photos), on_event=events, policy=policy)
    cam = OpenCvCamera(str(video), fps=15)
    cam.subscribe(desk.feed, name="face")
    cam.start()
    try:
        assert events.wait_for(LivenessFailed, timeout=15)
    finally:
        cam.close()
    started = events.of(LivenessStarted)
    assert len(started) == 1 and started[0].attendee_id == "obama"
    assert started[0].reason == ("static_face" if policy == "challenge_on_doubt" else "policy")
    failed = events.of(LivenessFailed)[0]
    assert failed.reason == "timeout" and failed.attendee_id == "obama"
    assert failed.reason in LIVENESS_FAILURES and failed.evidence
    assert not events.of(FaceMatched)


@pytest.fixture(scope="module")
def clip_gallery(engine: FaceEngine) -> Gallery:
    """The clip's person enrolled from three frontal frames (as on-site enrollment would)."""
    g = Gallery()
    for _, bgr in ft.clip_frames(144, 158, step=4)[:3]:
        rgb = bgr_to_rgb(bgr)
        g.add("hamilton", engine.encode(rgb, engine.detect_live(rgb)[0][0]))
    return g


def seeded(challenge: Challenge) -> random.Random:
    seed = next(s for s in range(1000) if choose_challenge(random.Random(s)) is challenge)
    return random.Random(seed)


def clip_desk(engine: FaceEngine, gallery: Gallery, events: Events, challenge: Challenge,
              *, limit: float = 3.0) -> FaceDesk:  # fmt: skip
    fast = FaceEngine(engine.backend, replace(engine.settings, liveness_timeout_s=limit))
    return FaceDesk(engine=fast, gallery=gallery, on_event=events, policy="always",
                    rng=seeded(challenge))  # fmt: skip


def play(desk: FaceDesk, frames: list[tuple[float, np.ndarray]]) -> None:
    for k, (t, bgr) in enumerate(frames):
        desk.feed(Frame(k + 1, t, bgr))


def test_real_head_turn_passes_the_challenge(engine: FaceEngine, clip_gallery: Gallery) -> None:
    events = Events()
    desk = clip_desk(engine, clip_gallery, events, Challenge.TURN_RIGHT)
    play(desk, ft.clip_frames(164, 216, step=2))
    started = events.of(LivenessStarted)
    assert [s.challenge for s in started] == [Challenge.TURN_RIGHT]
    matched = events.of(FaceMatched)
    assert len(matched) == 1 and matched[0].liveness == "passed"
    assert matched[0].attendee_id == "hamilton" and not events.of(LivenessFailed)


def test_wrong_direction_times_out(engine: FaceEngine, clip_gallery: Gallery) -> None:
    events = Events()
    desk = clip_desk(engine, clip_gallery, events, Challenge.TURN_LEFT, limit=1.2)
    play(desk, ft.clip_frames(164, 214, step=2))  # 1.7 s of a right turn: past the limit
    assert not events.of(FaceMatched)
    assert [e.reason for e in events.of(LivenessFailed)] == ["timeout"]


def test_face_leaving_during_the_challenge_fails_it(
    engine: FaceEngine, clip_gallery: Gallery
) -> None:
    events = Events()
    desk = clip_desk(engine, clip_gallery, events, Challenge.BLINK)
    frames = ft.clip_frames(164, 176, step=2)
    empty = np.zeros_like(frames[0][1])
    later = [(frames[-1][0] + 0.1 * k, empty) for k in range(1, 16)]
    play(desk, frames + later)
    assert events.of(LivenessStarted)
    assert [e.reason for e in events.of(LivenessFailed)] == ["face_lost"]


def test_a_swapped_face_after_the_challenge_is_refused(
    engine: FaceEngine, clip_gallery: Gallery, photos: PhotoCache
) -> None:
    """A live accomplice turns; a different (turned) face finishes the turn in the same place."""
    frames = ft.clip_frames(164, 184, step=2)  # begun, not passed (from where he was asked)
    last_t, last = frames[-1]
    box = engine.detect_live(bgr_to_rgb(last))[0][0]
    other = load_rgb(ft.FACES / "obama2.jpg")  # a photo of someone looking to the side
    ob = photos.faces(ft.FACES / "obama2.jpg")[0].box
    swapped = paste(last, other, ob, at=(box.left, box.top), face_px=box.width)
    events = Events()
    desk = clip_desk(engine, clip_gallery, events, Challenge.TURN_RIGHT)
    play(desk, frames + [(last_t + 0.07 * k, swapped) for k in range(1, 6)])
    assert not events.of(FaceMatched)
    assert [e.reason for e in events.of(LivenessFailed)] == ["face_changed"]


def test_listener_errors_do_not_stop_the_desk(engine: FaceEngine, photos: PhotoCache) -> None:
    calls: list[FaceEvent] = []

    def broken(e: FaceEvent) -> None:
        calls.append(e)
        raise RuntimeError("screen bug")

    desk = FaceDesk(engine=engine, gallery=gallery_of(photos), on_event=broken, policy="off")
    feed(desk, still_scene(photos, "obama-720p.jpg"), n=2)
    desk.reset()
    feed(desk, still_scene(photos, "biden.jpg"), n=2, t0=time.monotonic())
    assert [type(c) for c in calls] == [FaceMatched, FaceMatched]
