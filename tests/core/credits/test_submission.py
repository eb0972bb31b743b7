"""The submission window (end of the last session → end of the Nth day after) and project checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core.credits.checks import method_warnings, project_warnings
from kiosk.core.credits.submission import (
    WindowState,
    profile_problems,
    submission_window,
    window_figures_missing,
)
from kiosk.core.model import CheckInSettings, Method, ProjectLevel
from kiosk.core.rules import BUILTIN_DIR, load_profile
from tests.support.credits import D1, D2, at, project, variant

IM = load_profile("inner-mongolia-2025-draft")
CQ = load_profile("chongqing-2017")
NAT = load_profile("national-2024")
TWO_DAYS = project(days=(D1, D2))  # the last session ends 2026-11-25 17:00
S = WindowState


@pytest.mark.parametrize(
    ("now", "state", "days_left"),
    [
        (at(D1, 9), S.NOT_OPEN, 15),
        (at(D2, 16, 59, 59), S.NOT_OPEN, 15),  # the last day, before its last session ends
        (at(D2, 17), S.OPEN, 15),  # the end of the last session: open
        (at(date(2026, 12, 6), 23, 59), S.OPEN, 4),
        (at(date(2026, 12, 7), 0), S.CLOSING, 3),  # the last 3 days: closing
        (at(date(2026, 12, 9), 23, 59, 59), S.CLOSING, 1),  # +14 days: still accepted
        (at(date(2026, 12, 10), 0), S.CLOSED, 0),  # +15 days: refused
        (datetime(2026, 12, 9, 15, 59, tzinfo=UTC), S.CLOSING, 1),  # Shanghai 23:59
        (datetime(2026, 12, 9, 16, 0, tzinfo=UTC), S.CLOSED, 0),  # Shanghai midnight
    ],
)
def test_the_window_opens_when_the_last_session_ends(
    now: datetime, state: WindowState, days_left: int
) -> None:
    w = submission_window(TWO_DAYS, IM, now=now)
    assert (w.state, w.days_left) == (state, days_left)
    assert w.opens_at == at(D2, 17) and w.closes_at == at(date(2026, 12, 10), 0)
    assert (w.deadline_day, w.days, w.closing_days) == (date(2026, 12, 9), 14, 3)
    assert w.accepts is (state in (S.OPEN, S.CLOSING))
    assert (w.source, w.provisional) == ("第十三条", False)


def test_messages_name_the_state_and_the_deadline() -> None:
    def msg(now: datetime, lang: str = "zh") -> str:
        return submission_window(TWO_DAYS, IM, now=now).message(lang=lang)

    assert msg(at(D2, 12)) == (
        "提交窗口尚未开放（2026-11-25 17:00 最后一场结束后开放），提交截止 2026-12-09"
    )
    assert msg(at(D2, 18)) == "提交窗口已开放，提交截止 2026-12-09（还剩 14 天）"
    assert msg(at(date(2026, 12, 8), 9)) == "提交窗口即将关闭，提交截止 2026-12-09（还剩 1 天）"
    assert msg(at(date(2026, 12, 9), 9)) == "提交窗口即将关闭，提交截止 2026-12-09（今天截止）"
    assert msg(at(date(2026, 12, 12), 9)) == (
        "提交窗口已关闭：提交截止 2026-12-09 已过 3 天，平台将拒绝提交"
    )
    assert msg(at(date(2026, 12, 9), 9), "en") == (
        "Submission closing: deadline 2026-12-09 (closes today)"
    )
    assert "Submission opens at 2026-11-25 17:00" in msg(at(D2, 12), "en")
    # A provisional N (Chongqing's text sets none) says so.
    cq = submission_window(project(days=(D1, D2), profile=CQ.name), CQ, now=at(D2, 18))
    assert cq.provisional and cq.message().endswith("（期限暂定）")


def test_n_and_the_closing_days_come_from_the_profile() -> None:
    longer = variant(
        IM.name,
        submission={
            "days_after_last_day": {"value": 21, "source": "第十三条（修订）", "quote": "x"},
            "warn_days": {"value": [7, 4], "source": "kiosk policy: reminders"},
        },
    )
    w = submission_window(TWO_DAYS, longer, now=at(date(2026, 12, 12), 9))
    assert (w.deadline_day, w.closing_days, w.state) == (date(2026, 12, 16), 5, S.CLOSING)
    quiet = variant(IM.name, submission={"warn_days": {"value": [], "source": "kiosk policy"}})
    w = submission_window(TWO_DAYS, quiet, now=at(date(2026, 12, 9), 9))
    assert (w.closing_days, w.state) == (0, S.OPEN)


def test_a_project_without_sessions_opens_at_the_end_of_its_last_day() -> None:
    w = submission_window(project(days=(D1,), sessions=()), IM, now=at(D1, 23, 59))
    assert w.state is S.NOT_OPEN and w.opens_at == at(D1 + timedelta(days=1), 0)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        submission_window(TWO_DAYS, IM, now=datetime(2026, 12, 9, 12))


def test_what_a_profile_lacks_for_the_window_is_named(tmp_path: Path) -> None:
    assert [window_figures_missing(p) for p in (IM, CQ, NAT)] == [[], [], []]
    assert profile_problems("inner-mongolia-2025-draft") == []
    assert profile_problems("guangdong") == [
        "no rules profile 'guangdong' (known: chongqing-2017, inner-mongolia-2025-draft,"
        " national-2024)"
    ]
    text = (BUILTIN_DIR / "inner-mongolia-2025-draft.toml").read_text(encoding="utf-8")
    start = text.index("days_after_last_day = ")
    lacking = text[:start] + text[text.index("\n", start) + 1 :]
    (tmp_path / "inner-mongolia-2025-draft.toml").write_text(lacking, encoding="utf-8")
    (problem,) = profile_problems("inner-mongolia-2025-draft", extra_dirs=[tmp_path])
    assert "missing key submission.days_after_last_day" in problem


def test_methods_the_profile_does_not_accept_are_warned_about() -> None:
    # The demo's mistake: an Inner Mongolia provincial project that takes ID cards (第十六条).
    every = project()
    (w,) = method_warnings(every, IM)
    assert w.code == "method_not_accepted"
    assert "lets its desks record id_card, ic_card, manual" in w.message
    assert "accepts only qr, face for provincial projects (第十六条)" in w.message
    assert w.message_zh.startswith("本项目启用了身份证、IC卡、人工登记考勤")
    assert "对省级项目只认可二维码、人脸识别（第十六条）" in w.message_zh
    qr_face = CheckInSettings(methods=frozenset({Method.QR, Method.FACE}))
    fixed = replace(project(level=ProjectLevel.PROVINCIAL), checkin=qr_face)
    assert method_warnings(fixed, IM) == []
    assert method_warnings(project(level=ProjectLevel.UNIT), IM) == []  # below provincial
    (cq,) = method_warnings(project(profile=CQ.name), CQ)  # Chongqing: ID card and QR only
    assert "ic_card, face, manual" in cq.message and "（十六）" in cq.message


def test_project_warnings_name_provisional_figures_and_a_mismatched_profile() -> None:
    codes = [w.code for w in project_warnings(project(profile=NAT.name), NAT)]
    assert codes == ["provisional_figures"]  # national: every method, every figure provisional
    (w,) = [w for w in project_warnings(project(profile=NAT.name), NAT)]
    assert "participant, speaker" in w.message and "暂定" in w.message_zh
    assert next(w.code for w in project_warnings(project(), NAT)) == "profile_mismatch"
