"""The xlsx export read back with openpyxl (types, labels); the PDF's text and layout, both 0600."""

from __future__ import annotations

import stat
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from kiosk.core.credits import Assessment, Person
from kiosk.core.credits.corrections import Correction, CorrectionKind, apply_corrections
from kiosk.core.credits.exports import EXPORT_COLUMNS
from kiosk.core.credits.review import ReviewTable, build_review
from kiosk.core.rules import load_profile
from kiosk.reports.pdf import (
    CHART_TITLE,
    CID_FONT,
    FONT_FILES,
    IDS_FULL,
    IDS_MASKED,
    TITLE,
    write_attendance_pdf,
)
from kiosk.reports.xlsx import (
    CORRECTIONS_SHEET,
    DATETIME_FORMAT,
    INFO_SHEET,
    SESSIONS_SHEET,
    SHEET,
    write_review_xlsx,
)
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
    fix = Correction(
        CorrectionKind.ADD_CHECKOUT, by="王老师", at=at(date(2026, 11, 26), 9, 30),
        reason="离场未签退，经会务确认", id_number=CAROL, moment=at(D1, 12),
    )  # fmt: skip
    records, persons, _ = apply_corrections(records, persons, [fix])
    return build_review(
        PROJECT, IM, records, people=persons, assessments=results, now=NOW, corrections=[fix]
    )


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
    assert len(body) == 4 + 1 + 1 + 1  # Alice 4 sessions, Bob 1, Carol 1 (corrected), speaker 1
    col = {name: i for i, name in enumerate(EXPORT_COLUMNS)}
    alice = [r for r in body if r[0] == ALICE]
    # Real date-time cells on the project's clock, each session with its own times.
    assert alice[0] == (
        ALICE, "张伟", "学员", "内蒙古自治区人民医院", "重症医学科", "护理", "24-am",
        datetime(2026, 11, 24, 8, 12), datetime(2026, 11, 24, 12, 5), "人脸识别", 3.5,
        "合格（92分）", 4.3, "暂定", None,
    )  # fmt: skip
    assert [(r[col["签到时间"]], r[col["签退时间"]]) for r in alice] == [
        (datetime(2026, 11, 24, 8, 12), datetime(2026, 11, 24, 12, 5)),
        (datetime(2026, 11, 24, 13, 50), datetime(2026, 11, 24, 17, 2)),
        (datetime(2026, 11, 25, 8, 25), datetime(2026, 11, 25, 12, 0)),  # one stay, two rows
        (datetime(2026, 11, 25, 14, 0), datetime(2026, 11, 25, 17, 0)),
    ]
    assert [r[col["学时"]] for r in alice] == [3.5, 3, 3.5, 3]
    assert [r[col["学分"]] for r in alice[1:]] == [None, None, None]  # credits once per attendee
    cells = next(iter(ws.iter_rows(min_row=2, max_row=2)))
    times = cells[col["签到时间"]]
    assert times.is_date and times.number_format == DATETIME_FORMAT
    assert cells[col["学时"]].data_type == "n" and cells[col["学分"]].data_type == "n"
    assert ws["A2"].data_type == "s" and ws["A2"].number_format == "@"
    bob = next(r for r in body if r[0] == BOB)
    assert (bob[col["学时"]], bob[col["考核结果"]], bob[col["学分"]]) == (3.5, "不合格", 0)
    assert bob[col["标记"]] == "考核不合格、多台记录已合并"
    carol = next(r for r in body if r[0] == CAROL)
    assert carol[col["标记"]] == "缺考、经组织者更正（人工）"  # corrected, not 考勤方式不符
    assert carol[col["签退时间"]] == datetime(2026, 11, 24, 12, 0)
    assert [r[col["角色"]] for r in body if r[0] == SPEAKER] == ["主讲人"]  # 1.5 h → 3 credits
    # Every enumerated value is in Chinese.
    assert {r[col["角色"]] for r in body} == {"学员", "主讲人"}
    methods = {m for r in body if r[col["考勤方式"]] for m in r[col["考勤方式"]].split("/")}
    assert methods == {"人脸识别", "人工登记"}  # Carol's check-out is the organizer's
    assert {r[col["学分状态"]] for r in body} == {"暂定", None}  # "" reads back as None
    sessions = list(wb[SESSIONS_SHEET].iter_rows(values_only=True))
    assert sessions[1][:4] == ("24-am", "上午", datetime(2026, 11, 24, 8, 30),
                               datetime(2026, 11, 24, 12))  # fmt: skip
    corrections = list(wb[CORRECTIONS_SHEET].iter_rows(values_only=True))
    assert corrections[1] == (
        datetime(2026, 11, 26, 9, 30), "王老师", "补录签退", CAROL, datetime(2026, 11, 24, 12),
        None, None, "离场未签退，经会务确认",
    )  # fmt: skip
    info = dict(wb[INFO_SHEET].iter_rows(values_only=True))
    assert (info["级别"], info["形式"], info["类别"]) == ("省级", "面授", "推荐项目")
    assert info["项目编号"] == PROJECT.number and info["学时单位"] == "小时"
    assert info["提交截止"] == datetime(2026, 12, 9) and info["提交窗口"] == "已开放"
    assert info["提交开放"] == datetime(2026, 11, 25, 17) and info["时区"] == "Asia/Shanghai"
    assert info["生成时间"] == datetime(2026, 11, 30, 9)
    assert info["学分年度"].startswith("2026（2026-01-01 至 2026-12-31")
    assert info["开始日期"] == datetime(2026, 11, 24) and info["暂定学分人数"] == 4
    assert Decimal(str(info["学分合计"])) == sum(
        Decimal(str(r[col["学分"]])) for r in body if r[col["学分"]]
    )


