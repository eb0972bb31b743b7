"""A desk in a child process: presents attendees in order and prints CONFIRMED after each commit.

Run by test_crash.py, which kills it with SIGKILL at random points and restarts it where the
confirmations stopped, as a real desk would have the person tap again.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from kiosk.core.checkin import CheckInPolicy
from kiosk.core.model import DeskMode
from kiosk.services.checkin import CheckInService, Credential, Status
from sync.store import Store
from tests.support.roster import DAY1, at, make_project, make_roster


def main() -> int:
    """argv: DB START COUNT [CRASH_AFTER_COMMIT]."""
    db, start, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    crash_after = int(sys.argv[4]) if len(sys.argv) > 4 else -1
    store = Store.open(db)
    project = make_project()
    if store.roster.load_project(project.number) is None:
        store.roster.save_project(project)
        store.roster.save_roster(project.number, make_roster(count))
    roster = make_roster(count)
    svc = CheckInService(
        store=store,
        project=project,
        device_id="dev-crash",
        desk_name="A",
        mode=DeskMode.IN,
        policy=CheckInPolicy(duplicate_window=timedelta(days=1)),
    )
    commits = 0
    for i in range(start, count):
        a = roster[i]
        out = svc.present(
            Credential.id_card(document=a.document, name=a.name),
            now=at(DAY1, 8) + timedelta(seconds=i),
        )
        if out.status is Status.ACCEPTED:
            commits += 1
            if commits == crash_after:
                # Committed but not yet confirmed: the window the test must survive.
                os.kill(os.getpid(), signal.SIGKILL)
        assert out.status in (Status.ACCEPTED, Status.ALREADY), out
        uuid = out.event.uuid if out.event else "-"
        sys.stdout.write(f"CONFIRMED {i} {out.status.value} {uuid}\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
