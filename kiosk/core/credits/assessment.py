"""Assessment results (考核结果): pass/fail, or a score against a pass mark; bad rows by line."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from kiosk.core.credits.records import RowError, check_id_number
from kiosk.core.credits.tabular import Table, TableError, cell, read_csv
from kiosk.core.errors import InvalidDocumentNumber

ID_COLUMNS = ("id_number", "证件号", "证件号码", "身份证号", "身份证号码")
RESULT_COLUMNS = ("result", "考核结果", "结果")
SCORE_COLUMNS = ("score", "成绩", "分数", "考核成绩")
PASS_WORDS = frozenset({"pass", "passed", "合格", "通过", "是", "yes", "y", "1", "true"})
FAIL_WORDS = frozenset({"fail", "failed", "不合格", "未通过", "否", "no", "n", "0", "false"})


@dataclass(frozen=True, slots=True)
class Assessment:
    """One attendee's result; `score`/`pass_mark` are kept when the file had a score."""

    id_number: str
    passed: bool
    score: Decimal | None = None
    pass_mark: Decimal | None = None
    line: int = 0

    def label_zh(self) -> str:
        """合格/不合格, with the score when there is one (for the export's 考核结果 column)."""
        word = "合格" if self.passed else "不合格"
        return f"{word}（{self.score}分）" if self.score is not None else word


@dataclass(frozen=True, slots=True)
class AssessmentImport:
    """What an import produced: results by ID number, and every bad row."""

    results: dict[str, Assessment] = field(default_factory=dict)
    errors: tuple[RowError, ...] = ()


def _score(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"score {text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"score {text!r} is not a number of 0 or more")
    return value


def _row(
    line: int, number: str, word: str, score_text: str, pass_mark: Decimal | None
) -> Assessment:
    id_number = check_id_number(number)
    verdict: bool | None = None
    if word:
        key = word.casefold()
        if key in PASS_WORDS:
            verdict = True
        elif key in FAIL_WORDS:
            verdict = False
        else:
            raise ValueError(f"result {word!r} is neither pass (合格) nor fail (不合格)")
    score = _score(score_text) if score_text else None
    if score is not None and pass_mark is not None:
        by_score = score >= pass_mark
        if verdict is not None and verdict != by_score:
            raise ValueError(
                f"result {word!r} contradicts score {score} against the pass mark {pass_mark}"
            )
        verdict = by_score
    if verdict is None:
        if score is not None:
            raise ValueError(f"score {score} given but no pass mark (use --pass-mark)")
        raise ValueError("no result and no score")
    return Assessment(id_number, verdict, score, pass_mark if score is not None else None, line)


def parse_assessment_table(table: Table, *, pass_mark: Decimal | None = None) -> AssessmentImport:
    """Results from a table with an ID column and a result and/or score column."""
    table = table.find_header(ID_COLUMNS)
    id_col = table.column(ID_COLUMNS)
    result_col = table.column(RESULT_COLUMNS)
    score_col = table.column(SCORE_COLUMNS)
    head = table.header_line
    if id_col is None:
        return AssessmentImport(errors=(RowError(head, "no ID number column (id_number/证件号)"),))
    if result_col is None and score_col is None:
        return AssessmentImport(
            errors=(RowError(head, "no result (result/考核结果) or score (score/成绩) column"),)
        )
    results: dict[str, Assessment] = {}
    errors: list[RowError] = []
    for line, row in table.rows:
        try:
            a = _row(
                line, cell(row, id_col), cell(row, result_col), cell(row, score_col), pass_mark
            )
        except (ValueError, InvalidDocumentNumber) as exc:
            errors.append(RowError(line, str(exc)))
            continue
        earlier = results.get(a.id_number)
        if earlier is not None and earlier.passed != a.passed:
            errors.append(
                RowError(line, f"conflicts with line {earlier.line} for the same ID number")
            )
            continue
        results.setdefault(a.id_number, a)
    return AssessmentImport(results, tuple(errors))


def parse_assessment_csv(text: str, *, pass_mark: Decimal | None = None) -> AssessmentImport:
    """Results from CSV text; an unreadable file is one error on the line where it breaks."""
    try:
        table = read_csv(text)
    except TableError as exc:
        return AssessmentImport(errors=(RowError(exc.line, exc.message),))
    return parse_assessment_table(table, pass_mark=pass_mark)
