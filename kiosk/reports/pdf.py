"""The PDF attendance sheet for the archive (存档备查): header, rows, session counts, arrivals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeAlias

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from kiosk.core.credits.amounts import show
from kiosk.core.credits.records import FLAG_LABELS_ZH, METHOD_LABELS_ZH
from kiosk.core.credits.review import ArrivalBucket, ReviewTable
from kiosk.core.ids import mask_number
from kiosk.core.timeutil import SHANGHAI, format_local
from kiosk.reports.files import open_private

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
_ROW_HEAD = (
    "序号",
    "证件号",
    "姓名",
    "单位",
    "场次",
    "签到",
    "签退",
    "方式",
    "学时",
    "考核",
    "学分",
    "备注",
)
_ROW_WIDTHS = (0.03, 0.12, 0.06, 0.13, 0.06, 0.08, 0.08, 0.08, 0.05, 0.08, 0.05, 0.18)
_LEVELS = {"national": "国家级", "provincial": "省级", "municipal": "市级", "unit": "单位"}


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
    return ParagraphStyle(f"{font}-{size}", fontName=font, fontSize=size, leading=size * 1.35)


Cell: TypeAlias = str | Paragraph


def _grid(
    data: Sequence[Sequence[Cell]], widths: Sequence[float], *, font: str, size: float = 8
) -> Table:
    table = Table([list(r) for r in data], colWidths=list(widths), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), size),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _header(table: ReviewTable) -> list[list[str]]:
    p = table.project
    rows = [
        ["项目编号", p.number, "项目名称", p.name],
        ["级别", _LEVELS.get(p.level.value, p.level.value), "举办单位", p.organizer],
        ["举办日期", "、".join(d.isoformat() for d in p.days), "举办地点", p.venue],
        ["学分规则", table.profile.title, "学员人数", str(len(table.rows))],
    ]
    if table.deadline is not None:
        rows.append(["提交截止", table.deadline.deadline.isoformat(), "", ""])
    return rows


def _attendance(table: ReviewTable, *, mask_ids: bool, font: str) -> list[list[Cell]]:
    small = _style(font, 7)
    data: list[list[Cell]] = [list(_ROW_HEAD)]
    for n, row in enumerate(table.rows, start=1):
        p = row.person
        number = mask_number(p.id_number) if mask_ids else p.id_number
        assessment = row.assessment.label_zh() if row.assessment is not None else ""
        lines = row.lines or (None,)
        for i, line in enumerate(lines):
            first = i == 0
            lead: list[Cell] = (
                [str(n), number, p.name, Paragraph(p.unit, small)] if first else ["", "", "", ""]
            )
            if line is None:
                detail: list[Cell] = ["", "", "", "", "0"]
            else:
                piece = line.piece
                detail = [
                    piece.session.id,
                    format_local(piece.scan_in, "%m-%d %H:%M"),
                    format_local(piece.scan_out, "%m-%d %H:%M") if piece.scan_out else "（缺）",
                    "/".join(METHOD_LABELS_ZH[m] for m in piece.methods),
                    show(line.hours),
                ]
            remarks = "、".join(FLAG_LABELS_ZH[f] for f in sorted(row.flags))
            tail: list[Cell] = (
                [assessment, show(row.credits), Paragraph(remarks, small)]
                if first
                else ["", "", ""]
            )
            data.append(lead + detail + tail)
    return data


def _sessions(table: ReviewTable) -> list[list[str]]:
    data = [["场次", "时间", "主题", "签到人数", "学时合计"]]
    for c in table.sessions:
        s = c.session
        when = f"{format_local(s.start, '%m-%d %H:%M')}–{format_local(s.end, '%H:%M')}"
        data.append([s.id, when, s.title, str(c.attendees), show(c.hours)])
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
    usable = page_w - 30 * mm
    story: list[Flowable] = [
        Paragraph(TITLE, _style(face, 16)),
        Spacer(1, 4 * mm),
        _grid(_header(table), [usable * f for f in (0.1, 0.3, 0.1, 0.5)], font=face, size=9),
        Spacer(1, 5 * mm),
        Paragraph("各场次签到人数", _style(face, 11)),
        _grid(_sessions(table), [usable * f for f in (0.1, 0.18, 0.48, 0.12, 0.12)], font=face),
        Spacer(1, 5 * mm),
        arrivals_chart(table.arrivals, width=usable, height=170, font=face),
        Paragraph(f"（每{bucket_minutes}分钟的签到人数）", _style(face, 8)),
        Spacer(1, 5 * mm),
        Paragraph("签到明细", _style(face, 11)),
        _grid(
            _attendance(table, mask_ids=mask_ids, font=face),
            [usable * f for f in _ROW_WIDTHS],
            font=face,
        ),
    ]
    if table.absent:
        names = "、".join(p.name or mask_number(p.id_number) for p in table.absent)
        story += [
            Spacer(1, 4 * mm),
            Paragraph(f"未签到（{len(table.absent)}人）：{names}", _style(face, 9)),
        ]
    stamp = generated_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if generated_at else ""
    story += [
        Spacer(1, 4 * mm),
        Paragraph(f"学分合计 {show(table.total_credits)}　生成时间 {stamp}", _style(face, 9)),
    ]

    def _page(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.setFont(face, 8)
        canvas.drawRightString(
            page_w - 15 * mm, 8 * mm, f"{table.project.number}　第 {doc.page} 页"
        )

    with open_private(path) as f:
        doc = SimpleDocTemplate(
            f,
            pagesize=landscape(A4),
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=12 * mm,
            bottomMargin=14 * mm,
            title=TITLE,
            author=table.project.organizer,
        )
        doc.build(story, onFirstPage=_page, onLaterPages=_page)
    return path
