"""Credit years, the submission deadline with its warnings, and the announcement lead time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kiosk.core.credits import (
    DeadlineLevel,
    announcement_due,
    credit_year,
    credit_year_bounds,
    deadline_status,
    project_credit_year,
    submission_deadline,
)
from kiosk.core.rules import load_profile
from tests.support.credits import at, project

CQ = load_profile("chongqing-2017")
IM = load_profile("inner-mongolia-2025-draft")
NATIONAL = load_profile("national-2024")


@pytest.mark.parametrize(
    ("profile", "day", "year"),
    [
        (CQ, date(2026, 10, 31), 2026),  # the last day of Chongqing's 2026 credit year
        (CQ, date(2026, 11, 1), 2027),  # the first day of 2027 (Nov 1–Oct 31, named by its end)
        (CQ, date(2027, 1, 15), 2027),
        (CQ, date(2024, 2, 29), 2024),
        (IM, date(2026, 12, 31), 2026),
        (IM, date(2027, 1, 1), 2027),
        (NATIONAL, date(2026, 11, 1), 2026),
    ],
    ids=lambda v: str(v) if isinstance(v, date | int) else v.name,
)
def test_credit_year(profile: object, day: date, year: int) -> None:
    assert credit_year(day, profile.credit_year) == year  # type: ignore[attr-defined]


def test_credit_year_bounds() -> None:
    assert credit_year_bounds(2027, CQ.credit_year) == (date(2026, 11, 1), date(2027, 10, 31))
    assert credit_year_bounds(2026, IM.credit_year) == (date(2026, 1, 1), date(2026, 12, 31))
    start = CQ.credit_year.model_copy(update={"named_after": "start"})
    assert credit_year_bounds(2026, start) == (date(2026, 11, 1), date(2027, 10, 31))
    assert credit_year(date(2026, 11, 1), start) == 2026


def test_a_project_straddling_chongqings_boundary_counts_on_its_last_day() -> None:
    p = project(days=(date(2026, 10, 31), date(2026, 11, 1)), profile="chongqing-2017")
    assert project_credit_year(p, CQ) == 2027


DAYS = project(days=(date(2026, 11, 24), date(2026, 11, 25)))


@pytest.mark.parametrize(
    ("now", "days_left", "level"),
    [
        (at(date(2026, 11, 25), 18), 14, DeadlineLevel.OPEN),
        (at(date(2026, 12, 1), 12), 8, DeadlineLevel.OPEN),
        (at(date(2026, 12, 2), 0), 7, DeadlineLevel.WARNING),  # warned from 7 days before
        (at(date(2026, 12, 6), 23, 59), 3, DeadlineLevel.WARNING),
        (at(date(2026, 12, 7), 0), 2, DeadlineLevel.URGENT),  # and again from 2 days before
        (at(date(2026, 12, 9), 23, 59), 0, DeadlineLevel.URGENT),  # the deadline's last day
        (at(date(2026, 12, 10), 0), -1, DeadlineLevel.CLOSED),  # the day after
        # 16:00 UTC is midnight in Shanghai: the day after, whatever the caller's zone.
        (datetime(2026, 12, 9, 15, 59, tzinfo=UTC), 0, DeadlineLevel.URGENT),
        (datetime(2026, 12, 9, 16, 0, tzinfo=UTC), -1, DeadlineLevel.CLOSED),
    ],
)
def test_deadline_14_days_after_the_last_day_inclusive(
    now: datetime, days_left: int, level: DeadlineLevel
) -> None:
    status = deadline_status(DAYS, IM, now=now)
    assert status.deadline == date(2026, 12, 9) == submission_deadline(DAYS, IM)
    assert status.closes_at == at(date(2026, 12, 10), 0)
    assert (status.days_left, status.level) == (days_left, level)
    assert status.source == "第十三条"


def test_deadline_messages() -> None:
    last = deadline_status(DAYS, IM, now=at(date(2026, 12, 9), 9))
    assert last.message() == "提交截止 2026-12-09（今天截止）"
    assert last.message(lang="en") == "Submit by 2026-12-09 (closes today)"
    five = deadline_status(DAYS, IM, now=at(date(2026, 12, 4), 9))
    assert five.message() == "提交截止 2026-12-09（还剩 5 天）"
    late = deadline_status(DAYS, IM, now=at(date(2026, 12, 12), 9))
    assert late.message() == "提交截止日期 2026-12-09 已过 3 天，平台将拒绝提交"
    assert "passed 3 day(s) ago" in late.message(lang="en")


def test_announcement_lead_time() -> None:
    assert announcement_due(DAYS, IM) == date(2026, 11, 10)  # two weeks before (第十三条)
    assert announcement_due(DAYS, CQ) == date(2026, 11, 17)  # one week before ((十四))


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        deadline_status(DAYS, IM, now=datetime(2026, 12, 9, 12))
