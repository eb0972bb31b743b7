"""`cme-kiosk organizer …` against the real platform server over loopback TLS (SQLite)."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from kiosk.core.credits.exports import EXPORT_COLUMNS
from kiosk.core.ids import mask_number
from kiosk.core.model import Project
from kiosk.reports.pdf import IDS_FULL, IDS_MASKED
from kiosk.reports.xlsx import SHEET
from sync.server.corrections import listing
from tests.support.cli import run_cli as _run
from tests.support.desks import enroll, seed_platform
from tests.support.live_server import LiveServer, start_live_server
from tests.support.roster import DAY1, DAY2, at, make_project, make_roster
from tests.support.tls import TlsFiles, tls  # noqa: F401

ROSTER = make_roster(3)
A1, A2, A3 = (a.document.number for a in ROSTER)


@pytest.fixture
def platform(tls: TlsFiles, tmp_path: Path) -> Iterator[tuple[LiveServer, Project]]:  # noqa: F811
    """The live server with the two-day test project, a roster of 3 and desk A's records."""
    server = start_live_server(f"sqlite:///{tmp_path / 'server.sqlite3'}", tls, backend="sqlite")
    try:
        server.clock.set(at(DAY1, 7))
        project = make_project()
        seed_platform(server, project, roster_size=3)
        desk = enroll(server, project.number, "A")
        desk.upload(
            desk.record("A1", at=at(DAY1, 8, 30), method="face"),
            desk.record("A1", at=at(DAY1, 12), direction="out", method="face"),
            desk.record("A2", at=at(DAY1, 8, 40), method="face"),  # never checks out
            desk.record("A1", at=at(DAY1, 14), method="face"),
            desk.record("A1", at=at(DAY1, 17), direction="out", method="face"),
        )
        desk.client.device_status(desk.seq)
        yield server, project
    finally:
        server.stop()


def _enroll(capsys: pytest.CaptureFixture[str], server: LiveServer, number: str) -> None:
    code, _ = server.admin.enroll_code(number, role="organizer")
    got, out, err = _run(
        capsys, "organizer", "enroll", code, "--server", server.url,
        "--ca-bundle", str(server.tls.ca_pem),
    )  # fmt: skip
    assert got == 0, err
    assert f"for project {number}" in out


