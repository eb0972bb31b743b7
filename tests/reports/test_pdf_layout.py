"""The archive sheet's layout read back with pdfminer.six: no text clipped, overlapping or cut.

Over names of 2 and 20 characters and units of 30, masked and full ID numbers: every character's
drawn box (its advance × the font size, rotated with the chart's axis labels) stays inside the
page, overlaps no other, and no rule of the tables runs through one (text running into the next
column, or out of its row, would cross the rule between them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTLine
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from kiosk.core.credits import Person
from kiosk.core.credits.review import ReviewTable, build_review
from kiosk.core.model import Method
from kiosk.core.rules import load_profile
from kiosk.reports.pdf import CID_FONT, FONT_FILES, register_font, write_attendance_pdf
from tests.support.credits import D1, D2, IN, SPEAKER, at, idn, project, rec, stay
from tests.support.env import need

IM = load_profile("inner-mongolia-2025-draft")
# Names of 2 and 20 characters, a unit of 30; a Latin name without spaces wraps too.
NAMES = ("王芳", "阿卜杜热合曼·艾合买提江·买买提明·吐尔", "MARIA-GONZALEZ-FERNANDEZ")
UNIT = "内蒙古自治区呼和浩特市第一人民医院重症医学科护理部教学研究室"
TOL = 0.25  # points: glyph boxes of neighbouring characters may touch


def _layout_table(people: int = 14) -> ReviewTable:
    records = []
    persons = {}
    for i in range(people):
        n = idn(200 + i)
        unit = UNIT[:30] if i % 2 == 0 else UNIT[:2]
        persons[n] = Person(n, NAMES[i % len(NAMES)], unit=unit, department="重症医学科")
        method = Method.ID_CARD if i % 3 == 0 else Method.FACE
        records += stay(n, D1, (8, 10 + i), (12, 5), method=method)
        records += stay(n, D1, (13, 50), (17, 2), method=Method.QR)
        if i % 4 == 0:
            records.append(rec(n, IN, at(D2, 8, 30), method=Method.MANUAL))  # no check-out
    persons[SPEAKER] = Person(SPEAKER, NAMES[1], unit=UNIT[:30])
    records += stay(SPEAKER, D1, (8, 15), (12, 10))
    assert len(NAMES[1]) == 20 and len(UNIT[:30]) == 30
    return build_review(project(days=(D1, D2)), IM, records, people=persons, now=at(D2, 18))


Point = tuple[float, float]


@dataclass(frozen=True)
class Glyph:
    """One character as drawn: its text and its box (advance × font size), rotated or not."""

    text: str
    corners: tuple[Point, Point, Point, Point]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        xs, ys = [p[0] for p in self.corners], [p[1] for p in self.corners]
        return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class Page:
    """What one page holds: its size, its characters and its straight rules."""

    number: int
    width: float
    height: float
    glyphs: list[Glyph]
    rules: list[tuple[Point, Point]]


class _Recorder(PDFPageAggregator):  # type: ignore[misc]
    """pdfminer's page aggregator that also keeps each character's true (rotated) box."""

    def __init__(self, resources: PDFResourceManager) -> None:
        super().__init__(resources, laparams=None)
        self.glyphs: list[Glyph] = []

    def render_char(self, matrix: Any, font: Any, fontsize: float, scaling: float,
                    rise: float, cid: int, ncs: Any, graphicstate: Any) -> float:  # fmt: skip
        adv: float = super().render_char(
            matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate
        )
        text = self.cur_item._objs[-1].get_text()
        if text.strip():
            low = font.get_descent() * fontsize + rise
            box = ((0.0, low), (adv, low), (adv, low + fontsize), (0.0, low + fontsize))
            a, b, c, d, e, f = matrix
            corners = tuple((a * x + c * y + e, b * x + d * y + f) for x, y in box)
            self.glyphs.append(Glyph(text, corners))  # type: ignore[arg-type]
        return adv


def read_pages(path: Path) -> list[Page]:
    """Every page's characters with their drawn boxes, and its straight lines (pdfminer.six)."""
    resources = PDFResourceManager()
    device = _Recorder(resources)
    interpreter = PDFPageInterpreter(resources, device)
    pages = []
    with path.open("rb") as f:
        for number, pdf_page in enumerate(PDFPage.get_pages(f), start=1):
            device.glyphs = []
            interpreter.process_page(pdf_page)
            layout = device.get_result()
            rules = [
                (item.pts[0], item.pts[-1])
                for item in layout
                if isinstance(item, LTLine) and len(item.pts) == 2
            ]
            pages.append(Page(number, layout.width, layout.height, device.glyphs, rules))
    return pages


