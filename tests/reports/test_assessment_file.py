"""Assessment imports from real xlsx workbooks and CSV files, bad rows by spreadsheet row."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from kiosk.reports.assessment_file import read_assessment_file
from tests.support.credits import ALICE, BOB, CAROL


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_xlsx_scores_and_words(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "results.xlsx",
        [
            ["项目考核成绩表"],  # a title row above the header is common in hospital templates
            [],
            ["证件号", "姓名", "成绩", "考核结果"],
            [ALICE, "张伟", 85, None],
            [BOB, "王芳", 59.5, None],
            [CAROL, "李娜", None, "合格"],
        ],
    )
    imported = read_assessment_file(path, pass_mark=Decimal(60))
    assert imported.errors == ()
    r = imported.results
    assert (r[ALICE].passed, r[ALICE].score) == (True, Decimal(85))
    assert (r[BOB].passed, r[BOB].score) == (False, Decimal("59.5"))
    assert r[CAROL].passed and r[CAROL].line == 6


def test_xlsx_bad_rows_use_spreadsheet_row_numbers(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "r.xlsx",
        [
            ["id_number", "result"],
            [ALICE, "pass"],
            [150102198503120000, "pass"],  # typed as a number: Excel rounds to 15 digits
            [BOB, "缺考"],
        ],
    )
    imported = read_assessment_file(path)
    assert [(e.line, e.message.split(" ")[0]) for e in imported.errors] == [
        (3, "resident"),
        (4, "result"),
    ]
    assert "check digit" in imported.errors[0].message
    assert list(imported.results) == [ALICE]


def test_unreadable_files(tmp_path: Path) -> None:
    garbage = tmp_path / "r.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    (error,) = read_assessment_file(garbage).errors
    assert error.line == 1 and "not a readable xlsx workbook" in error.message
    empty = _xlsx(tmp_path / "empty.xlsx", [])
    assert "first sheet is empty" in read_assessment_file(empty).errors[0].message
    latin = tmp_path / "r.csv"
    latin.write_bytes("证件号,结果\n".encode("gbk"))
    assert "not UTF-8" in read_assessment_file(latin).errors[0].message
    missing = read_assessment_file(tmp_path / "nope.csv").errors[0]
    assert missing.line == 1 and "cannot read" in missing.message


def test_csv_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(f"\ufeff证件号,考核结果\n{ALICE},合格\n{BOB},不合格\n", encoding="utf-8")
    imported = read_assessment_file(path)
    assert imported.errors == ()
    assert imported.results[ALICE].passed and not imported.results[BOB].passed
