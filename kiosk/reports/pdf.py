"""The PDF attendance sheet for the archive (存档备查): header, rows, session counts, arrivals.

Every table cell is a wrapping Paragraph, so no name, unit or remark is clipped or runs into the
next column whatever its length; the sheet ends with the responsible person's signature and the
unit's seal, and every page carries "第 N 页 / 共 M 页" under a separator.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from kiosk.core.credits.amounts import show
from kiosk.core.credits.calendar import credit_year_bounds, project_credit_year
from kiosk.core.credits.exports import assessment_zh, marks_zh, session_times
from kiosk.core.credits.labels import (
    FORM_LABELS_ZH,
    LEVEL_LABELS_ZH,
    METHOD_LABELS_ZH,
    PROVISIONAL_ZH,
    ROLE_LABELS_ZH,
)
from kiosk.core.credits.review import ArrivalBucket, ReviewTable
from kiosk.core.ids import mask_number
from kiosk.core.model import Role
from kiosk.core.timeutil import SHANGHAI, format_local
from kiosk.reports.files import open_private
from kiosk.reports.pdf_page import RULE_Y, footer_canvas

# An embedded subset of WenQuanYi Micro Hei (Debian fonts-wqy-microhei, a runtime package) renders
# the same in every viewer; without it, Adobe's Song CID font, which reportlab knows and Acrobat
# supplies but which other viewers may substitute.
CID_FONT = "STSong-Light"
EMBED_FONT = "WenQuanYiMicroHei"
FONT_FILES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
)
TITLE = "继续医学教育项目签到表（存档备查）"
CHART_TITLE = "签到时间分布"
IDS_MASKED = "证件号：脱敏显示（只显示前3位和后4位）"
IDS_FULL = "证件号：完整显示（报送平台用，请妥善保管）"
SIGNATURE = ("项目负责人（签字）：", "举办单位（盖章）：", "日期：")
_ROW_HEAD = (
    "序号",
    "证件号",
    "姓名",
    "单位",
    "场次",
    "角色",
    "签到",
    "签退",
    "方式",
    "学时",
    "考核",
    "学分",
    "备注",
)
_ROW_WIDTHS = (0.035, 0.115, 0.08, 0.13, 0.055, 0.05, 0.065, 0.065, 0.07, 0.04, 0.07, 0.075, 0.15)
_MARGIN = 15 * mm
# "　　　　年　　月　　日" with spaces Paragraph keeps (it collapses ordinary ones).
_DATE_BLANKS = "&nbsp;" * 14 + "年" + "&nbsp;" * 8 + "月" + "&nbsp;" * 8 + "日"


def register_font(font: Path | str | None = None) -> str:
    """Register the CJK font and return its name: a TTF/TTC path, "STSong-Light", or None (best)."""
    if font is None:
        font = next((p for p in FONT_FILES if p.is_file()), CID_FONT)
    if font == CID_FONT:
        if CID_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
        return CID_FONT
    path = Path(font)
    name = EMBED_FONT if path in FONT_FILES else f"CJK-{path.stem}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
    return name


def _style(font: str, size: float) -> ParagraphStyle:
    # CJK wrapping breaks between any two characters: ID numbers and long Latin words wrap too.
    return ParagraphStyle(
        f"{font}-{size}", fontName=font, fontSize=size, leading=size * 1.35, wordWrap="CJK"
    )


def _heading(font: str) -> ParagraphStyle:
    """A section title that stays on the page of the table it names."""
    style = _style(font, 11)
    style.keepWithNext = 1
    return style


class _Cells:
    """Turns texts into wrapping Paragraphs of one style (text is escaped, never markup)."""

    def __init__(self, font: str, size: float):
        self.style = _style(font, size)

    def __call__(self, text: str) -> Paragraph:
        return Paragraph(escape(text), self.style)

    def rows(self, data: Sequence[Sequence[str]]) -> list[list[Paragraph]]:
        return [[self(text) for text in row] for row in data]


def _grid(data: list[list[Paragraph]], widths: Sequence[float]) -> Table:
    table = Table(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _header(table: ReviewTable, *, mask_ids: bool) -> list[list[str]]:
    p, profile = table.project, table.profile
    year = project_credit_year(p, profile)
    first, last = credit_year_bounds(year, profile.credit_year)
    rows = [
        ["项目编号", p.number, "项目名称", p.name],
        ["级别", LEVEL_LABELS_ZH[p.level], "举办单位", p.organizer],
        ["形式", FORM_LABELS_ZH[p.form], "举办地点", p.venue],
        ["举办日期", "、".join(d.isoformat() for d in p.days), "学分规则", profile.title],
        ["学员人数", str(len(table.rows)), "学分年度", f"{year}（{first} 至 {last}）"],
    ]
    if table.window is not None:
        w = table.window
        deadline = w.deadline_day.isoformat() + ("（暂定）" if w.provisional else "")
        rows.append(["提交截止", deadline, "证件号", IDS_MASKED if mask_ids else IDS_FULL])
    else:
        rows.append(["", "", "证件号", IDS_MASKED if mask_ids else IDS_FULL])
    return rows


def _attendance(table: ReviewTable, *, mask_ids: bool) -> list[list[str]]:
    data: list[list[str]] = [list(_ROW_HEAD)]
    for n, row in enumerate(table.rows, start=1):
        p = row.person
        number = mask_number(p.id_number) if mask_ids else p.id_number
        credits = show(row.credits) + (f"（{PROVISIONAL_ZH}）" if row.credits_provisional else "")
        tail = [assessment_zh(row), credits, marks_zh(row)]
        lead = [str(n), number, p.name, p.unit]
        if not row.lines:
            data.append([*lead, "", ROLE_LABELS_ZH[row.role], "", "", "", "0", *tail])
        for i, line in enumerate(row.lines):
            start, end = session_times(row.lines, i)
            role = ROLE_LABELS_ZH[Role.SPEAKER if line.speaking else Role.PARTICIPANT]
            detail = [
                line.piece.session.id,
                role,
                format_local(start, "%m-%d %H:%M") if start else "",
                format_local(end, "%m-%d %H:%M") if end else "（缺）",
                "/".join(METHOD_LABELS_ZH[m] for m in line.piece.methods),
                show(line.hours),
            ]
            first = i == 0
            data.append([*lead, *detail, *tail] if first else ["", "", "", "", *detail, "", "", ""])
    return data


def _sessions(table: ReviewTable) -> list[list[str]]:
    data = [["场次", "时间", "主题", "主讲人", "签到人数", "学时合计"]]
    names = {r.person.id_number: r.person.name for r in table.rows}
    for c in table.sessions:
        s = c.session
        when = f"{format_local(s.start, '%m-%d %H:%M')}–{format_local(s.end, '%H:%M')}"
        speakers = "、".join(names.get(n, "") or "（未签到）" for n in s.speakers)
        data.append([s.id, when, s.title, speakers, str(c.attendees), show(c.hours)])
    return data


def arrivals_chart(
    buckets: Sequence[ArrivalBucket], *, width: float, height: float, font: str
) -> Drawing:
    """A bar chart of check-ins per time bucket (labels thinned so they stay readable)."""
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, CHART_TITLE, fontName=font, fontSize=10))
    if not buckets:
        drawing.add(String(0, height - 30, "无签到记录", fontName=font, fontSize=9))
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 40
    chart.width, chart.height = width - 40, height - 70
    chart.data = [[b.count for b in buckets]]
    chart.bars[0].fillColor = colors.HexColor("#4a7ab5")
    top = max(b.count for b in buckets)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(top, 1)
    chart.valueAxis.valueStep = max(1, (top + 4) // 5)
    chart.valueAxis.labels.fontName = font
    every = max(1, len(buckets) // 16)
    days = len({b.start.astimezone(SHANGHAI).date() for b in buckets})
    fmt = "%m-%d %H:%M" if days > 1 else "%H:%M"
    chart.categoryAxis.categoryNames = [
        format_local(b.start, fmt) if i % every == 0 else "" for i, b in enumerate(buckets)
    ]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    drawing.add(chart)
    return drawing


def _signature(face: str, usable: float) -> Flowable:
    """The block the responsible person signs and the unit seals (负责人签字 / 单位盖章)."""
    cell = _Cells(face, 10)
    block = Table(
        [
            [cell(SIGNATURE[0]), cell(""), cell(SIGNATURE[1]), cell("")],
            [cell(SIGNATURE[2]), Paragraph(_DATE_BLANKS, cell.style), cell(""), cell("")],
        ],
        colWidths=[usable * f for f in (0.16, 0.3, 0.16, 0.38)],
        rowHeights=[30 * mm, 12 * mm],
    )
    block.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (1, 0), (1, 0), 0.6, colors.black),
                ("LINEBELOW", (3, 0), (3, 0), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("SPAN", (1, 1), (-1, 1)),
            ]
        )
    )
    return KeepTogether([Spacer(1, 6 * mm), block])


def _notes(table: ReviewTable, face: str, stamp: str) -> list[Flowable]:
    small = _Cells(face, 9)
    out: list[Flowable] = []
    if table.absent:
        names = "、".join(p.name or mask_number(p.id_number) for p in table.absent)
        out += [Spacer(1, 4 * mm), small(f"未签到（{len(table.absent)}人）：{names}")]
    provisional = [r for r in table.rows if r.credits_provisional]
    if provisional:
        out.append(
            small(
                f"学分标“{PROVISIONAL_ZH}”者（{len(provisional)}人）：所依据的学分规则在现有文件中"
                "无原文依据，待确认后为准。"
            )
        )
    if table.corrections:
        out.append(
            small(
                f"经组织者人工更正 {len(table.corrections)} 处（标“经组织者更正（人工）”），"
                "更正人、时间与原因见导出表“更正记录”。"
            )
        )
    out += [Spacer(1, 4 * mm), small(f"学分合计 {show(table.total_credits)}　生成时间 {stamp}")]
    return out


def write_attendance_pdf(
    table: ReviewTable,
    path: Path,
    *,
    mask_ids: bool = True,
    generated_at: datetime | None = None,
    bucket_minutes: int = 15,
    font: Path | str | None = None,
) -> Path:
    """Write the archive sheet (A4 landscape, mode 0600); ID numbers masked unless told not to."""
    face = register_font(font)
    page_w, _ = landscape(A4)
    usable = page_w - 2 * _MARGIN
    cells = _Cells(face, 8)
    stamp = generated_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if generated_at else ""
    story: list[Flowable] = [
        Paragraph(TITLE, _style(face, 16)),
        Spacer(1, 4 * mm),
        _grid(
            _Cells(face, 9).rows(_header(table, mask_ids=mask_ids)),
            [usable * f for f in (0.1, 0.35, 0.1, 0.45)],
        ),
        Spacer(1, 5 * mm),
        Paragraph("各场次签到人数", _heading(face)),
        _grid(
            cells.rows(_sessions(table)),
            [usable * f for f in (0.1, 0.16, 0.4, 0.14, 0.1, 0.1)],
        ),
        Spacer(1, 5 * mm),
        arrivals_chart(table.arrivals, width=usable, height=170, font=face),
        Paragraph(f"（每{bucket_minutes}分钟的签到人数）", _style(face, 8)),
        Spacer(1, 5 * mm),
        Paragraph("签到明细", _heading(face)),
        _grid(
            _Cells(face, 7).rows(_attendance(table, mask_ids=mask_ids)),
            [usable * f for f in _ROW_WIDTHS],
        ),
        *_notes(table, face, stamp),
        _signature(face, usable),
    ]
    canvas = footer_canvas(font=face, left=table.project.number, margin=_MARGIN)
    with open_private(path) as f:
        doc = SimpleDocTemplate(
            f,
            pagesize=landscape(A4),
            leftMargin=_MARGIN,
            rightMargin=_MARGIN,
            topMargin=12 * mm,
            bottomMargin=RULE_Y + 4 * mm,
            title=TITLE,
            author=table.project.organizer,
        )
        doc.build(story, canvasmaker=canvas)
    return path
