"""A desk process killed with SIGKILL at random points loses no confirmed record and records none twice."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sync.store import Store
from tests.support.roster import make_project, make_roster

WRITER = Path(__file__).with_name("crash_writer.py")
COUNT = 300


def run_writer(
    db: Path, start: int, *, kill_after_lines: int | None, crash_after: int = -1
) -> tuple[list[str], int]:
    """Run the writer, SIGKILLing it once it has confirmed kill_after_lines people.

    The kill is asynchronous, so it lands at an arbitrary point of the following records: inside a
    transaction, during the fsync, between commit and confirmation, or while printing.
    """
    args = [sys.executable, str(WRITER), str(db), str(start), str(COUNT)]
    if crash_after > 0:
        args.append(str(crash_after))
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    lines: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.strip())
            if kill_after_lines is not None and len(lines) >= kill_after_lines:
                proc.kill()

    reader = threading.Thread(target=read)
    reader.start()
    proc.wait(timeout=120)
    reader.join(timeout=10)
    return [ln for ln in lines if ln.startswith("CONFIRMED")], proc.returncode


def crash_and_verify(db: Path, rng: random.Random, *, iterations: int) -> dict[str, int]:
    confirmed: dict[int, str] = {}
    kills = 0
    start = 0
    for it in range(iterations):
        if start >= COUNT:
            break
        # Alternate a kill exactly between commit and confirmation with kills at random instants.
        if it % 2 == 0:
            lines, status = run_writer(
                db, start, kill_after_lines=None, crash_after=rng.randint(1, 10)
            )
        else:
            lines, status = run_writer(db, start, kill_after_lines=rng.randint(1, 20))
        kills += status == -signal.SIGKILL
        for ln in lines:
            _, idx, status, uuid = ln.split()
            if status == "accepted":
                confirmed[int(idx)] = uuid
            start = int(idx) + 1
    # Finish the run without a crash: every remaining person taps until confirmed.
    lines, status = run_writer(db, start, kill_after_lines=None)
    assert status == 0
    for ln in lines:
        _, idx, status, uuid = ln.split()
        if status == "accepted":
            confirmed[int(idx)] = uuid

    store = Store.open(db)
    events = store.records.events()
    uuids = {e.event.uuid for e in events}
    missing = [u for u in confirmed.values() if u not in uuids]
    assert not missing, f"confirmed check-ins lost: {missing}"
    per_person: dict[str, int] = {}
    for e in events:
        per_person[e.event.attendee_id] = per_person.get(e.event.attendee_id, 0) + 1
    twice = {k: v for k, v in per_person.items() if v != 1}
    assert not twice, f"people recorded more than once: {twice}"
    assert len(per_person) == COUNT  # everyone got in eventually
    assert [e.event.seq for e in events] == list(range(1, len(events) + 1)), "sequence has gaps"
    return {"kills": kills, "confirmed": len(confirmed), "events": len(events)}


def _db(tmp_path: Path) -> Path:
    db = tmp_path / "kiosk.sqlite3"
    store = Store.open(db)
    project = make_project()
    store.roster.save_project(project)
    store.roster.save_roster(project.number, make_roster(COUNT))
    store.close()
    return db


@pytest.mark.timeout(300)
def test_sigkill_during_recording_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    stats = crash_and_verify(_db(tmp_path), random.Random(20261124), iterations=6)
    assert stats["kills"] >= 4
    # Kills between commit and confirmation mean some records exist that were never confirmed.
    assert stats["events"] == COUNT


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_sigkill_100_iterations(tmp_path: Path) -> None:
    global COUNT
    COUNT = 2000
    try:
        stats = crash_and_verify(_db(tmp_path), random.Random(7), iterations=100)
    finally:
        COUNT = 300
    assert stats["kills"] >= 50
