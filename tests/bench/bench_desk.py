"""The desk as staff meet it: cold start, the answer's latency to the screen, memory with face on.

bench: desk_cold_start — `cme-kiosk run` from process start to the window ready for cards
       (face on: its models load behind; beside it the same start with face off).
bench: ui_answer_latency — from the committed record to the first painted frame showing it
       (median of 100 presentations through the real desk service, bridge and window).
bench: desk_rss — the running desk's resident memory with face on and 10,000 people enrolled.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from drivers.face.gallery import DIM, pack_template  # noqa: E402
from kiosk.core.model import Method  # noqa: E402
from kiosk.core.timeutil import local_day, utc_now  # noqa: E402
from sync.store import Store  # noqa: E402
from tests.support.faces import still_video  # noqa: E402
from tests.support.roster import make_project, make_roster  # noqa: E402

READY = "cme-kiosk: desk ready"
FACE_READY = "face check-in ready"
GALLERY = 10_000


def prepare(data: Path, *, templates: int = 0) -> None:
    """A desk's store with today's project (face accepted) and, optionally, enrolled faces."""
    today = local_day(utc_now())
    base = make_project()
    checkin = dataclasses.replace(base.checkin, methods=base.checkin.methods | {Method.FACE},
                                  liveness="off")  # fmt: skip
    project = dataclasses.replace(base, days=(today,), sessions=(), checkin=checkin)
    store = Store.open(data / "kiosk.sqlite3")
    store.roster.save_project(project)
    roster = make_roster(max(3, min(templates, 200)))
    store.roster.save_roster(project.number, roster)
    rng = np.random.default_rng(7)
    for i in range(templates):
        v = rng.normal(size=(1, DIM)).astype(np.float32)
        v /= np.linalg.norm(v)
        store.records.save_face_template(
            project=project.number, attendee_id=f"P{i:05d}", template=pack_template(v),
            source="roster_photo", consent_at=utc_now(),
        )  # fmt: skip
    store.close()


def config(path: Path, video: Path, *, face: bool) -> Path:
    path.write_text(
        f'[camera]\nenabled = true\nsource = "{video}"\nfps = 15\n'
        f'[face]\nenabled = {"true" if face else "false"}\nliveness = "off"\n'
        "[scanner]\nwedge = false\n",
        encoding="utf-8",
    )
    return path


class Desk:
    """`python -m kiosk run` with its output read line by line."""

    def __init__(self, data: Path, cfg: Path) -> None:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CME_KIOSK_DATA_DIR=str(data),
                   CME_KIOSK_CONFIG=str(cfg))  # fmt: skip
        self.started = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-m", "kiosk", "run"], cwd=ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
        self.seen: dict[str, float] = {}
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            for key in (READY, FACE_READY):
                if key in line and key not in self.seen:
                    self.seen[key] = time.perf_counter() - self.started

    def wait(self, key: str, timeout: float = 120.0) -> float:
        deadline = time.monotonic() + timeout
        while key not in self.seen:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit(f"desk never said {key!r}")
            time.sleep(0.01)
        return self.seen[key]

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def bench_cold_start(work: Path, video: Path) -> None:
    runs: dict[str, list[float]] = {"face_on": [], "face_off": []}
    face_ready: list[float] = []
    for i in range(3):
        for name, face in (("face_on", True), ("face_off", False)):
            data = work / f"cold-{name}-{i}"
            data.mkdir()
            prepare(data)
            desk = Desk(data, config(work / f"{name}-{i}.toml", video, face=face))
            runs[name].append(desk.wait(READY))
            if face:
                face_ready.append(desk.wait(FACE_READY))
            desk.stop()
    print(f"bench: desk_cold_start {statistics.median(runs['face_on']):.2f} s", flush=True)
    print(f"bench: desk_cold_start_face_off {statistics.median(runs['face_off']):.2f} s")
    print(f"bench: desk_face_ready_after_start {statistics.median(face_ready):.2f} s", flush=True)


def bench_answer_latency(work: Path) -> None:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from kiosk.services.checkin import Credential
    from tests.support.desk import DeskRig
    from tests.support.roster import DAY1, FakeClock, at

    app = QApplication.instance() or QApplication(sys.argv[:1])
    rig = DeskRig(work / "latency", clock=FakeClock(at(DAY1, 8, 31)))
    window = rig.window(camera=False)
    window.fill_screen()
    committed: list[float] = []
    painted: list[float] = []
    records = rig.store.records
    real_append = records.append_event

    def append(*args: Any, **kw: Any) -> Any:
        stored = real_append(*args, **kw)
        committed.append(time.perf_counter())
        return stored

    records.append_event = append  # type: ignore[method-assign]

    class Painted(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and len(painted) < len(committed):
                painted.append(time.perf_counter())
            return False

    spy = Painted()
    window.card.installEventFilter(spy)
    people = make_roster(100)
    rig.store.roster.save_roster(rig.project.number, people)
    for n in range(100):
        person = people[n]  # each tap a new record
        rig.desk.submit(Credential.id_card(document=person.document, name=person.name))
        deadline = time.monotonic() + 5
        while len(painted) <= n and time.monotonic() < deadline:
            app.processEvents()
    latencies = [(p - c) * 1000 for c, p in zip(committed, painted, strict=False)]
    print(f"bench: ui_answer_latency {statistics.median(latencies):.1f} ms "
          f"(p95 {np.percentile(latencies, 95):.1f} ms, n={len(latencies)})", flush=True)  # fmt: skip
    window.card.removeEventFilter(spy)
    rig.close()


def bench_rss(work: Path, video: Path) -> None:
    data = work / "rss"
    data.mkdir()
    prepare(data, templates=GALLERY)
    desk = Desk(data, config(work / "rss.toml", video, face=True))
    desk.wait(FACE_READY, timeout=300)
    time.sleep(3)  # frames flowing through the face desk and the preview
    print(f"bench: desk_rss {desk.rss_mb():.0f} MB (face on, {GALLERY} enrolled)", flush=True)
    desk.stop()
    data_off = work / "rss-off"
    data_off.mkdir()
    prepare(data_off)
    desk = Desk(data_off, config(work / "rss-off.toml", video, face=False))
    desk.wait(READY)
    time.sleep(3)
    print(f"bench: desk_rss_face_off {desk.rss_mb():.0f} MB", flush=True)
    desk.stop()


def main() -> None:
    """Print the bench lines."""
    base = ROOT / ".bench-work"
    base.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        work = Path(tmp)
        video = still_video(work / "empty.avi", np.full((480, 640, 3), 100, dtype=np.uint8))
        bench_cold_start(work, video)
        bench_answer_latency(work)
        bench_rss(work, video)


if __name__ == "__main__":
    main()
