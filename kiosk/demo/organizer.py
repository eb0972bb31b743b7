"""The organizer's act after the last session: the workspace service on the platform's data.

The organizer tool is enrolled with a one-time organizer code (as `cme-kiosk organizer enroll`
does), then OrganizerService — what the workspace screens drive — opens the project, resolves
the day's one blocking anomaly, imports the assessment results, shows the credits, writes the
xlsx and the archive PDF, and submits the execution report.
"""

from __future__ import annotations

import csv
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.ids import mask_number
from kiosk.core.timeutil import SHANGHAI
from kiosk.demo.outage import wait_caught_up
from kiosk.demo.scenario import Step
from kiosk.demo.stage import Stage
from kiosk.reports.anomalies import AnomalyKind
from kiosk.reports.workspace import Credentials, Workspace
from kiosk.services.organizer import OrganizerService, new_correction
from kiosk.services.organizer_view import ActionResult, WorkspaceEvent, WorkspaceView
from sync.client import SyncClient
from sync.store.key_files import device_key, public_key_b64

ORGANIZER = "王主任（主办方）"
_WAIT_S = 60.0


@dataclass
class Desk:
    """The organizer's workspace for the demo project, and the newest view it showed."""

    service: OrganizerService
    directory: Path
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _view: WorkspaceView | None = None

    def seen(self, event: WorkspaceEvent) -> None:
        """The workspace's listener (its worker thread): keep the newest view."""
        if isinstance(event, WorkspaceView):
            with self._lock:
                self._view = event

    @property
    def view(self) -> WorkspaceView:
        """The newest view (after the first action)."""
        with self._lock:
            if self._view is None:
                raise RuntimeError("the workspace showed nothing yet")
            return self._view


def _done(future: Future[ActionResult], what: str) -> ActionResult:
    result = future.result(_WAIT_S)
    if not result.ok:
        raise RuntimeError(
            f"organizer {what} failed: {result.code} {result.detail} {result.values}"
        )
    return result


def enroll(stage: Stage, ws: Workspace) -> Credentials:
    """What `cme-kiosk organizer enroll CODE --server URL --ca-bundle CA` does."""
    venue = stage.venue
    code, _ = venue.admin.enroll_code(venue.project.number, role="organizer")
    key = device_key(ws.root / "keys")
    with SyncClient(venue.url, ca_bundle=venue.tls.ca_pem) as client:
        client.negotiate()
        answer = client.enroll(code, public_key=public_key_b64(key), desk_name="organizer")
    creds = Credentials(venue.url, answer.device_id, answer.token, answer.project,
                        str(venue.tls.ca_pem), None)  # fmt: skip
    ws.save_credentials(creds)
    return creds


def open_workspace(stage: Stage) -> list[str]:
    """Enroll the tool and open the project online: the review of the pulled records."""
    if not wait_caught_up(stage):
        raise RuntimeError("the desk has not uploaded everything: the submission would wait")
    ws = Workspace(stage.root / "organizer")
    creds = enroll(stage, ws)
    service = OrganizerService(ws, stage.venue.project.number)
    desk = Desk(service, ws.directory(creds.project))
    service.subscribe(desk.seen)
    stage.closers.append(service.close)
    stage.organizer = desk
    _done(service.open(online=True), "open")
    view = desk.view
    blocking = [a for a in view.anomalies if a.blocking and not a.resolved]
    notices = sorted({a.kind.value for a in view.anomalies if not a.blocking})
    lines = [f"enrolled as organizer {creds.device_id}; {len(view.table.rows)} people reviewed"]
    for d in (d for d in view.desks or () if d.role == "desk"):
        lines.append(f"desk {d.desk_name}: {d.latest_seq} records, "
                     + ("complete" if d.complete else f"missing {d.missing}"))  # fmt: skip
    lines.append(f"blocking: {', '.join(f'{a.kind.value} {a.name}' for a in blocking) or 'none'}")
    lines.append(f"for review (not blocking): {', '.join(notices) or 'none'}")
    lines.append(f"window: {view.window.message(lang='en')}")
    return lines


def _desk(stage: Stage) -> Desk:
    desk = stage.organizer
    if not isinstance(desk, Desk):
        raise RuntimeError("the workspace is not open")
    return desk


