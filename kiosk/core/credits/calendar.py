"""Credit years, the submission deadline and the announcement date, all from the profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from kiosk.core.model import Project
from kiosk.core.rules.schema import CreditYear, Profile
from kiosk.core.timeutil import require_aware


def credit_year(day: date, rule: CreditYear) -> int:
    """The credit year a day belongs to (Chongqing: Nov 1–Oct 31, named after the year it ends)."""
    start_this_year = date(day.year, rule.start_month, rule.start_day)
    begins = day.year if day >= start_this_year else day.year - 1
    if (rule.start_month, rule.start_day) == (1, 1):
        return begins
    return begins if rule.named_after == "start" else begins + 1


def credit_year_bounds(year: int, rule: CreditYear) -> tuple[date, date]:
    """First and last day (inclusive) of a named credit year."""
    if (rule.start_month, rule.start_day) == (1, 1):
        return date(year, 1, 1), date(year, 12, 31)
    begins = year if rule.named_after == "start" else year - 1
    first = date(begins, rule.start_month, rule.start_day)
    return first, date(begins + 1, rule.start_month, rule.start_day) - timedelta(days=1)


def activity_day(project: Project, profile: Profile) -> date:
    """The day the project's credits are dated (the profile says its first or its last day)."""
    counted_on = profile.credit_year.counted_on.value
    return project.last_day if counted_on == "last_day" else project.first_day


def project_credit_year(project: Project, profile: Profile) -> int:
    """The credit year the project's credits count in (the profile says which day decides)."""
    return credit_year(activity_day(project, profile), profile.credit_year)


def submission_deadline(project: Project, profile: Profile) -> date:
    """The last day (inclusive, in the profile's time zone) to register the project's results."""
    return project.last_day + timedelta(days=profile.submission.days_after_last_day.value)


def announcement_due(project: Project, profile: Profile) -> date:
    """The latest day to announce the project on the platform before its first day."""
    return project.first_day - timedelta(days=profile.announcement.lead_days.value)


class DeadlineLevel(StrEnum):
    """How urgent submission is: the organizer's screen colours follow this."""

    OPEN = "open"
    WARNING = "warning"  # within the first warning (7 days)
    URGENT = "urgent"  # within the last warning (2 days)
    CLOSED = "closed"  # the window has passed: the platform refuses


@dataclass(frozen=True, slots=True)
class DeadlineStatus:
    """The submission deadline seen from one instant."""

    deadline: date
    closes_at: datetime  # the first instant after the deadline day, in the profile's zone
    days_left: int  # 0 on the deadline day itself, negative once it has passed
    level: DeadlineLevel
    source: str

    def message(self, *, lang: str = "zh") -> str:
        """One line for the organizer."""
        d = self.deadline.isoformat()
        if self.level is DeadlineLevel.CLOSED:
            late = -self.days_left
            if lang == "zh":
                return f"提交截止日期 {d} 已过 {late} 天，平台将拒绝提交"
            return f"The submission deadline {d} passed {late} day(s) ago: the platform refuses"
        if lang == "zh":
            tail = "今天截止" if self.days_left == 0 else f"还剩 {self.days_left} 天"
            return f"提交截止 {d}（{tail}）"
        tail = "closes today" if self.days_left == 0 else f"{self.days_left} day(s) left"
        return f"Submit by {d} ({tail})"


def deadline_status(project: Project, profile: Profile, *, now: datetime) -> DeadlineStatus:
    """Deadline, days left and warning level at `now` (an aware instant)."""
    zone = ZoneInfo(profile.submission.timezone.value)
    today = require_aware(now).astimezone(zone).date()
    deadline = submission_deadline(project, profile)
    closes_at = datetime.combine(deadline + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    days_left = (deadline - today).days
    warn = sorted(profile.submission.warn_days.value)
    if days_left < 0:
        level = DeadlineLevel.CLOSED
    elif warn and days_left <= warn[0]:
        level = DeadlineLevel.URGENT
    elif warn and days_left <= warn[-1]:
        level = DeadlineLevel.WARNING
    else:
        level = DeadlineLevel.OPEN
    return DeadlineStatus(
        deadline, closes_at, days_left, level, profile.submission.days_after_last_day.source
    )
