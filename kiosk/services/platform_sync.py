"""Background sync for a running desk: uploads (sync.client.worker) and pulls (sync.client.pull).

`start_sync` never blocks its caller: both loops run on their own threads with their own clients,
and every change of state reaches `on_status` as one SyncStatus snapshot (from those threads).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import replace

from kiosk.config import Config
from kiosk.core.errors import KioskError
from kiosk.services.platform_problems import explain
from kiosk.services.platform_pull import PullResult, client_for, pull_project
from kiosk.services.platform_state import read_state
from kiosk.services.screen import SyncState
from sync.client import SyncClient
from sync.client.outbox import Outbox
from sync.client.pull import PullLoop
from sync.client.status import SyncStatus
from sync.client.worker import SyncWorker
from sync.store import Store
from sync.store.outbox import SYNC_STATUS_KEY

__all__ = ["SyncHandle", "start_sync", "sync_state"]

log = logging.getLogger(__name__)


def sync_state(status: SyncStatus) -> SyncState:
    """The screen's sync line from a sync status snapshot."""
    return SyncState(status.line(), ok=bool(status.online and not status.needs_attention))


class SyncHandle:
    """The running (or, when not enrolled, idle) sync of one desk."""

    def __init__(
        self,
        *,
        on_status: Callable[[SyncStatus], None],
        idle: SyncStatus | None = None,
        worker: SyncWorker | None = None,
        puller: PullLoop[PullResult] | None = None,
        clients: tuple[SyncClient, ...] = (),
        store: Store | None = None,
    ):
        self._on_status = on_status
        self._store = store
        self._persisted: dict[str, object] | None = None
        self._idle = idle or SyncStatus()
        self.worker = worker
        self.puller = puller
        self._clients = clients
        self._lock = threading.RLock()  # a listener may publish again on this thread

    @property
    def running(self) -> bool:
        """Whether background threads were started (and not yet stopped)."""
        return any(t is not None and t.is_alive() for t in (self.worker, self.puller))

    def status(self) -> SyncStatus:
        """The current snapshot: uploads, then anything the pull loop or platform says."""
        if self.worker is None:
            return self._idle
        status = self.worker.outbox.status
        if status.needs_attention and self._store is not None:
            # A stopped outbox counts nothing more: what staff see waiting must come from the store.
            try:
                status = replace(status, pending=self._store.outbox.pending_count())
            except KioskError as exc:
                log.warning("pending count unavailable: %s", exc.detail)
        pull = self.puller
        if pull is not None and pull.attention and not status.needs_attention:
            status = replace(status, needs_attention=pull.attention, online=False)
        if pull is not None and pull.error and not status.last_error:
            status = replace(status, last_error=f"pull: {pull.error}")
        desk = getattr(self.worker.outbox.endpoint, "last_desk", None)
        if desk is not None and desk.state == "retired" and not status.needs_attention:
            status = replace(status, needs_attention="device_retired")
        return status

    def _publish(self) -> None:
        # Published under the lock too: two threads' snapshots reach the screen in the order they
        # were taken, so an older one never lands last.
        with self._lock:
            snapshot = self.status()
            self._persist(snapshot)
            try:
                self._on_status(snapshot)
            except Exception:  # a broken listener must not end sync
                log.exception("sync status listener failed")

    def _persist(self, status: SyncStatus) -> None:
        """Keep the latest snapshot in store meta for `cme-kiosk status` (another process)."""
        if self._store is None:
            return
        data: dict[str, object] = {
            "online": status.online, "pending": status.pending,
            "last_success": status.last_success.isoformat() if status.last_success else None,
            "last_error": status.last_error, "clock_offset_ms": status.clock_offset_ms,
            "needs_attention": status.needs_attention, "line": status.line(),
        }  # fmt: skip
        if data == self._persisted:  # unchanged: no write (each one is an fsync)
            return
        try:
            self._store.set_meta(SYNC_STATUS_KEY, json.dumps(data, ensure_ascii=False))
            self._persisted = data
        except KioskError as exc:  # a full disk must not stop sync from reporting
            log.warning("sync status not saved: %s", exc.detail)

    def sync_now(self) -> None:
        """Drain and pull now (returns at once; results arrive through on_status)."""
        if self.worker is not None:
            self.worker.kick()
        if self.puller is not None:
            self.puller.kick()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop both loops (waiting for requests in flight) and close their connections."""
        for thread in (self.worker, self.puller):
            if thread is not None and thread.is_alive():
                thread.stop(timeout)
        if not self.running:
            for client in self._clients:
                client.close()


def _idle(
    store: Store, on_status: Callable[[SyncStatus], None], reason: str, *, error: str = ""
) -> SyncHandle:
    status = SyncStatus(
        online=False, pending=store.outbox.pending_count(), needs_attention=reason, last_error=error
    )
    log.warning("sync not started: %s %s", reason, error)
    handle = SyncHandle(on_status=on_status, idle=status, store=store)
    handle._publish()
    return handle


def start_sync(
    config: Config, store: Store, *, project: str, on_status: Callable[[SyncStatus], None]
) -> SyncHandle:
    """Start uploads and pulls for `project` in the background; never blocks the caller."""
    state = read_state(store)
    if not state.enrolled:
        return _idle(store, on_status, "not_enrolled")
    if state.project != project:
        return _idle(store, on_status, "not_enrolled_for_project")
    try:
        push = client_for(config, store)
        pull = client_for(config, store)
    except (ValueError, OSError) as exc:
        # An http:// URL or an unreadable CA file: say so instead of retrying forever.
        return _idle(
            store, on_status, "bad_setting", error=f"平台设置无效 / bad platform setting: {exc}"
        )
    if push is None or pull is None:
        return _idle(store, on_status, "no_server")
    if not push.token:
        push.close()
        pull.close()
        return _idle(store, on_status, "not_enrolled")
    handle = SyncHandle(on_status=on_status, clients=(push, pull), store=store)
    outbox = Outbox(
        store.outbox, push, batch_size=config.sync.batch_size, heartbeat_s=config.sync.heartbeat_s
    )
    handle.worker = SyncWorker(
        outbox, on_status=lambda _s: handle._publish(), interval_s=config.sync.push_interval_s
    )
    handle.puller = PullLoop(
        lambda: pull_project(store, pull, project), interval_s=config.sync.pull_interval_s,
        on_change=handle._publish, describe=lambda exc: explain(exc).en,
        asked_s=lambda: float(pull.pace.pull_s),
    )  # fmt: skip
    handle.worker.start()
    handle.puller.start()
    log.info("sync started for %s as %s", project, state.device_id)
    return handle
