"""An enrolled desk in a child process: records attendees and syncs with the live server as it goes.

Run by test_platform_crash.py, which SIGKILLs it at random points of its pulls and uploads (or
makes it kill itself right after the server answered an upload, before the answers are stored)
and restarts it where the confirmations stopped. Prints:
  CONFIRMED <index> <status> <uuid>   after a presentation is committed and answered
  SYNC                                before a pull and a drain
  DRAINED <accepted> <duplicate> <rejected> <pending>   after them
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from kiosk.config import load_config
from kiosk.core.checkin import CheckInPolicy
from kiosk.core.model import DeskMode
from kiosk.services.checkin import CheckInService, Credential, Status
from kiosk.services.platform import client_for, pull_project, read_state
from sync.chain import SignedHead
from sync.client import RecordAnswer, SyncClient
from sync.client.outbox import Outbox
from sync.store import Store, StoredEvent
from tests.support.roster import DAY1, at, make_roster

SYNC_EVERY = 5  # records between syncs
BATCH = 4  # records per upload request: a drain is several requests long


class DiesAfterAnswer:
    """The real client, but the process dies once the server has answered upload number N."""

    def __init__(self, client: SyncClient, die_on_upload: int):
        self.client = client
        self.left = die_on_upload

    def upload_events(self, records: Sequence[StoredEvent]) -> Sequence[RecordAnswer]:
        """Upload for real; on the chosen call, SIGKILL before the answers reach the store."""
        answers = self.client.upload_events(records)
        self.left -= 1
        if self.left == 0:
            os.kill(os.getpid(), signal.SIGKILL)
        return answers

    def upload_denied(self, rows: Sequence[dict[str, object]]) -> Sequence[RecordAnswer]:
        """Pass through."""
        return self.client.upload_denied(rows)

    def report_latest_seq(self, seq: int, head: SignedHead | None = None) -> int | None:
        """Pass through."""
        return self.client.report_latest_seq(seq, head)


def main() -> int:
    """argv: CONFIG START COUNT [DIE_ON_UPLOAD]."""
    config = load_config(Path(sys.argv[1]))
    start, count = int(sys.argv[2]), int(sys.argv[3])
    die_on = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    store = Store.open(config.data_dir / "kiosk.sqlite3")
    state = read_state(store)
    assert state.project and state.device_id
    project = store.roster.load_project(state.project)
    assert project is not None
    client = client_for(config, store)
    assert client is not None
    endpoint = DiesAfterAnswer(client, die_on) if die_on else client
    outbox = Outbox(store.outbox, endpoint, batch_size=BATCH)
    svc = CheckInService(
        store=store, project=project, device_id=state.device_id, desk_name="A",
        mode=DeskMode.IN, policy=CheckInPolicy(duplicate_window=timedelta(days=1)),
        denied_key=store.keys.denied_key(project.number),
    )  # fmt: skip
    roster = make_roster(count)

    def sync() -> None:
        print("SYNC", flush=True)
        pull_project(store, client, project.number, limit=3)
        before = dict(client.answer_counts)
        outbox.drain()
        c = {k: client.answer_counts[k] - before.get(k, 0) for k in ("accepted", "duplicate",
                                                                       "rejected")}  # fmt: skip
        print(f"DRAINED {c['accepted']} {c['duplicate']} {c['rejected']} {store.outbox.pending_count()}",
              flush=True)  # fmt: skip

    sync()  # first the records a killed run left unsent
    for i in range(start, count):
        person = roster[i]
        out = svc.present(
            Credential.id_card(document=person.document, name=person.name),
            now=at(DAY1, 8) + timedelta(seconds=i),
        )
        assert out.status in (Status.ACCEPTED, Status.ALREADY), out
        uuid = out.event.uuid if out.event else "-"
        print(f"CONFIRMED {i} {out.status.value} {uuid}", flush=True)
        if (i + 1) % SYNC_EVERY == 0:
            sync()
    sync()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
