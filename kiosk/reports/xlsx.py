"""The xlsx export for platforms without an API: one row per attendee and session, and more.

Sheets: 考勤 (EXPORT_COLUMNS), 场次 (the schedule), 更正记录 (the organizer's corrections) and
项目 (the header). Times are real date-time cells on the project's clock (the profile's time
zone, Asia/Shanghai); every enumerated value is written in Chinese.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kiosk.core.credits.calendar import credit_year_bounds, project_credit_year
from kiosk.core.credits.exports import EXPORT_COLUMNS, export_rows
from kiosk.core.credits.labels import (
    CORRECTION_LABELS_ZH,
    FORM_LABELS_ZH,
    KIND_LABELS_ZH,
    LEVEL_LABELS_ZH,
    PROVISIONAL_ZH,
    TIME_UNIT_LABELS_ZH,
)
from kiosk.core.credits.review import ReviewTable
from kiosk.core.credits.submission import WindowState
from kiosk.reports.files import open_private

SHEET = "考勤"
SESSIONS_SHEET = "场次"
CORRECTIONS_SHEET = "更正记录"
INFO_SHEET = "项目"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
CORRECTION_COLUMNS = (
    "更正时间",
    "更正人",
    "操作",
    "证件号",
    "记录时间",
    "记录号",
    "合并至",
    "原因",
)
SESSION_COLUMNS = ("场次", "主题", "开始", "结束", "签到人数", "学时合计")
_WIDTHS = (22, 10, 8, 24, 14, 10, 10, 20, 20, 16, 8, 14, 8, 10, 30)
_WINDOW_ZH = {
    WindowState.NOT_OPEN: "尚未开放",
    WindowState.OPEN: "已开放",
    WindowState.CLOSING: "即将关闭",
    WindowState.CLOSED: "已关闭",
}


def _clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """An aware instant as the naive local time Excel shows (it has no time zones)."""
    return moment.astimezone(zone).replace(tzinfo=None)


class _Sheet:
    """A worksheet written row by row, keeping its own row count.

    openpyxl's `append` and `max_row` look at every cell written so far: row by row that made a
    30,000-row export quadratic.
    """

    def __init__(self, ws: Worksheet, zone: ZoneInfo):
        self.ws = ws
        self.zone = zone
        self.row = 0

    def append(self, cells: Sequence[object]) -> None:
        """Write the next row; date-times become local date-time cells with a number format."""
        self.row += 1
        for column, value in enumerate(cells, start=1):
            if isinstance(value, datetime):
                cell = self.ws.cell(self.row, column, _clock(value, self.zone))
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, date):
                self.ws.cell(self.row, column, value).number_format = DATE_FORMAT
            elif value is not None and value != "":
                self.ws.cell(self.row, column, value)

    def header(self, names: Sequence[str], widths: Sequence[int]) -> None:
        """Bold column names on the first row, frozen; the columns' widths."""
        self.append(names)
        for column in range(1, len(names) + 1):
            self.ws.cell(1, column).font = Font(bold=True)
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = "A2"


def _info(table: ReviewTable, generated_at: datetime | None) -> list[tuple[str, object]]:
    p, profile = table.project, table.profile
    year = project_credit_year(p, profile)
    first, last = credit_year_bounds(year, profile.credit_year)
    annual = profile.annual.credits
    provisional = sum(r.credits_provisional for r in table.rows)
    rows: list[tuple[str, object]] = [
        ("项目编号", p.number),
        ("项目名称", p.name),
        ("级别", LEVEL_LABELS_ZH[p.level]),
        ("类别", KIND_LABELS_ZH[p.kind]),
        ("形式", FORM_LABELS_ZH[p.form]),
        ("举办单位", p.organizer),
        ("举办地点", p.venue),
        ("开始日期", p.first_day),
        ("结束日期", p.last_day),
        ("举办日期", "、".join(d.isoformat() for d in p.days)),
        ("学分规则", f"{profile.title}（{profile.name}）"),
        ("年度学分要求", f"{annual.value} 学分（{annual.source}）"),
        ("学时单位", TIME_UNIT_LABELS_ZH[profile.platform.time_unit.value]),
        ("学员人数", len(table.rows)),
        ("学分合计", table.total_credits),
        (f"{PROVISIONAL_ZH}学分人数", provisional),
        (
            "说明",
            "学分列只在每位学员的第一行填写，列合计即项目学分合计；学分状态为“暂定”的学分"
            "依据的规则无原文依据，待确认；时间为项目所在地时间",
        ),
        ("时区", profile.submission.timezone.value),
    ]
    rows.append(("学分年度", f"{year}（{first} 至 {last}，{profile.credit_year.source}）"))
    if table.window is not None:
        w = table.window
        rows += [
            ("提交窗口", _WINDOW_ZH[w.state] + ("（期限暂定）" if w.provisional else "")),
            ("提交开放", w.opens_at),
            ("提交截止", w.deadline_day),
        ]
    if generated_at is not None:
        rows.append(("生成时间", generated_at))
    return rows


def _sessions(sheet: _Sheet, table: ReviewTable) -> None:
    sheet.header(SESSION_COLUMNS, (10, 30, 20, 20, 10, 10))
    for c in table.sessions:
        s = c.session
        sheet.append((s.id, s.title, s.start, s.end, c.attendees, c.hours))


def _corrections(sheet: _Sheet, table: ReviewTable) -> None:
    sheet.header(CORRECTION_COLUMNS, (20, 12, 14, 22, 20, 38, 22, 40))
    for c in table.corrections:
        record = c.record_id if c.kind.value == "void_record" else ""
        sheet.append(
            (c.at, c.by, CORRECTION_LABELS_ZH[c.kind], c.id_number, c.moment, record, c.into,
             c.reason)
        )  # fmt: skip
        sheet.ws.cell(sheet.row, 4).number_format = "@"


def write_review_xlsx(
    table: ReviewTable, path: Path, *, generated_at: datetime | None = None
) -> Path:
    """Write the export (sheets 考勤, 场次, 更正记录, 项目); mode 0600."""
    zone = ZoneInfo(table.profile.submission.timezone.value)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    rows = _Sheet(ws, zone)
    rows.header(EXPORT_COLUMNS, _WIDTHS)
    for row in export_rows(table):
        rows.append(row)
        # ID numbers are text: Excel would turn 18 digits into a float and lose the last three.
        ws.cell(rows.row, 1).number_format = "@"
    _sessions(_Sheet(wb.create_sheet(SESSIONS_SHEET), zone), table)
    _corrections(_Sheet(wb.create_sheet(CORRECTIONS_SHEET), zone), table)
    info = _Sheet(wb.create_sheet(INFO_SHEET), zone)
    for key, value in _info(table, generated_at):
        info.append((key, value))
    ws_info = info.ws
    ws_info.column_dimensions["A"].width = 14
    ws_info.column_dimensions["B"].width = 60
    with open_private(path) as f:
        wb.save(f)
    return path
