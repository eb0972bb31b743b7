"""Rows the organizer's files and the platform receive: the xlsx rows, JSON rows, report lines."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from kiosk.core.credits.compute import AttendeeCredits, SessionLine
from kiosk.core.credits.labels import (
    FLAG_LABELS_ZH,
    METHOD_LABELS_ZH,
    PROVISIONAL_ZH,
    ROLE_LABELS_ZH,
)
from kiosk.core.credits.ledger import year_json
from kiosk.core.credits.records import CreditFlag
from kiosk.core.credits.review import ReviewTable
from kiosk.core.model import Role

EXPORT_COLUMNS = (
    "证件号",
    "姓名",
    "角色",
    "单位",
    "科室",
    "职称",
    "场次",
    "签到时间",
    "签退时间",
    "考勤方式",
    "学时",
    "考核结果",
    "学分",
    "学分状态",
    "标记",
)
Cell = str | Decimal | int | datetime | None


def assessment_zh(row: AttendeeCredits) -> str:
    """The 考核结果 cell: 合格/不合格 (with the score), 未导入 or 缺考."""
    if row.assessment is not None:
        return row.assessment.label_zh()
    if CreditFlag.ASSESSMENT_PENDING in row.flags:
        return "未导入"
    if CreditFlag.ASSESSMENT_MISSING in row.flags:
        return "缺考"
    return ""


def marks_zh(row: AttendeeCredits) -> str:
    """Every flag of a row in Chinese, 经组织者更正（人工） included."""
    return "、".join(FLAG_LABELS_ZH[f] for f in sorted(row.flags))


def session_times(
    lines: tuple[SessionLine, ...], i: int
) -> tuple[datetime | None, datetime | None]:
    """In and out of line `i` on the desk clock: the scans that belong to its session.

    A stay across a break yields one line per session; each shows its own times: the recorded
    check-in on the first, the session's start on a later one (the person was already there),
    and the recorded check-out on the last, the session's end on an earlier one. An assumed end
    (no check-out) stays empty.
    """
    piece = lines[i].piece
    earlier = any(ln.piece.scan_in == piece.scan_in for ln in lines[:i])
    later = any(ln.piece.scan_out == piece.scan_out for ln in lines[i + 1 :])
    start = piece.start if earlier else piece.scan_in
    end = piece.end if later else piece.scan_out
    return start, end


def export_rows(table: ReviewTable) -> list[tuple[Cell, ...]]:
    """One row per attendee and session, in EXPORT_COLUMNS order; times are aware datetimes.

    学时 is in the platform's time unit (hours, or whole minutes); 学分 and 学分状态 (暂定 when the
    credits rest on a provisional figure) are on the attendee's first row only, so a column sum
    is the project's total; 角色 is 主讲人 on the sessions the person teaches.
    """
    minutes = table.profile.platform.time_unit.value == "minutes"
    step = table.profile.rounding
    out: list[tuple[Cell, ...]] = []
    for row in table.rows:
        p = row.person
        marks = marks_zh(row)
        status = PROVISIONAL_ZH if row.credits_provisional else ""
        if not row.lines:
            amount: Decimal | int = 0 if minutes else Decimal(0).quantize(step.hours_step)
            role = ROLE_LABELS_ZH[row.role]
            out.append(
                (p.id_number, p.name, role, p.unit, p.department, p.title, "", None, None, "",
                 amount, assessment_zh(row), row.credits, status, marks)
            )  # fmt: skip
            continue
        for i, line in enumerate(row.lines):
            piece = line.piece
            start, end = session_times(row.lines, i)
            role = ROLE_LABELS_ZH[Role.SPEAKER if line.speaking else Role.PARTICIPANT]
            how = "/".join(METHOD_LABELS_ZH[m] for m in piece.methods)
            first = i == 0
            out.append(
                (p.id_number, p.name, role, p.unit, p.department, p.title, piece.session.id,
                 start, end, how, piece.minutes if minutes else line.hours, assessment_zh(row),
                 row.credits if first else None, status if first else None, marks)
            )  # fmt: skip
    return out


def execution_report_rows(table: ReviewTable) -> list[dict[str, object]]:
    """JSON rows of the execution report (考勤、考核、学分预授), one per attendee.

    After the `cme-kiosk credits` keys: the person's details, the assessment, the credit year's
    requirement and progress (`annual`) and the yearly cap (`yearly_cap`), null where unknown.
    """
    out = []
    years = table.years or {}
    for row in table.rows:
        item = row.to_json()
        p = row.person
        a = row.assessment
        item.update(
            {
                "unit": p.unit,
                "department": p.department,
                "title": p.title,
                "minutes": sum(line.piece.minutes for line in row.lines),
                "assessment": None
                if a is None
                else {
                    "passed": a.passed,
                    "score": None if a.score is None else str(a.score),
                    "pass_mark": None if a.pass_mark is None else str(a.pass_mark),
                },
                "credit_year": row.credit_year,
                "needs_confirmation": row.needs_confirmation,
                "provisional": p.provisional,
            }
        )
        item.update(year_json(row.credits, row.yearly_cut, years.get(p.id_number), table.profile))
        out.append(item)
    return out


def submission_lines(
    table: ReviewTable, attendee_refs: Mapping[str, str]
) -> list[dict[str, object]]:
    """Lines of the platform's execution report (sync.protocol.ReportLine fields), one per attendee.

    `attendee_refs` maps ID numbers to the platform's attendee references; an attendee without
    one raises KeyError (submit must not drop anyone silently). Credits resting on a provisional
    figure carry `credits_provisional` in their notes.
    """
    out: list[dict[str, object]] = []
    required = table.profile.forms.get(table.project.form).assessment_required.value
    for row in table.rows:
        a = row.assessment
        if a is not None:
            verdict = "passed" if a.passed else "failed"
        elif required and row.participant_hours > 0:
            verdict = "missing"
        else:
            verdict = "not_required"
        notes = [f.value for f in sorted(row.flags)]
        if row.credits_provisional:
            notes.append("credits_provisional")
        out.append(
            {
                "attendee_id": attendee_refs[row.person.id_number],
                "role": row.role.value,
                "hours": row.hours,
                "assessment": verdict,
                "score": a.score if a is not None else None,
                "credits": row.credits,
                "notes": ", ".join(notes)[:500],
            }
        )
    return out
