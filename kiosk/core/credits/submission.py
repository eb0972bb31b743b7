"""The submission window: from the end of the last session to the end of the Nth day after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.core.model import Project
from kiosk.core.rules.loader import ProfileError, load_profile
from kiosk.core.rules.schema import Profile
from kiosk.core.timeutil import require_aware


class WindowState(StrEnum):
    """Whether the platform accepts the project's execution report now."""

    NOT_OPEN = "not_open"  # the last session has not ended yet
    OPEN = "open"
    CLOSING = "closing"  # open, in its last days (the profile's last reminder on)
    CLOSED = "closed"  # the deadline day has ended: the platform refuses


@dataclass(frozen=True, slots=True)
class SubmissionWindow:
    """The project's submission window seen from one instant."""

    opens_at: datetime  # the end of the project's last session
    closes_at: datetime  # exclusive: the first instant after the deadline day
    deadline_day: date  # the last day (inclusive, in the profile's zone) a report is accepted
    days: int  # N: days after the last day, from the profile
    closing_days: int  # the last days that count as closing (deadline day included)
    state: WindowState
    days_left: int  # whole local days left counting today (0 once closed)
    days_past: int  # whole local days since the deadline day (0 unless closed)
    source: str  # where N comes from (the article, or why it is provisional)
    provisional: bool  # N is not in a text the project has (shown as 暂定)

    @property
    def accepts(self) -> bool:
        """The platform takes a submission now."""
        return self.state in (WindowState.OPEN, WindowState.CLOSING)

    def message(self, *, lang: str = "zh") -> str:
        """One line for the organizer naming the state and the deadline.

        "还剩 N 天" counts the days after today (0: "今天截止"), as the reminders always have.
        """
        d = self.deadline_day.isoformat()
        opens = self.opens_at.strftime("%Y-%m-%d %H:%M")
        after = self.days_left - 1
        if lang == "zh":
            left = "今天截止" if after == 0 else f"还剩 {after} 天"
            text = {
                WindowState.NOT_OPEN: f"提交窗口尚未开放（{opens} 最后一场结束后开放），"
                f"提交截止 {d}",
                WindowState.OPEN: f"提交窗口已开放，提交截止 {d}（{left}）",
                WindowState.CLOSING: f"提交窗口即将关闭，提交截止 {d}（{left}）",
                WindowState.CLOSED: f"提交窗口已关闭：提交截止 {d} 已过 {self.days_past} 天，"
                "平台将拒绝提交",
            }[self.state]
            return text + ("（期限暂定）" if self.provisional else "")
        left = "closes today" if after == 0 else f"{after} day(s) left"
        text = {
            WindowState.NOT_OPEN: f"Submission opens at {opens}, after the last session;"
            f" deadline {d}",
            WindowState.OPEN: f"Submission open: deadline {d} ({left})",
            WindowState.CLOSING: f"Submission closing: deadline {d} ({left})",
            WindowState.CLOSED: f"Submission closed: the deadline {d} passed {self.days_past}"
            " day(s) ago; the platform refuses",
        }[self.state]
        return text + (" (provisional deadline)" if self.provisional else "")


def last_session_end(project: Project, zone: ZoneInfo) -> datetime:
    """When the project ends: its last session's end, else the end of its last day."""
    if project.sessions:
        return max(s.end for s in project.sessions).astimezone(zone)
    return datetime.combine(project.last_day + timedelta(days=1), datetime.min.time(), zone)


def submission_window(project: Project, profile: Profile, *, now: datetime) -> SubmissionWindow:
    """The window at `now` (aware): open from the end of the last session to the end of the
    Nth day after the last day, N = the profile's `submission.days_after_last_day`.

    It is closing in its last days: from the profile's last reminder (`warn_days`' smallest,
    2 in the built-in profiles) to the deadline day, so the last 3 days.
    """
    figure = profile.submission.days_after_last_day
    zone = ZoneInfo(profile.submission.timezone.value)
    local = require_aware(now).astimezone(zone)
    opens = last_session_end(project, zone)
    deadline_day = project.last_day + timedelta(days=figure.value)
    closes = datetime.combine(deadline_day + timedelta(days=1), datetime.min.time(), zone)
    warn = profile.submission.warn_days.value
    closing_days = min(warn) + 1 if warn else 0
    past = 0
    if local >= closes:
        state, left, past = WindowState.CLOSED, 0, (local.date() - deadline_day).days
    else:
        left = (deadline_day - max(local.date(), project.last_day)).days + 1
        if local < opens:
            state = WindowState.NOT_OPEN
        elif left <= closing_days:
            state = WindowState.CLOSING
        else:
            state = WindowState.OPEN
    return SubmissionWindow(
        opens_at=opens,
        closes_at=closes,
        deadline_day=deadline_day,
        days=figure.value,
        closing_days=closing_days,
        state=state,
        days_left=left,
        days_past=past,
        source=figure.source,
        provisional=figure.provisional,
    )


WINDOW_FIGURES = ("submission.days_after_last_day", "submission.timezone")


def window_figures_missing(profile: Profile) -> list[str]:
    """The figures the window needs that the profile lacks ([] when it can decide a window)."""
    missing = []
    for path in WINDOW_FIGURES:
        try:
            profile.figure(path)
        except (AttributeError, LookupError):
            missing.append(path)
    return missing


def profile_problems(name: str, *, extra_dirs: Sequence[Path] = ()) -> list[str]:
    """Why a project cannot name profile `name` on the platform ([] when it can).

    Unknown or invalid profiles, and profiles without the window's figures, are refused: the
    platform has no default for them (`server project create` refuses such a project).
    """
    try:
        profile = load_profile(name, extra_dirs=extra_dirs)
    except ProfileError as exc:
        return [str(exc)]
    return [
        f"profile {name} has no {path}: the submission window cannot be decided"
        for path in window_figures_missing(profile)
    ]
