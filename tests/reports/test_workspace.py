"""The organizer's local files: round trips, 0600, damaged files named."""

from __future__ import annotations

import stat
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.core.credits import Assessment
from kiosk.core.credits.corrections import Correction, CorrectionKind, apply_corrections
from kiosk.reports.workspace import Credentials, Workspace, WorkspaceError
from tests.support.credits import ALICE, D1, IN, at, people, rec

NUMBER = "2026-15-01-001(省)"


def test_round_trips_and_private_files(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "organizer")
    with pytest.raises(WorkspaceError, match="not enrolled for project"):
        ws.credentials(NUMBER)
    creds = Credentials("https://platform", "dev-1", "secret-token", NUMBER, "/ca.pem", None)
    path = ws.save_credentials(creds)
    assert ws.credentials(NUMBER) == creds
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "(" not in path.parent.name and path.parent.name.startswith("2026-15-01-001__")

    assert ws.assessments(NUMBER) is None
    results = {ALICE: Assessment(ALICE, False, Decimal("59.5"), Decimal(60), 3)}
    ws.save_assessments(NUMBER, results, "/r.csv")
    assert ws.assessments(NUMBER) == results

    c = Correction(
        CorrectionKind.ADD_CHECKOUT, "王老师", at(D1, 18), "forgot to tap out",
        id_number=ALICE, moment=at(D1, 12), record_id="fix-1",
    )  # fmt: skip
    _, _, audit = apply_corrections([rec(ALICE, IN, at(D1, 8))], people(ALICE), [c])
    ws.append_correction(NUMBER, audit[0])
    assert ws.corrections(NUMBER) == [c]
    assert ws.audit(NUMBER)[0]["after"]["record_id"] == "fix-1"


def test_a_damaged_file_is_named(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    (ws.directory(NUMBER) / "assessments.json").write_text("{not json")
    with pytest.raises(WorkspaceError, match=r"assessments\.json: unreadable"):
        ws.assessments(NUMBER)
    (ws.directory(NUMBER) / "assessments.json").write_text('{"results": [{"id_number": 1}]}')
    with pytest.raises(WorkspaceError, match="damaged; import the results again"):
        ws.assessments(NUMBER)
    (ws.directory(NUMBER) / "corrections.json").write_text('[{"correction": {"kind": "x"}}]')
    with pytest.raises(WorkspaceError, match="damaged; restore it"):
        ws.corrections(NUMBER)
    (ws.directory(NUMBER) / "credentials.json").write_text('{"server_url": "x"}')
    with pytest.raises(WorkspaceError, match="damaged; enroll again"):
        ws.credentials(NUMBER)
