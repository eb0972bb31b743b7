"""Durable check-in throughput on the real disk, beside raw fsync latency and a NORMAL-sync baseline."""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kiosk.core.checkin import CheckInPolicy  # noqa: E402
from kiosk.core.model import DeskMode  # noqa: E402
from kiosk.services.checkin import CheckInService, Credential, Status  # noqa: E402
from sync.store import Store  # noqa: E402
from tests.support.roster import DAY1, at, make_project, make_roster  # noqa: E402

N = 2000


def filesystem(path: Path) -> str:
    """The filesystem type under path (the figure means nothing on tmpfs)."""
    out = subprocess.run(
        ["df", "--output=fstype", str(path)], capture_output=True, text=True, check=False
    )
    return out.stdout.split()[-1] if out.returncode == 0 else "unknown"


def fsync_latency(work: Path) -> float:
    """Median ms for a 4 KiB write + fsync."""
    path = work / "fsync.bin"
    times = []
    with open(path, "wb") as f:
        for _ in range(300):
            t = time.perf_counter()
            f.write(os.urandom(4096))
            f.flush()
            os.fsync(f.fileno())
            times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def service_throughput(work: Path) -> float:
    """Check-ins per second through CheckInService, each its own synchronous=FULL transaction."""
    store = Store.open(work / "kiosk.sqlite3")
    project = make_project()
    store.roster.save_project(project)
    people = make_roster(N)
    store.roster.save_roster(project.number, people)
    svc = CheckInService(
        store=store,
        project=project,
        device_id="bench",
        desk_name="A",
        mode=DeskMode.IN,
        policy=CheckInPolicy(),
    )
    assert store.db.pragma("synchronous") == 2
    start = time.perf_counter()
    for i, p in enumerate(people):
        out = svc.present(
            Credential.id_card(document=p.document), now=at(DAY1, 8) + timedelta(seconds=i)
        )
        assert out.status is Status.ACCEPTED
    elapsed = time.perf_counter() - start
    assert len(store.records.events()) == N
    return N / elapsed


def raw_insert_rate(work: Path, synchronous: str) -> float:
    """Bare single-row INSERT transactions per second at the given synchronous level."""
    conn = sqlite3.connect(work / f"raw-{synchronous}.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    start = time.perf_counter()
    for i in range(N):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (v) VALUES (?)", (f"row {i}",))
        conn.execute("COMMIT")
    return N / (time.perf_counter() - start)


def main() -> None:
    """Print the bench lines."""
    base = ROOT / ".bench-work"
    base.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        work = Path(tmp)
        print(f"# working directory {work} on {filesystem(work)} (not tmpfs)")
        print(f"bench: fsync_latency {fsync_latency(work):.2f} ms")
        print(f"bench: record_throughput {service_throughput(work):.0f} records/s")
        print(f"bench: raw_insert_full {raw_insert_rate(work, 'FULL'):.0f} records/s")
        print(f"bench: raw_insert_normal {raw_insert_rate(work, 'NORMAL'):.0f} records/s")


if __name__ == "__main__":
    main()
