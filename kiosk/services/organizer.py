"""The organizer's workspace without Qt: one worker thread, and views published to listeners.

Every action (open, refresh, correct, import, mark, export, submit) is queued on one "organizer"
thread, which alone touches SQLite, files and the network. What the screens show leaves as frozen
values (kiosk.services.organizer_view) handed to each listener on that thread; the Qt bridge is
one such listener and re-emits them on the GUI thread. Offline, the workspace works on the last
pulled copy and says how old it is.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.core.credits.calendar import deadline_status
from kiosk.core.credits.corrections import Correction, CorrectionError
from kiosk.core.credits.submission import submission_window
from kiosk.core.rules import ProfileError
from kiosk.core.timeutil import Clock, utc_now
from kiosk.reports.organizer_data import (
    Pulled,
    Revision,
    load,
    profile_for,
    pull_changes,
    revision,
    save_not_held,
)
from kiosk.reports.pulled import NotHeld
from kiosk.reports.search import SearchIndex
from kiosk.reports.workspace import Workspace, WorkspaceError
from kiosk.services.events import Listeners
from kiosk.services.events import Subscription as EventSubscription
from kiosk.services.organizer_actions import WorkspaceActions, new_correction
from kiosk.services.organizer_review import Computed, Results, compute
from kiosk.services.organizer_view import ActionResult, Computing, WorkspaceEvent, WorkspaceView
from sync.client.errors import PermanentSyncError, TransientSyncError

if TYPE_CHECKING:  # httpx and the wire models load only when the platform is asked
    from sync.client import SyncClient
    from sync.protocol import DeskCompleteness, LedgerStanding

log = logging.getLogger(__name__)

__all__ = ["Listener", "OrganizerService", "Subscription", "new_correction"]

Listener = Callable[[WorkspaceEvent], None]
Subscription = EventSubscription[WorkspaceEvent]


class OrganizerService(WorkspaceActions):
    """One project's workspace: the pulled copy, the review, and the actions on it."""

    def __init__(
        self,
        ws: Workspace,
        number: str,
        *,
        rules_dirs: Sequence[Path] = (),
        clock: Clock = utc_now,
        timeout: float = 15.0,
    ) -> None:
        self.ws = ws
        self.number = number
        self._dirs = list(rules_dirs)
        self._clock = clock
        self._timeout = timeout
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="organizer")
        self._listeners: Listeners[WorkspaceEvent] = Listeners("workspace")
        # Worker thread only, from here on.
        self._pulled: Pulled | None = None  # loaded only when an action needs the records
        self._pulled_digest = ""
        self._revision: Revision | None = None  # the pulled copy's digest, time and project
        self._results = Results(ws, number)  # the last result, in memory and kept on disk
        self._offset = timedelta(0)  # the platform's clock minus ours, learned at each pull
        self._online = False
        self._desks: tuple[DeskCompleteness, ...] | None = None
        self._ledger: LedgerStanding | None = None
        self._submitted_at: datetime | None = None
        self._search: SearchIndex | None = None
        self._view: WorkspaceView | None = None

    # -- listeners (any thread) ------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Subscription:
        """Receive every view and answer from now on, on the worker thread."""
        return self._listeners.subscribe(listener)

    def _publish(self, event: WorkspaceEvent) -> None:
        self._listeners.publish(event)

    def close(self) -> None:
        """Finish the action in progress, stop the worker, keep the last result for next time."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        try:
            self._keep()  # the worker has stopped: its state is this thread's now
        except Exception:  # closing never fails on the cache: the next open computes
            log.exception("review not kept")

    # -- queued actions (any thread; they run on the worker) ---------------------------------

    def _queue(self, action: str, work: Callable[[], ActionResult]) -> Future[ActionResult]:
        def run() -> ActionResult:
            try:
                result = work()
            except (WorkspaceError, CorrectionError, ProfileError) as exc:
                result = ActionResult(action, False, code="invalid", detail=str(exc))
            except TransientSyncError as exc:
                self._online = False
                result = ActionResult(action, False, code="offline", detail=str(exc))
            except PermanentSyncError as exc:
                result = ActionResult(action, False, code="platform_refused", detail=str(exc))
            except OSError as exc:
                result = ActionResult(
                    action, False, code="file", detail=f"{exc.filename or ''} {exc.strerror}"
                )
            except Exception as exc:  # a bug reaches the screen as a failed action
                log.exception("workspace action %s failed", action)
                result = ActionResult(action, False, code="internal", detail=type(exc).__name__)
            self._publish(result)
            return result

        return self._executor.submit(run)

    def open(self, *, online: bool = True) -> Future[ActionResult]:
        """Show the last pulled copy at once, then (online) pull what changed."""
        return self._queue("open", lambda: self._open(online))

    def refresh(self) -> Future[ActionResult]:
        """Pull what changed, the desks' completeness and the ledger; show the new view."""
        return self._queue("refresh", self._refresh)

    def correct(self, correction: Correction) -> Future[ActionResult]:
        """Check a correction against the records, log it (audited), send it when online."""
        return self._queue("correct", lambda: self._correct(correction))

    def assess(self, path: Path, *, pass_mark: Decimal | None = None) -> Future[ActionResult]:
        """Import results from a CSV or xlsx file: all rows or none, errors by line."""
        return self._queue("assess", lambda: self._assess(path, pass_mark))

    def mark(self, id_number: str, *, passed: bool) -> Future[ActionResult]:
        """Set one person's result by hand (pass or fail)."""
        return self._queue("mark", lambda: self._mark(id_number, passed))

    def export(self, kind: str, path: Path, *, full_ids: bool = False) -> Future[ActionResult]:
        """Write the xlsx export or the PDF archive sheet (IDs masked unless `full_ids`)."""
        return self._queue(f"export_{kind}", lambda: self._export(kind, path, full_ids))

    def submit(self) -> Future[ActionResult]:
        """Send the execution report, unless the window or the data says no (then why)."""
        return self._queue("submit", self._submit)

    # -- the worker thread -------------------------------------------------------------------------

    def now(self) -> datetime:
        """The platform's clock as far as the workspace knows it."""
        return self._clock() + self._offset

    def _client(self) -> SyncClient:
        from sync.client import SyncClient

        c = self.ws.credentials(self.number)
        return SyncClient(
            c.server_url, token=c.token, ca_bundle=Path(c.ca_bundle) if c.ca_bundle else None,
            pin_sha256=c.pinned_sha256, connect_timeout=5.0, read_timeout=self._timeout,
        )  # fmt: skip

    def _open(self, online: bool) -> ActionResult:
        self._revision = revision(self.ws, self.number)  # None: never pulled
        if self._revision is not None:
            self._show()
        if online:
            try:
                return replace(self._refresh(), action="open")
            except TransientSyncError as exc:
                self._online = False
                if self._revision is None:
                    raise
                self._show()
                return ActionResult("open", True, code="offline", detail=str(exc))
        if self._revision is None:
            raise WorkspaceError(f"project {self.number} has not been pulled yet")
        self._index()
        return ActionResult("open", True, code="offline")

    def _refresh(self) -> ActionResult:
        with self._client() as client:
            pull_changes(client, self.ws, self.number)
            status = client.project_status(self.number)
            try:
                self._ledger = client.ledger(self.number)
            except PermanentSyncError as exc:  # a platform without the ledger: caps unknown
                log.warning("ledger not available: %s", exc)
                self._ledger = None
        save_not_held(self.ws, self.number, [
            NotHeld(r.desk_name, r.seq, r.uuid, r.reason, r.by) for r in status.refused_records
        ])  # fmt: skip
        self._revision = revision(self.ws, self.number)
        assert self._revision is not None
        self._offset = self._revision.pulled_at - self._clock()
        self._online = True
        self._desks = tuple(status.desks)
        self._submitted_at = status.window.submitted_at
        self._show()
        self._index()
        return ActionResult("refresh", True)

    def _index(self) -> None:
        """Build the search index once per set of people (pypinyin loads slowly), show it, and
        keep the result for the next open."""
        view = self._view
        if view is None:
            return
        people = [(r.person.id_number, r.person.name) for r in view.table.rows]
        people += [(p.id_number, p.name) for p in view.table.absent]
        if self._search is None or set(self._search.entries) != {n for n, _ in people}:
            self._search = SearchIndex.build(people)
            self._view = replace(view, search=self._search)
            self._publish(self._view)
        # Written after this action's answer (a second of pickling): the next task in line. Once
        # close() has begun the worker takes no new task, and close() keeps the result itself.
        with contextlib.suppress(RuntimeError):  # "cannot schedule new futures after shutdown"
            self._executor.submit(self._keep)

    def _keep(self) -> None:
        """Write the last result to the cache file unless it is there already (worker thread,
        or the closing thread once the worker has stopped)."""
        self._results.keep(self._search)

    def _show(self) -> WorkspaceView:
        """Publish the view of the pulled copy: the kept result when nothing changed since,
        else computed (without the cycle collector: a 5,000-person project allocates hundreds
        of thousands of small acyclic objects, and each pass would walk all of them again)."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._build_view()
        finally:
            if enabled:
                gc.enable()

    def _result(self) -> Computed:
        """The result for the pulled copy as it is: from memory, from the cache, or computed."""
        rev = self._revision
        assert rev is not None
        profile = profile_for(rev.project, self._dirs)
        result = self._results.get(rev, profile, self._compute)
        if result.search is not None:
            self._search = result.search
        return result

    def _compute(self) -> Computed:
        """The review computed again (new data): the screens say so while it runs."""
        self._publish(Computing(True))
        try:
            pulled = self._need_data()
            return compute(pulled, self.ws, profile_for(pulled.project, self._dirs), now=self.now())
        finally:
            self._publish(Computing(False))

    def _build_view(self) -> WorkspaceView:
        rev = self._revision
        assert rev is not None
        c = self._result()
        profile, project, now = c.table.profile, c.table.project, self.now()
        window = submission_window(project, profile, now=now)
        table = replace(c.table, deadline=deadline_status(project, profile, now=now),
                        window=window, as_of=now)  # fmt: skip
        view = WorkspaceView(
            table=table, refs=c.refs, as_of=rev.pulled_at, now=now, online=self._online,
            window=window, anomalies=c.anomalies, charts=c.charts, records=c.records,
            entered_by=c.entered_by, no_result=c.no_result, desks=self._desks,
            ledger=self._ledger, submitted_at=self._submitted_at, lines=c.lines,
            lines_error=c.lines_error, search=self._search, staff=c.staff, members=c.members,
            not_held=c.not_held,
        )  # fmt: skip
        self._view = view
        self._publish(view)
        return view

    def _need_data(self) -> Pulled:
        """The pulled copy's records and people, read again when the copy changed."""
        rev = self._revision
        if rev is None:
            raise WorkspaceError(f"project {self.number} has not been pulled yet")
        if self._pulled is None or self._pulled_digest != rev.digest:
            self._pulled = load(self.ws, self.number)
            self._pulled_digest = rev.digest
        return self._pulled