def test_xlsx_overwrites_an_existing_readable_file_as_private(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_text("old")
    path.chmod(0o644)
    write_review_xlsx(_table(), path)
    assert _mode(path) == 0o600 and load_workbook(path)[SHEET].max_row == 8


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _font(font: str) -> Path | str:
    if font != "embedded":
        return font
    found = next((p for p in FONT_FILES if p.is_file()), None)
    need(found is not None, "fonts-wqy-microhei (a runtime package) is not installed")
    assert found is not None
    return found


@pytest.mark.parametrize("font", ["embedded", CID_FONT])
def test_pdf_text(tmp_path: Path, font: str) -> None:
    path = write_attendance_pdf(
        _table(), tmp_path / "sheet.pdf", generated_at=NOW, font=_font(font), bucket_minutes=15
    )
    assert _mode(path) == 0o600
    text = _pdf_text(path)
    for expected in (
        TITLE, PROJECT.number, PROJECT.name, PROJECT.organizer, "2026-11-24、2026-11-25",
        "省级", "面授", "学分规则", IM.title, "学分年度", "提交截止", "2026-12-09",
        "各场次签到人数", CHART_TITLE, "（每15分钟的签到人数）", "签到明细", "张伟", "王芳",
        "李娜", "刘洋", "合格（92分）", "不合格", "经组织者更正（人工）", "多台记录已合并",
        "未签到（1人）：缺席者", "生成时间 2026-11-30 09:00", "4.3（暂定）",
        "项目负责人（签字）：", "举办单位（盖章）：", "日期：", IDS_MASKED,
    ):  # fmt: skip
        assert expected in text, expected
    # ID numbers are masked on the archive sheet, and the sheet says so.
    assert ALICE not in text and f"{ALICE[:3]}***********{ALICE[-4:]}" in text
    assert IDS_FULL not in text
    # Speakers are marked: the 主讲人 row of the speaker, and the session's speaker.
    assert "主讲人" in text
    lines = [ln.strip() for ln in text.splitlines()]
    am = lines.index("11-24 08:30–12:00")
    assert lines[am + 1 : am + 5] == ["上午", "刘洋", "4", "13.83"]  # Carol corrected to 12:00
    pm = lines.index("11-25 14:00–17:00")
    assert lines[pm + 1 : pm + 4] == ["下午", "1", "3.0"]
    # The chart's time axis labels the arrival buckets.
    assert "11-24 08:00" in text and "11-25 08:15" in text
    # Every page: the project number and "第 N 页 / 共 M 页" (counted in a second pass).
    pages = [page.extract_text() for page in PdfReader(path).pages]
    assert len(pages) >= 2
    for n, page in enumerate(pages, start=1):
        assert f"第 {n} 页 / 共 {len(pages)} 页" in page and PROJECT.number in page


def test_pdf_without_records_still_has_the_header(tmp_path: Path) -> None:
    empty = build_review(PROJECT, IM, [], people=people(ALICE), now=NOW)
    text = _pdf_text(write_attendance_pdf(empty, tmp_path / "e.pdf", font=CID_FONT))
    assert TITLE in text and "无签到记录" in text and "未签到（1人）：张伟" in text
    assert "第 1 页 / 共 " in text


def test_pdf_full_ids_only_when_asked(tmp_path: Path) -> None:
    text = _pdf_text(write_attendance_pdf(_table(), tmp_path / "f.pdf", mask_ids=False))
    assert ALICE in text and IDS_FULL in text and IDS_MASKED not in text
