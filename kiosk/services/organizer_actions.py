"""The workspace's actions on its worker thread: correct, import or mark results, export, submit.

Mixed into OrganizerService (kiosk.services.organizer), which queues each one on the worker and
publishes its answer; the state they read and change is the service's, on that thread only.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.core.credits import Assessment
from kiosk.core.credits.corrections import Correction, apply_corrections
from kiosk.core.model import new_uuid
from kiosk.core.timeutil import utc_now
from kiosk.reports.organizer_data import Pulled
from kiosk.reports.workspace import Workspace, WorkspaceError
from kiosk.services.organizer_view import ActionResult, WorkspaceView
from sync.client.errors import SubmissionRefused, TransientSyncError

if TYPE_CHECKING:  # httpx loads only when the platform is asked
    from sync.client import SyncClient

log = logging.getLogger(__name__)


class WorkspaceActions:
    """The actions of OrganizerService that change or write something (worker thread)."""

    ws: Workspace
    number: str
    _online: bool
    _view: WorkspaceView | None
    _submitted_at: datetime | None

    # Provided by OrganizerService.
    def _client(self) -> SyncClient:
        raise NotImplementedError

    def _need_data(self) -> Pulled:
        raise NotImplementedError

    def _show(self) -> WorkspaceView:
        raise NotImplementedError

    def _index(self) -> None:
        raise NotImplementedError

    def _refresh(self) -> ActionResult:
        raise NotImplementedError

    def _correct(self, correction: Correction) -> ActionResult:
        pulled = self._need_data()
        if not correction.record_id:
            correction = replace(correction, record_id=new_uuid())
        earlier = self.ws.corrections(self.number)
        _, _, audit = apply_corrections(pulled.records, pulled.people, [*earlier, correction])
        self.ws.append_correction(self.number, audit[-1])
        code = "saved"
        if self._online:
            from kiosk.reports.corrections_upload import CorrectionUploadError, upload_corrections

            try:
                upload_corrections(
                    self.ws.credentials(self.number), self.ws.audit(self.number), pulled.refs
                )
                code = "uploaded"
            except (TransientSyncError, CorrectionUploadError) as exc:
                log.warning("correction kept, not uploaded yet: %s", exc)
        self._show()
        self._index()
        return ActionResult("correct", True, code=code, detail=audit[-1].describe())

    def _assess(self, path: Path, pass_mark: Decimal | None) -> ActionResult:
        from kiosk.reports.assessment_file import read_assessment_file

        imported = read_assessment_file(path, pass_mark=pass_mark)
        if imported.errors:
            return ActionResult(
                "assess", False, code="bad_rows", errors=tuple(str(e) for e in imported.errors),
                values={"file": path.name, "count": str(len(imported.errors))},
            )  # fmt: skip
        self.ws.save_assessments(self.number, imported.results, str(path.resolve()))
        passed = sum(a.passed for a in imported.results.values())
        self._show()
        self._index()
        return ActionResult(
            "assess", True, code="imported",
            values={"count": str(len(imported.results)), "passed": str(passed),
                    "failed": str(len(imported.results) - passed)},
        )  # fmt: skip

    def _mark(self, id_number: str, passed: bool) -> ActionResult:
        self._need_data()
        results = dict(self.ws.assessments(self.number) or {})
        results[id_number] = Assessment(id_number, passed)
        self.ws.save_assessments(self.number, results, "marked in the workspace")
        self._show()
        self._index()
        return ActionResult("mark", True, code="passed" if passed else "failed")

    def _export(self, kind: str, path: Path, full_ids: bool) -> ActionResult:
        view = self._view
        if view is None:
            raise WorkspaceError(f"project {self.number} has not been pulled yet")
        if kind == "xlsx":
            from kiosk.reports.xlsx import write_review_xlsx

            written = write_review_xlsx(view.table, path, generated_at=utc_now())
        else:
            from kiosk.reports.pdf import write_attendance_pdf

            written = write_attendance_pdf(
                view.table, path, generated_at=utc_now(), mask_ids=not full_ids
            )
        code = "full_ids" if kind == "pdf" and full_ids else "written"
        return ActionResult(f"export_{kind}", True, code=code, path=str(written))

    def _submit(self) -> ActionResult:
        from kiosk.reports.corrections_upload import CorrectionUploadError, upload_corrections
        from sync.protocol import ExecutionReport

        self._refresh()  # the platform's newest records, desks and clock decide
        view = self._view
        assert view is not None
        refusals = view.refusals()
        if refusals:
            return ActionResult(
                "submit", False, code="refused",
                values={r.code: "|".join(r.values) for r in refusals},
            )  # fmt: skip
        pulled = self._need_data()
        try:
            upload_corrections(
                self.ws.credentials(self.number), self.ws.audit(self.number), pulled.refs
            )
        except CorrectionUploadError as exc:
            return ActionResult("submit", False, code="corrections_refused", detail=str(exc))
        report = ExecutionReport.model_validate(
            {
                "project": view.table.project.number,
                "profile": view.table.profile.name,
                "lines": list(view.lines),
            }
        )
        with self._client() as client:
            try:
                answer = client.submit(report)
            except SubmissionRefused as exc:
                return ActionResult(
                    "submit", False, code="platform_refused", detail=str(exc),
                    values={"reason": exc.reason},
                )  # fmt: skip
        self._submitted_at = answer.accepted_at
        self._refresh()
        return ActionResult(
            "submit", True, code="accepted", receipt=answer.submission_id,
            values={"lines": str(answer.lines),
                    "accepted_at": answer.accepted_at.isoformat()},
        )  # fmt: skip


def new_correction(
    kind: str,
    *,
    by: str,
    reason: str,
    at: datetime,
    id_number: str = "",
    moment: datetime | None = None,
    record_id: str = "",
    into: str = "",
    resolves: str = "",
) -> Correction:
    """A correction as the Anomalies screen makes it (the kinds of `organizer correct`;
    `resolves`: the desk's void or dispute it settles)."""
    from kiosk.core.credits.corrections import CorrectionKind

    return Correction(
        kind=CorrectionKind(kind), by=by.strip(), at=at, reason=reason.strip(),
        id_number=id_number, moment=moment, record_id=record_id, into=into, resolves=resolves,
    )  # fmt: skip
