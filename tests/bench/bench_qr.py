"""QR decode time per camera frame for zxing-cpp, pyzbar and OpenCV, and frame-to-check-in latency.

Frames are camera-like (textured, noisy background, a ticket held slightly tilted) in BGR as the
camera driver delivers them; every backend decodes the same frames in the same run. The check-in
latency runs the desk's real path: the frame worker's thread decodes, the code is verified, and
CheckInService commits the record (synchronous=FULL on the real disk) before the clock stops.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from drivers.qr.decode import FrameDecoder  # noqa: E402
from drivers.qr.detection import QrScanned  # noqa: E402
from drivers.qr.worker import QrFrameWorker  # noqa: E402
from kiosk.config import QrSection  # noqa: E402
from kiosk.core.codes import MemoryReplayGuard, handle_scan  # noqa: E402
from kiosk.core.codes.verdict import Verdict  # noqa: E402
from kiosk.core.model import DeskMode, Method  # noqa: E402
from kiosk.services.checkin import CheckInService, Credential, Outcome, Status  # noqa: E402
from sync.store import Store  # noqa: E402
from tests.support.qr import PlatformKeys, bgr, camera_frame  # noqa: E402
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster  # noqa: E402

Frame = npt.NDArray[np.uint8]
RUNS = 30  # decodes per frame variant
VARIANTS = 4  # different scenes and tilts
ATTENDEES = 60  # check-ins for the latency figure

SIZES = {"480p": (640, 480, 190), "720p": (1280, 720, 280)}  # width, height, code size in px


def frames(keys: PlatformKeys, width: int, height: int, size: int) -> list[tuple[Frame, str]]:
    """Camera-like BGR frames, each with one ticket, and the ticket's payload."""
    out = []
    for i in range(VARIANTS):
        payload = keys.ticket("2026-15-01-001", f"A{i + 1}", start=at(DAY1, 0))
        gray = camera_frame(
            [payload], width=width, height=height, size=size, angle=(-8, 3, 11, -2)[i], seed=i
        )
        out.append((bgr(gray), payload))
    return out


def zxing_like(name: str) -> Callable[[Frame], list[str]]:
    decoder = FrameDecoder.open(name, formats=QrSection().formats)
    return lambda f: [d.text for d in decoder.decode(f)]


def opencv() -> Callable[[Frame], list[str]]:
    detector = cv2.QRCodeDetector()

    def decode(frame: Frame) -> list[str]:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        text, _points, _ = detector.detectAndDecode(gray)
        return [text] if text else []

    return decode


def time_decoder(
    decode: Callable[[Frame], list[str]], material: list[tuple[Frame, str]]
) -> tuple[float, int, int]:
    """Median ms per frame, frames decoded correctly, frames tried."""
    times: list[float] = []
    good = 0
    for frame, payload in material:
        decode(frame)  # warm-up: lazy initialisation is not per-frame cost
        for _ in range(RUNS):
            start = time.perf_counter()
            found = decode(frame)
            times.append(time.perf_counter() - start)
            good += found == [payload]
    return statistics.median(times) * 1000, good, len(times)


def checkin_latency(work: Path, keys: PlatformKeys) -> tuple[float, float]:
    """Median and 90th-percentile ms from a 720p frame's arrival to the committed check-in."""
    store = Store.open(work / "kiosk.sqlite3")
    project = make_project()
    store.roster.save_project(project)
    people = make_roster(ATTENDEES)
    store.roster.save_roster(project.number, people)
    clock = FakeClock(at(DAY1, 8, 30))
    service = CheckInService(
        store=store, project=project, device_id="bench", desk_name="A", mode=DeskMode.IN,
        clock=clock, denied_key=b"k" * 32,
    )  # fmt: skip
    context = keys.context(
        project, clock=clock, roster={p.id for p in people}, guard=MemoryReplayGuard()
    )
    width, height, size = SIZES["720p"]
    material = [
        bgr(camera_frame([keys.ticket(project.number, p.id, start=at(DAY1, 0))], width=width,
                         height=height, size=size, seed=i))
        for i, p in enumerate(people)
    ]  # fmt: skip
    done = threading.Event()
    result: list[tuple[float, Outcome | None]] = []

    def admit(verdict: Verdict) -> Outcome:
        assert verdict.attendee_id is not None
        return service.present(Credential.attendee(verdict.attendee_id, method=Method.QR))

    def on_scan(event: QrScanned) -> None:
        scan = handle_scan(event.detection.payload, context=context, admit=admit, deny=service)
        result.append((time.perf_counter() - event.at, scan.outcome))
        done.set()

    worker = QrFrameWorker(
        FrameDecoder.open("zxing", formats=QrSection().formats),
        on_scan=on_scan, clock=time.perf_counter,
    )  # fmt: skip
    worker.start()
    latencies = []
    try:
        for frame in material:
            done.clear()
            worker.submit(frame)  # stamped with perf_counter at arrival
            assert done.wait(10), "no check-in"
            latency, outcome = result[-1]
            assert outcome is not None and outcome.status is Status.ACCEPTED, outcome
            latencies.append(latency * 1000)
            clock.advance(seconds=1)
    finally:
        worker.stop()
        store.close()
    assert len(Store.open(work / "kiosk.sqlite3").records.events()) == ATTENDEES
    return statistics.median(latencies), statistics.quantiles(latencies, n=10)[-1]


def main() -> None:
    """Print the bench lines."""
    keys = PlatformKeys()
    decoders = {"zxing": zxing_like("zxing"), "zbar": zxing_like("zbar"), "opencv": opencv()}
    for label, (width, height, size) in (("720p", SIZES["720p"]), ("480p", SIZES["480p"])):
        material = frames(keys, width, height, size)
        for name, decode in decoders.items():
            ms, good, tried = time_decoder(decode, material)
            print(f"# {label} {name}: decoded {good}/{tried} frames correctly")
            print(f"bench: qr_decode_{label}_{name} {ms:.2f} ms")
    base = ROOT / ".bench-work"
    base.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        median, p90 = checkin_latency(Path(tmp), keys)
    print(f"# frame arrival to committed check-in at 720p, {ATTENDEES} attendees: p90 {p90:.1f} ms")
    print(f"bench: qr_checkin_median {median:.1f} ms")


if __name__ == "__main__":
    main()
