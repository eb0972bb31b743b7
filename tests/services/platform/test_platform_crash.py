"""A syncing desk SIGKILLed at random points of its pulls and uploads: nothing lost, none twice.

The desk is a child process (crash_sync_kiosk.py) enrolled with the live TLS server. Kills land at
random instants after it announces a sync (inside a pull page, an upload, the answers' commit), or
exactly after the server answered an upload but before the desk stored the answers, the window
that turns into `duplicate` answers on the retry. After a final clean run the server holds every
record exactly once, the desk holds all of them synced, and every confirmed one is among them.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from kiosk.services.platform import enroll_kiosk
from sync.store import Store
from tests.support.desks import seed_platform
from tests.support.live_server import LiveServer
from tests.support.platform_kiosk import NUMBER, open_store, write_config
from tests.support.roster import make_project

KIOSK = Path(__file__).with_name("crash_sync_kiosk.py")


def run_kiosk(
    cfg: Path, start: int, count: int, *, kill: tuple[int, float] | None, die_on_upload: int = 0
) -> tuple[list[str], int]:
    """Run the desk; with kill=(n, delay) SIGKILL it `delay` s after its n-th SYNC line."""
    args = [sys.executable, str(KIOSK), str(cfg), str(start), str(count)]
    if die_on_upload:
        args.append(str(die_on_upload))
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    lines: list[str] = []
    timers: list[threading.Timer] = []

    def read() -> None:
        assert proc.stdout is not None
        syncs = 0
        for line in proc.stdout:
            lines.append(line.strip())
            if kill is not None and line.startswith("SYNC"):
                syncs += 1
                if syncs == kill[0]:
                    timer = threading.Timer(kill[1], proc.kill)  # SIGKILL
                    timers.append(timer)
                    timer.start()

    reader = threading.Thread(target=read)
    reader.start()
    proc.wait(timeout=120)
    reader.join(timeout=10)
    for timer in timers:
        timer.cancel()
    return lines, proc.returncode


def crash_and_verify(
    srv: LiveServer, tmp_path: Path, rng: random.Random, *, iterations: int, count: int
) -> dict[str, int]:
    """Kill and restart the desk `iterations` times, finish cleanly, then check both sides."""
    # The server keeps real time: the desk learns a ~0 offset, so its day-1 scan instants
    # (fixed, like the recording crash test's) stay on the project's days once corrected by it.
    seed_platform(srv, make_project(), roster_size=count)
    cfg = write_config(tmp_path, "A")
    config, store = open_store(cfg)
    code, _ = srv.admin.enroll_code(NUMBER)
    # Enrolled with an empty roster pull: the child's first pulls (3 per page) are killed too.
    enroll_kiosk(config, store, server_url=srv.url, code=code, ca_bundle=srv.tls.ca_pem)
    store.set_meta(f"platform_cursor:{NUMBER}", "0")
    store.close()

    confirmed: dict[int, str] = {}
    stats: Counter[str] = Counter()
    start = 0

    def absorb(lines: list[str]) -> None:
        nonlocal start
        for ln in lines:
            parts = ln.split()
            if parts[0] == "CONFIRMED":
                if parts[2] == "accepted":
                    confirmed[int(parts[1])] = parts[3]
                start = int(parts[1]) + 1
            elif parts[0] == "DRAINED":
                stats["duplicate"] += int(parts[2])
                stats["rejected"] += int(parts[3])

    for it in range(iterations):
        if start >= count:
            break
        # The last one before the clean run dies between the server's answer and the local commit.
        if it % 3 == 2 or it == iterations - 1:
            lines, status = run_kiosk(cfg, start, count, kill=None, die_on_upload=rng.randint(1, 3))
        else:
            lines, status = run_kiosk(
                cfg, start, count, kill=(rng.randint(1, 3), rng.uniform(0.0, 0.08))
            )
        stats["kills"] += status == -signal.SIGKILL
        absorb(lines)
    lines, status = run_kiosk(cfg, start, count, kill=None)
    assert status == 0, lines[-5:]
    absorb(lines)

    store = Store.open(config.data_dir / "kiosk.sqlite3")
    events = store.records.events()
    local = {e.event.uuid for e in events}
    assert all(e.sync_state == "synced" for e in events) and store.outbox.pending_count() == 0
    assert store.outbox.dead_letters() == [] and stats["rejected"] == 0
    people = Counter(e.event.attendee_id for e in events)
    assert len(people) == count and set(people.values()) == {1}, "someone recorded twice"
    assert [e.event.seq for e in events] == list(range(1, len(events) + 1))
    assert store.roster.roster_size(NUMBER) == count  # the killed pulls resumed and completed
    server = [str(e["uuid"]) for e in srv.admin.stored_events(NUMBER)]
    assert len(server) == len(set(server)), "the server stored a record twice"
    assert set(server) == local, "server and desk disagree"
    lost = [u for u in confirmed.values() if u not in local]
    assert not lost, f"confirmed check-ins lost: {lost}"
    [desk] = srv.admin.devices(NUMBER)
    assert desk.highest_contiguous == len(events) and desk.missing == 0 and desk.complete
    store.close()
    return {**stats, "confirmed": len(confirmed), "events": len(events)}


@pytest.mark.timeout(180)
def test_sigkill_during_sync_loses_nothing_and_duplicates_nothing(
    live_server: LiveServer, tmp_path: Path
) -> None:
    stats = crash_and_verify(live_server, tmp_path, random.Random(20261202), iterations=6, count=60)
    assert stats["kills"] >= 5
    assert stats["duplicate"] >= 1  # a lost answer came back as `duplicate`, stored once


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_sigkill_during_sync_100_iterations(live_server: LiveServer, tmp_path: Path) -> None:
    stats = crash_and_verify(live_server, tmp_path, random.Random(7), iterations=110, count=900)
    assert stats["kills"] >= 100
    assert stats["duplicate"] >= 20
