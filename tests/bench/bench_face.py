"""Face benchmarks: per-frame cost, gallery search beside face_recognition, check-in latency
through the camera driver and the real store, liveness time, memory with 10k templates."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from drivers.camera import Frame, OpenCvCamera  # noqa: E402
from drivers.face.availability import load_engine  # noqa: E402
from drivers.face.desk import FaceDesk  # noqa: E402
from drivers.face.engine import FaceEngine, bgr_to_rgb, load_rgb  # noqa: E402
from drivers.face.events import FaceEvent, FaceMatched  # noqa: E402
from drivers.face.gallery import DIM, Gallery  # noqa: E402
from drivers.face.liveness import Challenge, LivenessSession, Verdict  # noqa: E402
from kiosk.core.checkin import CheckInPolicy  # noqa: E402
from kiosk.core.model import DeskMode, Method  # noqa: E402
from kiosk.services.checkin import CheckInService, Credential, Status  # noqa: E402
from sync.store import Store  # noqa: E402
from tests.support import face_tracks as ft  # noqa: E402
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster  # noqa: E402

PEOPLE = ["alex_lacamoire", "biden", "kit_harington", "obama", "rose_leslie"]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def frame_480p() -> np.ndarray:
    """A 640×480 BGR frame with one face (obama-480p.jpg, centre crop)."""
    rgb = load_rgb(ft.FACES / "obama-480p.jpg")
    x0 = (rgb.shape[1] - 640) // 2
    return np.ascontiguousarray(rgb[:, x0 : x0 + 640, ::-1])


def bench_frame(engine: FaceEngine) -> None:
    """Detect (downscaled) + landmarks + encode one 640×480 frame; beside face_recognition's way."""
    import face_recognition

    bgr = frame_480p()

    def ours() -> None:
        rgb = bgr_to_rgb(bgr)
        (box, _score), *_ = engine.detect_live(rgb)
        engine.backend.landmarks(rgb, box)
        engine.encode(rgb, box)

    def theirs() -> None:
        rgb = bgr_to_rgb(bgr)
        locations = face_recognition.face_locations(rgb)  # full size, upsampled once
        face_recognition.face_encodings(rgb, locations)

    def detect_only() -> None:
        rgb = bgr_to_rgb(bgr)
        engine.backend.landmarks(rgb, engine.detect_live(rgb)[0][0])

    for name, fn in (("face_frame_480p", ours), ("face_frame_480p_face_recognition", theirs),
                     ("face_frame_480p_track_only", detect_only)):  # fmt: skip
        fn()
        times = []
        for _ in range(25):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        print(f"bench: {name} {ms(statistics.median(times))} ms", flush=True)


def synthetic_gallery(n: int, real: np.ndarray) -> tuple[Gallery, np.ndarray]:
    """n rows shaped like real encodings (per-dimension mean and spread of the real ones)."""
    rng = np.random.default_rng(1)
    rows = (real.mean(0) + rng.normal(size=(n, DIM)) * real.std(0)).astype(np.float32)
    g = Gallery()
    g.add_many([f"P{i}" for i in range(n)], rows, projects=["bench"] * n)
    return g, rows


def bench_search(real: np.ndarray) -> None:
    """1:N search time per probe at 10k and 100k rows, beside face_recognition.compare_faces."""
    import face_recognition

    rng = np.random.default_rng(2)
    for n in (10_000, 100_000):
        g, rows = synthetic_gallery(n, real)
        probes = real[rng.integers(0, len(real), 50)] + rng.normal(0, 0.02, (50, DIM))
        g.identify(probes[0], threshold=0.5, margin=0.06)  # consolidate outside the timing
        t = time.perf_counter()
        for p in probes:
            g.identify(p, threshold=0.5, margin=0.06)
        print(f"bench: face_search_{n // 1000}k {ms((time.perf_counter() - t) / len(probes))} ms")
        if n == 10_000:
            known = [r.astype(np.float64) for r in rows]  # the library's own types: lists of f64
            t = time.perf_counter()
            for p in probes:
                d = face_recognition.face_distance(known, p)
                face_recognition.compare_faces(known, p, tolerance=0.5)
                int(np.argmin(d))
            per = (time.perf_counter() - t) / len(probes)
            print(f"bench: face_search_10k_compare_faces {ms(per)} ms", flush=True)
            for p in probes[:10]:  # the same answers, or the comparison would mean nothing
                d = face_recognition.face_distance(known, p)
                m = g.identify(p, threshold=2.0, margin=0.0)
                assert m.nearest == f"P{int(np.argmin(d))}"
                assert m.distance is not None and abs(m.distance - float(d.min())) < 1e-4


