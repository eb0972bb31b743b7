"""The xlsx export for platforms without an API: one row per attendee and session."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kiosk.core.credits.review import EXPORT_COLUMNS, ReviewTable, export_rows
from kiosk.core.timeutil import SHANGHAI
from kiosk.reports.files import open_private

SHEET = "考勤"
INFO_SHEET = "项目"
_WIDTHS = (22, 10, 24, 14, 10, 20, 20, 16, 8, 14, 8)


def _info(table: ReviewTable, generated_at: datetime | None) -> list[tuple[str, object]]:
    p = table.project
    unit = "分钟" if table.profile.platform.time_unit.value == "minutes" else "小时"
    rows: list[tuple[str, object]] = [
        ("项目编号", p.number),
        ("项目名称", p.name),
        ("级别", p.level.value),
        ("形式", p.form.value),
        ("举办单位", p.organizer),
        ("举办地点", p.venue),
        ("举办日期", "、".join(d.isoformat() for d in p.days)),
        ("学分规则", f"{table.profile.title}（{table.profile.name}）"),
        ("学时单位", unit),
        ("学员人数", len(table.rows)),
        ("学分合计", table.total_credits),
        ("说明", "学分列只在每位学员的第一行填写，列合计即项目学分合计"),
    ]
    if table.deadline is not None:
        rows.append(("提交截止", table.deadline.deadline.isoformat()))
    if generated_at is not None:
        rows.append(("生成时间", generated_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")))
    return rows


def write_review_xlsx(
    table: ReviewTable, path: Path, *, generated_at: datetime | None = None
) -> Path:
    """Write the export (sheet 考勤 with EXPORT_COLUMNS, sheet 项目 with the header); mode 0600."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append(list(EXPORT_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in export_rows(table):
        ws.append(list(row))
    for i, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    # ID numbers are text: Excel would turn 18 digits into a float and lose the last three.
    for (cell,) in ws.iter_rows(min_row=2, max_col=1):
        cell.number_format = "@"
    ws.freeze_panes = "A2"
    info = wb.create_sheet(INFO_SHEET)
    for key, value in _info(table, generated_at):
        info.append([key, value])
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 60
    with open_private(path) as f:
        wb.save(f)
    return path