@pytest.mark.timeout(120)
def test_review_correct_assess_export_and_submit(
    platform: tuple[LiveServer, Project],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    data_dir: Path,
) -> None:
    server, project = platform
    number = project.number
    _enroll(capsys, server, number)

    code, out, _ = _run(capsys, "organizer", "report", number)
    assert code == 0
    assert mask_number(A1) in out and A1 not in out  # ID numbers masked on screen
    assert "6.5" in out and "缺签退" in out and "提交截止 2026-06-04" in out
    assert "d1-am 3.5, d1-pm 3.0" in out  # the sessions behind the hours
    # The project under its profile: the demo's mistake (ID cards at an Inner Mongolia
    # provincial project) is named before anyone checks in; the credit year and its requirement.
    assert "注意：本项目启用了身份证、IC卡、人工登记考勤，但" in out and "（第十六条）" in out
    assert "学分年度 2026（2026-01-01 至 2026-12-31，第十八条）；年度要求 25 学分（第四条）" in out
    assert f"to resolve before submitting: missing_checkout: 王芳 ({mask_number(A2)})" in out
    assert f"{mask_number(A3)}" in out and "(absent)" in out  # on the roster, never came

    code, out, err = _run(capsys, "organizer", "submit", number)
    assert code == 1
    assert f"to resolve: missing_checkout: 王芳 ({mask_number(A2)})" in out
    assert "not submitted: 2 anomaly(ies) to resolve first" in err  # and results not imported

    base = ["organizer", "correct", number, "--by", "王老师", "--reason", "left at the break"]
    code, _, err = _run(capsys, *base, "void", "--record", "no-such-record")
    assert code == 1 and "no record 'no-such-record'" in err
    code, out, _ = _run(
        capsys, *base, "add-checkout", "--id", A2, "--at", "2026-05-20T12:00:00+08:00"
    )
    assert code == 0 and "add_checkout" in out and A2 not in out

    results = tmp_path / "results.csv"
    results.write_text(f"证件号,成绩\n{A1},88\n{A2},52\n", encoding="utf-8")
    code, _, err = _run(capsys, "organizer", "assess", number, str(results))
    assert code == 1 and "no pass mark" in err
    code, out, _ = _run(capsys, "organizer", "assess", number, str(results), "--pass-mark", "60")
    assert code == 0 and "2 results imported: 1 passed, 1 failed" in out

    xlsx, pdf = tmp_path / "export.xlsx", tmp_path / "sheet.pdf"
    code, out, _ = _run(
        capsys, "organizer", "report", number, "--xlsx", str(xlsx), "--pdf", str(pdf)
    )
    assert code == 0 and "to resolve" not in out
    rows = list(load_workbook(xlsx)[SHEET].iter_rows(values_only=True))[1:]
    assert {r[0] for r in rows} == {A1, A2}
    a2 = dict(zip(EXPORT_COLUMNS, next(r for r in rows if r[0] == A2), strict=True))
    assert (a2["考核结果"], a2["学分"]) == ("不合格（52分）", 0)
    # The organizer's check-out is a correction, not a method the province refuses.
    assert a2["标记"] == "考核不合格、经组织者更正（人工）"
    sheet = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "王芳" in sheet and IDS_MASKED in sheet and A1 not in sheet
    code, out, _ = _run(capsys, "organizer", "report", number, "--pdf", str(pdf), "--full-ids")
    assert code == 0 and "(full ID numbers)" in out
    sheet = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert A1 in sheet and IDS_FULL in sheet
    assert stat.S_IMODE(xlsx.stat().st_mode) == stat.S_IMODE(pdf.stat().st_mode) == 0o600

    code, out, _ = _run(capsys, "organizer", "report", number, "--json")
    by_id = {json.loads(line)["id_number"]: json.loads(line) for line in out.splitlines()}
    assert by_id[A1]["credits"] == 2.1 and by_id[A2]["credits"] == 0.0

    # Before the last session has ended the window is not open: refused, and told when.
    server.clock.set(at(DAY2, 11))
    code, out, err = _run(capsys, "organizer", "submit", number)
    assert code == 1 and "提交窗口尚未开放（2026-05-21 11:30 最后一场结束后开放）" in out
    assert "not submitted: the window opens at 2026-05-21 11:30, when the last session ends" in err

    server.clock.set(at(DAY2 + timedelta(days=9), 10))  # 5 days left: warned
    code, out, err = _run(capsys, "organizer", "submit", number)
    assert code == 0, err
    assert "提交窗口已开放，提交截止 2026-06-04（还剩 5 天）" in out
    assert "warning: Submit by 2026-06-04" in err
    assert "submitted 2 line(s)" in out
    assert "corrections sent: 1 new, 0 already on the platform" in out  # before the report
    assert server.admin.status(number).window.submitted_at is not None
    # The correction reached the platform: who, what, when, why, under the attendee's reference.
    kept = listing(server.admin.platform, number).corrections
    assert len(kept) == 1 and server.admin.status(number).corrections == 1
    c = kept[0].entry
    assert (c.kind, c.by, c.reason, c.attendee_id) == (
        "add_checkout",
        "王老师",
        "left at the break",
        "A2",
    )
    assert c.moment == "2026-05-20T12:00:00+08:00" and c.after["attendee_id"] == "A2"
    assert A2 not in kept[0].model_dump_json()  # the ID number itself does not travel again
    code, out, _ = _run(capsys, "organizer", "submit", number)  # a second submission
    assert code == 0 and "corrections sent: 0 new, 1 already on the platform" in out
    assert len(listing(server.admin.platform, number).corrections) == 1
    code, out, _ = _run(capsys, "server", "status", number, "--db", server.db_url)
    assert code == 0 and "organizer corrections: 1" in out
    assert "王老师: add_checkout A2 — left at the break" in out

    server.clock.set(at(DAY2 + timedelta(days=15), 9))  # the day after the deadline
    code, out, err = _run(capsys, "organizer", "submit", number)
    assert code == 1
    assert "提交窗口已关闭：提交截止 2026-06-04 已过 1 天" in out
    assert "not submitted: the deadline 2026-06-04 has passed (第十三条)" in err

    audit = json.loads(next((data_dir / "organizer").glob("*/corrections.json")).read_text())
    assert audit[0]["correction"]["by"] == "王老师" and audit[0]["before"] == {}
    creds = next((data_dir / "organizer").glob("*/credentials.json"))
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600