def _overlap(a: Sequence[Point], b: Sequence[Point]) -> float:
    """How far two convex shapes (a segment is one) overlap: 0 or less when they do not."""
    depth = float("inf")
    for shape in (a, b):
        for i in range(len(shape)):
            (x0, y0), (x1, y1) = shape[i], shape[(i + 1) % len(shape)]
            nx, ny = y0 - y1, x1 - x0
            norm = math.hypot(nx, ny)
            if norm == 0:
                continue
            pa = [(x * nx + y * ny) / norm for x, y in a]
            pb = [(x * nx + y * ny) / norm for x, y in b]
            # The distance to push them apart on this axis (a segment's projection on its
            # own normal is a point: how deep that point lies inside the other shape).
            depth = min(depth, max(pa) - min(pb), max(pb) - min(pa))
    return depth


def _touch(p: tuple[float, float, float, float], q: tuple[float, float, float, float]) -> bool:
    return p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]


def problems(pages: list[Page]) -> list[str]:
    """Every clipped, overlapping or rule-crossing character (empty: a clean layout)."""
    out = []
    for page in pages:
        where = f"page {page.number}"
        for g in page.glyphs:
            x0, y0, x1, y1 = g.bounds
            if x0 < 0 or y0 < 0 or x1 > page.width or y1 > page.height:
                out.append(f"{where}: {g.text!r} crosses the page edge")
        ordered = sorted(page.glyphs, key=lambda g: g.bounds[0])
        for i, g in enumerate(ordered):
            for h in ordered[i + 1 :]:
                if h.bounds[0] >= g.bounds[2]:
                    break
                if _touch(g.bounds, h.bounds) and _overlap(g.corners, h.corners) > TOL:
                    out.append(f"{where}: {g.text!r} overlaps {h.text!r}")
        for start, end in page.rules:
            span = (min(start[0], end[0]), min(start[1], end[1]),
                    max(start[0], end[0]) + 0.01, max(start[1], end[1]) + 0.01)  # fmt: skip
            for g in page.glyphs:
                if _touch(span, g.bounds) and _overlap((start, end), g.corners) > TOL:
                    out.append(f"{where}: a rule runs through {g.text!r}")
    return out


def _fonts() -> list[str]:
    return ["embedded", CID_FONT]


def _font(name: str) -> Path | str:
    if name != "embedded":
        return name
    found = next((p for p in FONT_FILES if p.is_file()), None)
    need(found is not None, "fonts-wqy-microhei (a runtime package) is not installed")
    assert found is not None
    return found


@pytest.mark.parametrize("font", _fonts())
@pytest.mark.parametrize("mask_ids", [True, False], ids=["masked", "full-ids"])
def test_no_text_is_clipped_overlapping_or_across_a_column(
    tmp_path: Path, font: str, mask_ids: bool
) -> None:
    table = _layout_table()
    path = write_attendance_pdf(table, tmp_path / "sheet.pdf", mask_ids=mask_ids, font=_font(font))
    pages = read_pages(path)
    assert len(pages) >= 2 and all(p.rules for p in pages)  # the table spans pages
    assert problems(pages) == []
    # Nothing is lost to wrapping: every name, unit and title is there, in order (pypdf reads
    # the CID font's "·", which pdfminer's own CMap does not map).
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(path).pages))
    for name in (*NAMES, UNIT, IM.title, "学分规则", "项目负责人（签字）：", "举办单位（盖章）："):
        assert name in text, name
    for page in pages:
        footer = "".join(g.text for g in page.glyphs if g.bounds[1] < 30)
        assert footer.endswith(f"第{page.number}页/共{len(pages)}页"), footer


def test_the_check_finds_text_running_into_the_next_column(tmp_path: Path) -> None:
    # The sheet before issue 16: plain strings in narrow cells run across the rule.
    face = register_font(CID_FONT)
    path = tmp_path / "bad.pdf"
    bad = Table([["方式", "学时"], ["身份证/人工登记/二维码", "3.5"]], colWidths=[30, 30])
    bad.setStyle(
        TableStyle([("FONTNAME", (0, 0), (-1, -1), face), ("GRID", (0, 0), (-1, -1), 0.4, "grey")])
    )
    SimpleDocTemplate(str(path), pagesize=landscape(A4)).build([bad])
    found = problems(read_pages(path))
    assert any("a rule runs through" in p for p in found), found