def bench_checkin(engine: FaceEngine, real_by_person: dict[str, np.ndarray], work: Path) -> None:
    """From the first camera frame showing an enrolled face to the committed record (liveness off).

    A looping video (empty room, then a face) is read by the camera driver at 15 fps; the desk
    runs on the camera's delivery thread and hands the match to CheckInService, which commits to
    SQLite (WAL, synchronous=FULL) on the real disk before returning.
    """
    import cv2

    store = Store.open(work / "kiosk.sqlite3")
    project = make_project()
    store.roster.save_project(project)
    roster = make_roster(1000)
    store.roster.save_roster(project.number, roster)
    gallery = Gallery()
    _, filler = synthetic_gallery(995, np.concatenate(list(real_by_person.values())))
    gallery.add_many([a.id for a in roster[5:]], filler, projects=[project.number] * 995)
    for a, person in zip(roster[:5], PEOPLE, strict=True):
        gallery.add(a.id, real_by_person[person], project=project.number)
    clock = FakeClock(at(DAY1, 8))
    service = CheckInService(store=store, project=project, device_id="bench", desk_name="A",
                             mode=DeskMode.IN, clock=clock,
                             policy=CheckInPolicy(duplicate_window=timedelta(0)))  # fmt: skip

    face = frame_480p()
    empty = np.full_like(face, 90)
    face[:16, :16] = 255  # a marker: which frames show the face, seen by a second consumer
    empty[:16, :16] = 0
    video = work / "arrivals.avi"
    w = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 15.0, (640, 480))
    for img in [empty] * 8 + [face] * 6:
        w.write(img)
    w.release()

    appeared: list[float] = []
    latencies: list[float] = []
    done = threading.Event()
    previous = {"face": False}

    def watch(frame: Frame) -> None:
        shows = bool(frame.image[:16, :16].mean() > 128)
        if shows and not previous["face"]:
            appeared.append(frame.t)
        previous["face"] = shows

    def on_event(event: FaceEvent) -> None:
        if not isinstance(event, FaceMatched):
            return
        clock.advance(seconds=1)
        out = service.present(
            Credential.attendee(event.attendee_id, method=Method.FACE, evidence=event.evidence)
        )
        committed = time.monotonic()
        assert out.status is Status.ACCEPTED, out.message_en
        start = max(t for t in appeared if t <= event.frame_t)
        latencies.append(committed - start)
        if len(latencies) >= 40:
            done.set()

    # The empty stretch (0.53 s) outlasts a 0.3 s track life: each loop is a new arrival.
    quick = FaceEngine(engine.backend, replace(engine.settings, track_ttl_s=0.3))
    desk = FaceDesk(engine=quick, gallery=gallery, on_event=on_event, policy="off",
                    project=project.number)  # fmt: skip
    cam = OpenCvCamera(str(video), fps=15)
    cam.subscribe(watch, name="marker")
    sub = cam.subscribe(desk.feed, name="face")
    cam.start()
    done.wait(timeout=120)
    cam.close()
    assert len(latencies) >= 40, f"only {len(latencies)} check-ins"
    assert len(store.records.events()) == len(latencies)
    q = statistics.quantiles(latencies, n=20)
    print(f"# {len(latencies)} arrivals; face consumer skipped {sub.dropped} stale frames")
    print(f"bench: face_checkin_median {ms(statistics.median(latencies))} ms")
    print(f"bench: face_checkin_p95 {ms(q[18])} ms", flush=True)