@pytest.mark.timeout(120)
def test_an_incomplete_desk_blocks_submission(
    platform: tuple[LiveServer, Project], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    server, project = platform
    enroll(server, project.number, "B")  # enrolled, never reports its records
    _enroll(capsys, server, project.number)
    base = ["organizer", "correct", project.number, "--by", "王老师", "--reason", "confirmed"]
    _run(capsys, *base, "add-checkout", "--id", A2, "--at", "2026-05-20T12:00:00+08:00")
    results = tmp_path / "r.csv"
    results.write_text(f"id_number,result\n{A1},pass\n{A2},pass\n", encoding="utf-8")
    assert _run(capsys, "organizer", "assess", project.number, str(results))[0] == 0
    server.clock.set(at(DAY2 + timedelta(days=1), 10))
    code, _, err = _run(capsys, "organizer", "submit", project.number)
    assert code == 1
    assert "the platform refused the submission (desks_incomplete)" in err
    assert "desk B" in err and "has never reported" in err


def test_commands_need_an_enrollment(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "organizer", "report", "2026-15-01-001")
    assert code == 1 and "not enrolled for project 2026-15-01-001" in err
    code, _, err = _run(capsys, "organizer", "enroll", "CODE", "--server", "http://x")
    assert code == 2 and "https://" in err
    # What the platform's corrections endpoint would refuse is refused when it is typed.
    code, _, err = _run(capsys, "organizer", "correct", "2026-15-01-001", "void", "--record",
                        "r", "--by", "x" * 101, "--reason", "why")  # fmt: skip
    assert code == 2 and "--by is at most 100 characters" in err


@pytest.mark.timeout(120)
def test_the_review_uses_a_profile_from_the_configured_rules_dirs(
    platform: tuple[LiveServer, Project], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from kiosk.core.rules import BUILTIN_DIR

    server, project = platform
    _enroll(capsys, server, project.number)
    rules = tmp_path / "rules"
    rules.mkdir()
    name = "inner-mongolia-2025-draft"  # the province corrects its draft without a release
    text = (BUILTIN_DIR / f"{name}.toml").read_text(encoding="utf-8")
    old = 'value = 14, source = "第十三条", quote = "举办后'
    assert old in text
    (rules / f"{name}.toml").write_text(
        text.replace(old, 'value = 21, source = "第十三条（修订）", quote = "举办后'),
        encoding="utf-8",
    )
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[credits]\nrules_dirs = ["{rules}"]\n', encoding="utf-8")
    code, out, _ = _run(capsys, "--config", str(cfg), "organizer", "report", project.number)
    assert code == 0 and "提交截止 2026-06-11" in out  # 21 days after 2026-05-21
    code, out, _ = _run(capsys, "organizer", "report", project.number)
    assert code == 0 and "提交截止 2026-06-04" in out  # the built-in 14
    cfg.write_text(f'[credits]\nrules_dirs = ["{tmp_path / "gone"}"]\n', encoding="utf-8")
    code, _, err = _run(capsys, "--config", str(cfg), "organizer", "report", project.number)
    assert code == 1 and "[credits] rules_dirs:" in err and "is not a directory" in err


@pytest.mark.timeout(120)
def test_a_walk_in_is_reviewed_under_the_id_number_its_desk_uploaded(
    tls: TlsFiles,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    data_dir: Path,
) -> None:
    from sync.protocol import WalkIn, WalkInBatch

    server = start_live_server(f"sqlite:///{tmp_path / 'server.sqlite3'}", tls, backend="sqlite")
    try:
        server.clock.set(at(DAY1, 7))
        project = make_project()
        seed_platform(server, project, roster_size=3)
        desk = enroll(server, project.number, "A")
        stranger = make_roster(5)[4]  # a valid card, not on the platform's roster of 3
        walk_in = WalkIn(
            project=project.number, attendee_id="P-walkin-1", id_type="resident_id",
            id_number=stranger.document.number, name=stranger.name, device_id=desk.device_id,
        )  # fmt: skip
        [answer] = desk.client.upload_walk_in_records(WalkInBatch(records=[walk_in]).records)
        assert answer.status == "accepted"
        desk.upload(
            desk.record("P-walkin-1", at=at(DAY1, 8, 30), flags=["provisional_attendee"]),
            desk.record("P-walkin-1", at=at(DAY1, 12), direction="out"),
        )
        desk.client.device_status(desk.seq)
        # Only the project's organizer may list identities: a desk may not.
        with pytest.raises(Exception, match="organizer"):
            desk.client.walk_ins(project.number)
        _enroll(capsys, server, project.number)
        code, out, _ = _run(capsys, "organizer", "report", project.number)
        assert code == 0
        assert stranger.name in out and mask_number(stranger.document.number) in out
        assert stranger.document.number not in out and "P-walkin-1" not in out
        assert "3.5" in out  # the morning counted for the person, under their own ID number
        assert "临时登记" in out  # still flagged for the organizer's review
    finally:
        server.stop()


@pytest.mark.timeout(120)
def test_the_next_report_pulls_only_what_changed(
    platform: tuple[LiveServer, Project], capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    import sqlite3

    server, project = platform
    _enroll(capsys, server, project.number)
    code, out, _ = _run(capsys, "organizer", "report", project.number)
    assert code == 0 and f"{mask_number(A3)}" in out and "(absent)" in out
    assert "数据截至 2026-05-20 07:00（平台时间）" in out  # the platform's clock at the pull
    (copy,) = (data_dir / "organizer").glob("*/pulled.sqlite3")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600

    def state() -> tuple[str, int, list[str]]:
        with sqlite3.connect(copy) as db:
            cursor = db.execute("SELECT value FROM meta WHERE key = 'cursor'").fetchone()[0]
            events = db.execute("SELECT count(*) FROM events").fetchone()[0]
            columns = [r[1] for r in db.execute("PRAGMA table_info(attendees)")]
        return cursor, events, columns

    first, events, columns = state()
    assert events == 5 and "qr_secret" not in columns  # no rotating-code secret is kept
    desk = enroll(server, project.number, "B")
    desk.upload(desk.record("A3", at=at(DAY1, 9), method="face"))
    code, out, _ = _run(capsys, "organizer", "report", project.number)
    second, events, _ = state()
    assert code == 0 and events == 6 and int(second) > int(first)
    line = next(ln for ln in out.splitlines() if mask_number(A3) in ln)
    assert "缺签退" in line and "(absent)" not in line  # the new record, from the changes only
    # Enrolled again (another device): the copy of the old enrollment is not trusted.
    with sqlite3.connect(copy) as db:
        db.execute("INSERT INTO events VALUES ('stale', 'A1', 'in', 'qr', 'X', ?, '', 0)",
                   (at(DAY1, 10).isoformat(),))  # fmt: skip
    assert state()[1] == 7
    _enroll(capsys, server, project.number)
    code, _, _ = _run(capsys, "organizer", "report", project.number)
    assert code == 0 and state()[1] == 6
