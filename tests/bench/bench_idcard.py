"""ID-card software overhead: last byte of a read response on the pty → check-in committed.

A simulated SAM reader answers on a real pty; the SAM worker parses the 1295-byte response and
its listener presents the card to CheckInService, which commits to SQLite (WAL,
synchronous=FULL) on the real disk before returning. The clock starts just before the
simulator writes the frame's last byte. Printed beside it: the same path stopping at the parsed
event (driver only), and present() alone (service and store only).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from drivers.idcard.events import CardEvent, CardRemoved, IdCardRead  # noqa: E402
from drivers.idcard.sam import SamReader, SamTiming  # noqa: E402
from drivers.sim.idcard_samples import resident_card  # noqa: E402
from drivers.sim.sam_reader import start_sam_simulator  # noqa: E402
from kiosk.core.checkin import CheckInPolicy  # noqa: E402
from kiosk.core.model import DeskMode  # noqa: E402
from kiosk.services.checkin import CheckInService, Credential, Status  # noqa: E402
from sync.store import Store  # noqa: E402
from tests.support.roster import DAY1, at, make_project, make_roster  # noqa: E402

N = 300
TIMING = SamTiming(poll_s=0.005, removal_s=0.03, reconnect_s=0.05)


def filesystem(path: Path) -> str:
    """The filesystem type under path (a commit on tmpfs would mean nothing)."""
    out = subprocess.run(
        ["df", "--output=fstype", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.split()[-1] if out.returncode == 0 else "unknown"


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Desk:
    """The reader's listener: time the parsed event, present it, time the commit."""

    def __init__(self, service: CheckInService, sim_sent: Callable[[], float]) -> None:
        self.service = service
        self.sent = sim_sent
        self.to_event: list[float] = []
        self.to_commit: list[float] = []
        self.present_only: list[float] = []
        self.i = 0
        self.done = threading.Semaphore(0)
        self.removed = threading.Semaphore(0)

    def __call__(self, event: CardEvent) -> None:
        if isinstance(event, CardRemoved):
            self.removed.release()
            return
        if not isinstance(event, IdCardRead):
            return
        t_event = time.monotonic()
        cred = Credential.id_card(
            document=event.document, name=event.text.name, valid_to=event.valid_to
        )
        t0 = time.monotonic()
        out = self.service.present(cred, now=at(DAY1, 8) + timedelta(seconds=self.i))
        t_commit = time.monotonic()
        assert out.status is Status.ACCEPTED and out.event is not None, out
        last_byte = self.sent()
        self.to_event.append(t_event - last_byte)
        self.to_commit.append(t_commit - last_byte)
        self.present_only.append(t_commit - t0)
        self.i += 1
        self.done.release()


def run(work: Path) -> Desk:
    """N taps of N different roster cards through pty → reader → service → store."""
    store = Store.open(work / "kiosk.sqlite3")
    project = make_project()
    store.roster.save_project(project)
    people = make_roster(N)
    store.roster.save_roster(project.number, people)
    service = CheckInService(
        store=store,
        project=project,
        device_id="bench",
        desk_name="A",
        mode=DeskMode.IN,
        policy=CheckInPolicy(),
    )
    port, sim = start_sam_simulator(work / "ttySAM")
    desk = Desk(service, lambda: sim.last_read_sent_at)
    reader = SamReader(port, timing=TIMING)
    reader.add_listener(desk)
    reader.start()
    try:
        for p in people:
            n = p.document.number
            sim.place(resident_card(name=p.name, region=n[:6], birth=n[6:14], seq=n[14:17]))
            if not desk.done.acquire(timeout=10):
                raise RuntimeError(f"no check-in after placing card {desk.i + 1}")
            sim.remove()
            if not desk.removed.acquire(timeout=10):
                raise RuntimeError("card removal not seen")
    finally:
        reader.stop()
        sim.stop()
    assert len(store.records.events()) == N
    return desk


def main() -> None:
    """Print the bench lines."""
    base = ROOT / ".bench-work"
    base.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        work = Path(tmp)
        print(f"# working directory {work} on {filesystem(work)}; {N} taps, 1295-byte frames")
        desk = run(work)
    print(f"bench: idcard_overhead_median {statistics.median(desk.to_commit) * 1000:.2f} ms")
    print(f"bench: idcard_overhead_p99 {pct(desk.to_commit, 0.99):.2f} ms")
    print(f"bench: idcard_to_event_median {statistics.median(desk.to_event) * 1000:.3f} ms")
    print(f"bench: idcard_to_event_p99 {pct(desk.to_event, 0.99):.3f} ms")
    print(f"bench: idcard_present_median {statistics.median(desk.present_only) * 1000:.2f} ms")
    print(f"bench: idcard_present_p99 {pct(desk.present_only, 0.99):.2f} ms")


if __name__ == "__main__":
    main()