def bench_liveness(engine: FaceEngine) -> None:
    """Prompt-to-verdict time on the positive fixtures (their own time base) plus judging cost."""
    clip = ft.landmark_track(engine, ft.clip_frames(84, 216, step=2))
    fixtures: list[tuple[Challenge, list]] = [  # type: ignore[type-arg]
        (Challenge.TURN_RIGHT, [s for s in clip if 84 / ft.CLIP_FPS <= s.t < 142 / ft.CLIP_FPS]),
        (Challenge.TURN_LEFT, [s for s in clip if 132 / ft.CLIP_FPS <= s.t < 166 / ft.CLIP_FPS]),
    ]
    for name in ("obama.jpg", "biden.jpg"):
        rgb = load_rgb(ft.FACES / name)
        pts = engine.backend.landmarks(rgb, engine.detect_photo(rgb)[0][0])
        for seed, fps in ((1, 15.0), (2, 10.0), (3, 30.0)):
            # The blink starts 0.5 s after the prompt: a typical simple reaction time.
            fixtures.append((Challenge.BLINK, ft.blink_track(pts, fps=fps, seed=seed,
                                                             blink_at=0.5)))  # fmt: skip
    spans = []
    cpu = []
    for challenge, samples in fixtures:
        t = time.perf_counter()
        s = LivenessSession(challenge, started_at=samples[0].t)
        for x in samples:
            if s.feed(x) is not Verdict.PENDING:
                break
        cpu.append((time.perf_counter() - t) / max(1, len(s.samples)))
        assert s.verdict is Verdict.PASSED and s.finished_at is not None
        spans.append(s.finished_at - samples[0].t)
    print(f"bench: face_liveness_median {ms(statistics.median(spans))} ms")
    print(f"bench: face_liveness_judge_per_frame {statistics.median(cpu) * 1e6:.0f} us")


RSS_CHILD = """
import sys, numpy as np
sys.path.insert(0, {root!r})
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
base = rss()
from drivers.face.availability import load_engine
from drivers.face.gallery import Gallery
engine, status = load_engine(probe=lambda: (True, 'probed by the parent'))
assert engine is not None, status
models = rss()
g = Gallery.load(__import__('pathlib').Path({path!r}))
g.identify(np.zeros(128, dtype=np.float32), threshold=0.5, margin=0.06)
print(f"{{base:.1f}} {{models:.1f}} {{rss():.1f}} {{len(g)}}")
"""


def bench_rss(real: np.ndarray, work: Path) -> None:
    """Resident memory of a fresh process with the models and a 10,000-template gallery."""
    g, _ = synthetic_gallery(10_000, real)
    path = work / "gallery10k.npz"
    g.save(path)
    proc = subprocess.run(
        [sys.executable, "-c", RSS_CHILD.format(root=str(ROOT), path=str(path))],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    base, models, total, rows = proc.stdout.split()
    assert int(rows) == 10_000
    print(f"bench: face_rss_10k {float(total):.0f} MB")
    print(f"bench: face_rss_models_only {float(models):.0f} MB")
    print(f"bench: face_rss_python_numpy {float(base):.0f} MB", flush=True)


def bench_threads(engine: FaceEngine) -> None:
    """Two threads on 480p frames: the shared models under one lock (what the desk does) beside
    one set of models per thread (the alternative, ~120 MB more per thread)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
        import dlib
        import face_recognition_models as frm

    frame = np.ascontiguousarray(frame_480p()[:, :, ::-1])
    n = 15

    def shared_work() -> None:
        for _ in range(n):
            for box, _score in engine.backend.detect(frame, upsample=0):
                engine.backend.landmarks(frame, box)
                engine.encode(frame, box)

    def own_models() -> Callable[[], None]:
        det = dlib.get_frontal_face_detector()
        s68 = dlib.shape_predictor(frm.pose_predictor_model_location())
        s5 = dlib.shape_predictor(frm.pose_predictor_five_point_model_location())
        enc = dlib.face_recognition_model_v1(frm.face_recognition_model_location())

        def work() -> None:
            for _ in range(n):
                for r in det(frame, 0):
                    s68(frame, r)
                    enc.compute_face_descriptor(frame, s5(frame, r), 1)

        return work

    for name, works in (
        ("lock", [shared_work, shared_work]),
        ("own", [own_models(), own_models()]),
    ):
        threads = [threading.Thread(target=w) for w in works]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        fps = 2 * n / (time.perf_counter() - t)
        print(f"bench: face_models_2threads_{name} {fps:.1f} frames/s", flush=True)


def main() -> None:
    """Print the bench lines (the check-in run last, as the issue asks)."""
    engine, status = load_engine()
    if engine is None:
        raise SystemExit(f"face models unavailable: {status.detail}")
    by_person = {}
    for person, paths in ft.enrolled_people().items():
        by_person[person] = np.stack([engine.photo_faces(load_rgb(p))[0].encoding for p in paths])
    real = np.concatenate(list(by_person.values()))
    bench_frame(engine)
    bench_threads(engine)
    bench_search(real)
    bench_liveness(engine)
    base = ROOT / ".bench-work"
    base.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        bench_rss(real, Path(tmp))
        bench_checkin(engine, by_person, Path(tmp))


if __name__ == "__main__":
    main()
