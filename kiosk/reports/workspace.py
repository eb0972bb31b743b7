"""The organizer tool's local files per project: credentials, imported results, corrections."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from kiosk.core.credits import Assessment
from kiosk.core.credits.corrections import AuditEntry, Correction, CorrectionKind
from kiosk.reports.files import open_private


class WorkspaceError(ValueError):
    """A local file is missing or damaged; the message says which and what to do."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """How the organizer tool reaches the platform for one project."""

    server_url: str
    device_id: str
    token: str
    project: str
    ca_bundle: str | None = None
    pinned_sha256: str | None = None


def _write_json(path: Path, data: object) -> None:
    """Replace `path` atomically with JSON, mode 0600 (personal data, a bearer token)."""
    tmp = path.with_name(path.name + ".tmp")
    with open_private(tmp) as f:
        f.write(json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WorkspaceError(f"{path}: unreadable ({exc}); re-run the step that wrote it") from None


class Workspace:
    """`<data_dir>/organizer/<project>/`: credentials, assessments and corrections (JSON, 0600)."""

    def __init__(self, root: Path):
        self.root = root

    def directory(self, project: str) -> Path:
        """The project's directory (0700), named safely whatever the project number holds."""
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", project)[:40]
        digest = hashlib.sha256(project.encode("utf-8")).hexdigest()[:8]
        path = self.root / f"{safe}-{digest}"
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path

    def projects(self) -> list[str]:
        """Every project this tool is enrolled for, sorted."""
        found = []
        for path in sorted(self.root.glob("*/credentials.json")) if self.root.is_dir() else []:
            data = _read_json(path)
            if isinstance(data, dict) and isinstance(data.get("project"), str):
                found.append(data["project"])
        return sorted(found)

    def save_credentials(self, creds: Credentials) -> Path:
        """Keep the enrollment for later commands."""
        path = self.directory(creds.project) / "credentials.json"
        _write_json(path, _asdict(creds))
        return path

    def credentials(self, project: str) -> Credentials:
        """The saved enrollment; WorkspaceError when the tool was never enrolled for it."""
        path = self.directory(project) / "credentials.json"
        if not path.exists():
            raise WorkspaceError(
                f"not enrolled for project {project}: run `cme-kiosk organizer enroll` with a code"
                " from `cme-kiosk server enroll-code --organizer`"
            )
        data = _read_json(path)
        try:
            return Credentials(**data)
        except TypeError:
            raise WorkspaceError(f"{path}: damaged; enroll again") from None

    def save_assessments(self, project: str, results: dict[str, Assessment], source: str) -> Path:
        """Replace the imported results (an import is the whole file, not a merge)."""
        path = self.directory(project) / "assessments.json"
        rows = [
            {
                "id_number": a.id_number,
                "passed": a.passed,
                "score": None if a.score is None else str(a.score),
                "pass_mark": None if a.pass_mark is None else str(a.pass_mark),
                "line": a.line,
            }
            for a in results.values()
        ]
        _write_json(path, {"source": source, "results": rows})
        return path

    def assessments(self, project: str) -> dict[str, Assessment] | None:
        """The imported results, or None when nothing was imported yet."""
        path = self.directory(project) / "assessments.json"
        if not path.exists():
            return None
        data = _read_json(path)
        out = {}
        try:
            for r in data["results"]:
                score = None if r["score"] is None else Decimal(r["score"])
                mark = None if r["pass_mark"] is None else Decimal(r["pass_mark"])
                out[r["id_number"]] = Assessment(
                    r["id_number"], r["passed"], score, mark, r["line"]
                )
        except (KeyError, TypeError, ArithmeticError):
            raise WorkspaceError(f"{path}: damaged; import the results again") from None
        return out

    def corrections(self, project: str) -> list[Correction]:
        """Every correction made so far, in order."""
        path = self.directory(project) / "corrections.json"
        if not path.exists():
            return []
        try:
            return [_correction(e["correction"]) for e in _read_json(path)]
        except (KeyError, TypeError, ValueError):
            raise WorkspaceError(f"{path}: damaged; restore it from a backup") from None

    def audit(self, project: str) -> list[dict[str, Any]]:
        """The audit log: each correction with the state before and after."""
        path = self.directory(project) / "corrections.json"
        return list(_read_json(path)) if path.exists() else []

    def append_correction(self, project: str, entry: AuditEntry) -> Path:
        """Add one correction and its audit entry to the log."""
        path = self.directory(project) / "corrections.json"
        _write_json(path, [*self.audit(project), entry.to_json()])
        return path


def _asdict(creds: Credentials) -> dict[str, Any]:
    return {k: getattr(creds, k) for k in Credentials.__slots__}


def _correction(data: dict[str, Any]) -> Correction:
    moment = data.get("moment")
    return Correction(
        kind=CorrectionKind(data["kind"]),
        by=data["by"],
        at=datetime.fromisoformat(data["at"]),
        reason=data["reason"],
        id_number=data.get("id_number", ""),
        moment=datetime.fromisoformat(moment) if moment else None,
        record_id=data.get("record_id", ""),
        into=data.get("into", ""),
        resolves=data.get("resolves", ""),
    )