def resolve_anomaly(stage: Stage) -> list[str]:
    """李娜 never checked out: the organizer adds her check-out at the suggested session end."""
    desk = _desk(stage)
    item = next(
        a for a in desk.view.anomalies
        if a.kind is AnomalyKind.MISSING_CHECKOUT and not a.resolved
    )  # fmt: skip
    # The screen proposes the open session's end; the day's last session ends it otherwise.
    moment = item.suggested or stage.venue.project.sessions[-1].end
    correction = new_correction(
        "add_checkout", by=ORGANIZER, at=desk.service.now(), id_number=item.id_number,
        moment=moment,
        reason="会议记录显示其全天在场，离场未签退 / present all afternoon per the chair; left "
               "without checking out",
    )  # fmt: skip
    result = _done(desk.service.correct(correction), "correction")
    left = [a for a in desk.view.anomalies if a.blocking and not a.resolved]
    return [
        f"{item.name}: check-out added at {moment.astimezone(SHANGHAI):%H:%M} by {ORGANIZER}"
        f" ({result.code} to the platform)",
        f"blocking anomalies left: {len(left)}",
    ]


def import_assessments(stage: Stage) -> list[str]:
    """The exam results as the organizer's CSV: everyone who attended passed but one."""
    desk = _desk(stage)
    path = desk.directory / "assessment.csv"
    rows = [r for r in desk.view.table.rows if r.hours > 0]
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)  # ID numbers: private
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["证件号码", "考核结果"])
        for r in rows:
            out.writerow([r.person.id_number, "合格"])
    result = _done(desk.service.assess(path), "assessment import")
    return [f"{path.name}: {result.values.get('count')} results, "
            f"{result.values.get('passed')} passed ({result.code})"]  # fmt: skip


def show_credits(stage: Stage) -> list[str]:
    """The credits table as the review screen shows it (ID numbers masked)."""
    table = _desk(stage).view.table
    lines = []
    for r in sorted(table.rows, key=lambda r: r.person.id_number):
        flags = ", ".join(sorted(f.value for f in r.flags))
        lines.append(
            f"{r.person.name:<4} {mask_number(r.person.id_number)} {r.role.value:<11} "
            f"{r.hours} h → {r.credits} credits" + (f"  [{flags}]" if flags else "")
        )
    return lines


def export_files(stage: Stage) -> list[str]:
    """The platform's xlsx and the archive's PDF attendance sheet (IDs masked)."""
    desk = _desk(stage)
    xlsx = _done(desk.service.export("xlsx", desk.directory / "platform-export.xlsx"), "xlsx")
    pdf = _done(desk.service.export("pdf", desk.directory / "attendance-archive.pdf"), "pdf")
    return [f"xlsx: {xlsx.path}", f"pdf : {pdf.path}"]


def submit(stage: Stage) -> list[str]:
    """The execution report to the platform; its receipt."""
    desk = _desk(stage)
    result = _done(desk.service.submit(), "submission")
    stage.submission = result
    return [
        f"submission accepted: receipt no. {result.receipt}, {result.values.get('lines')} lines, "
        f"at {result.values.get('accepted_at')}"
    ]


def evening() -> Iterator[Step]:
    """After the last session: the organizer's workspace on the same data."""
    yield Step(
        "17:50",
        "主办方 organizer",
        "the workspace opens",
        open_workspace,
        answers=False,
        key="organizer_open",
    )
    yield Step(
        "17:52",
        "主办方 organizer",
        "one anomaly resolved",
        resolve_anomaly,
        answers=False,
        key="anomaly",
        why="an audited correction (who, when, why); the desk's records stay as they are",
    )
    yield Step(
        "17:55",
        "主办方 organizer",
        "assessments imported",
        import_assessments,
        answers=False,
        key="assessments",
    )
    yield Step("17:56", "主办方 organizer", "credits", show_credits, answers=False, key="credits")
    yield Step(
        "17:57",
        "主办方 organizer",
        "xlsx and archive PDF",
        export_files,
        answers=False,
        key="exports",
    )
    yield Step("17:58", "主办方 organizer", "submission", submit, answers=False, key="submission")
