"""The xlsx export read back with openpyxl, the PDF's text extracted with pypdf, both 0600."""

from __future__ import annotations

import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from kiosk.core.credits import Assessment, Person
from kiosk.core.credits.review import EXPORT_COLUMNS, ReviewTable, build_review
from kiosk.core.rules import load_profile
from kiosk.reports.pdf import CHART_TITLE, CID_FONT, FONT_FILES, TITLE, write_attendance_pdf
from kiosk.reports.xlsx import INFO_SHEET, SHEET, write_review_xlsx
from tests.support.credits import (
    ALICE,
    BOB,
    CAROL,
    D1,
    D2,
    IN,
    OUT,
    SPEAKER,
    at,
    idn,
    people,
    project,
    rec,
    stay,
)
from tests.support.env import need

IM = load_profile("inner-mongolia-2025-draft")
PROJECT = project(days=(D1, D2))
NOW = at(date(2026, 11, 30), 9)


def _table() -> ReviewTable:
    records = [
        *stay(ALICE, D1, (8, 12), (12, 5)),
        *stay(ALICE, D1, (13, 50), (17, 2)),
        *stay(ALICE, D2, (8, 25), (17, 0)),
        rec(BOB, IN, at(D1, 8, 29), desk="A"),
        rec(BOB, IN, at(D1, 8, 31), desk="B"),
        rec(BOB, OUT, at(D1, 12, 1), desk="A"),
        rec(CAROL, IN, at(D1, 8, 40)),
        *stay(SPEAKER, D1, (8, 15), (12, 10)),
    ]
    persons = people(ALICE, BOB, CAROL, SPEAKER)
    persons[idn(60)] = Person(idn(60), "缺席者")
    results = {
        ALICE: Assessment(ALICE, True, Decimal(92), Decimal(60)),
        BOB: Assessment(BOB, False),
    }
    return build_review(PROJECT, IM, records, people=persons, assessments=results, now=NOW)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_xlsx_read_back(tmp_path: Path) -> None:
    path = write_review_xlsx(_table(), tmp_path / "export.xlsx", generated_at=NOW)
    assert _mode(path) == 0o600
    wb = load_workbook(path)
    ws = wb[SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == EXPORT_COLUMNS
    body = rows[1:]
    assert len(body) == 4 + 1 + 1 + 1  # Alice 4 sessions, Bob 1, Carol none, the speaker 1
    alice = [r for r in body if r[0] == ALICE]
    assert alice[0] == (
        ALICE, "张伟", "内蒙古自治区人民医院", "重症医学科", "护理", "2026-11-24 08:12:00",
        "2026-11-24 12:05:00", "人脸识别", 3.5, "合格（92分）", 4.3,
    )  # fmt: skip
    assert [r[8] for r in alice] == [3.5, 3, 3.5, 3]
    assert [r[10] for r in alice[1:]] == [None, None, None]  # credits once per attendee
    bob = next(r for r in body if r[0] == BOB)
    assert (bob[8], bob[9], bob[10]) == (3.5, "不合格", 0)
    carol = next(r for r in body if r[0] == CAROL)
    assert carol[5:9] == (None, None, None, 0)
    assert ws["A2"].data_type == "s" and ws["A2"].number_format == "@"
    info = dict(wb[INFO_SHEET].iter_rows(values_only=True))
    assert info["项目编号"] == PROJECT.number and info["学时单位"] == "小时"
    assert info["提交截止"] == "2026-12-09" and info["生成时间"] == "2026-11-30 09:00:00"
    assert Decimal(str(info["学分合计"])) == sum(Decimal(str(r[10])) for r in body if r[10])


def test_xlsx_overwrites_an_existing_readable_file_as_private(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_text("old")
    path.chmod(0o644)
    write_review_xlsx(_table(), path)
    assert _mode(path) == 0o600 and load_workbook(path)[SHEET].max_row == 8


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.parametrize("font", ["embedded", CID_FONT])
def test_pdf_text(tmp_path: Path, font: str) -> None:
    if font == "embedded":
        found = next((p for p in FONT_FILES if p.is_file()), None)
        need(found is not None, "fonts-wqy-microhei (a runtime package) is not installed")
        choice: Path | str = found  # type: ignore[assignment]
    else:
        choice = font
    path = write_attendance_pdf(
        _table(), tmp_path / "sheet.pdf", generated_at=NOW, font=choice, bucket_minutes=15
    )
    assert _mode(path) == 0o600
    text = _pdf_text(path)
    for expected in (
        TITLE, PROJECT.number, PROJECT.name, PROJECT.organizer, "2026-11-24、2026-11-25",
        "省级", "提交截止", "2026-12-09", "各场次签到人数", CHART_TITLE, "（每15分钟的签到人数）",
        "签到明细", "张伟", "王芳", "李娜", "刘洋", "合格（92分）", "不合格", "缺签退",
        "多台记录已合并", "未签到（1人）：缺席者", "生成时间 2026-11-30 09:00",
    ):  # fmt: skip
        assert expected in text, expected
    # ID numbers are masked on the archive sheet.
    assert ALICE not in text and f"{ALICE[:3]}***********{ALICE[-4:]}" in text
    # The session table: id, time, title, attendees, hours.
    assert "24-am" in text and "11-24 08:30–12:00" in text
    lines = [ln.strip() for ln in text.splitlines()]
    am = lines.index("11-24 08:30–12:00")
    assert lines[am + 1 : am + 4] == ["上午", "3", "10.5"]  # Alice, Bob, the speaker; Carol open
    pm = lines.index("11-25 14:00–17:00")
    assert lines[pm + 1 : pm + 4] == ["下午", "1", "3.0"]
    # The chart's time axis labels the arrival buckets.
    assert "11-24 08:00" in text and "11-25 08:15" in text
    assert "学分合计 " in text


def test_pdf_without_records_still_has_the_header(tmp_path: Path) -> None:
    empty = build_review(PROJECT, IM, [], people=people(ALICE), now=NOW)
    text = _pdf_text(write_attendance_pdf(empty, tmp_path / "e.pdf", font=CID_FONT))
    assert TITLE in text and "无签到记录" in text and "未签到（1人）：张伟" in text


def test_pdf_full_ids_only_when_asked(tmp_path: Path) -> None:
    text = _pdf_text(write_attendance_pdf(_table(), tmp_path / "f.pdf", mask_ids=False))
    assert ALICE in text
