"""The desk's sync handle: snapshots reach the screen in the order they were taken."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

from kiosk.services.platform_sync import SyncHandle
from sync.client.status import SyncStatus


def test_an_older_snapshot_never_lands_after_a_newer_one() -> None:
    """The pull loop's snapshot (offline) is in flight when the outbox's (online) is taken."""
    outbox = SimpleNamespace(status=SyncStatus(online=False, pending=3), endpoint=None)
    worker: Any = SimpleNamespace(outbox=outbox)
    seen: list[SyncStatus] = []
    publishing, newer_done = threading.Event(), threading.Event()

    def listener(status: SyncStatus) -> None:
        if not status.online:
            publishing.set()
            newer_done.wait(0.5)  # without the ordering, the newer one is published meanwhile
        seen.append(status)

    handle = SyncHandle(on_status=listener, worker=worker)
    older = threading.Thread(target=handle._publish)
    older.start()
    assert publishing.wait(5)
    outbox.status = SyncStatus(online=True, pending=0)

    def newer() -> None:
        handle._publish()
        newer_done.set()

    thread = threading.Thread(target=newer)
    thread.start()
    older.join(5)
    thread.join(5)
    assert [s.online for s in seen] == [False, True]
    assert seen[-1] == handle.status()
