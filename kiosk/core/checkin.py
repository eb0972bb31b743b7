"""The desk's decision for one presented credential: pure, so every outcome is table-testable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from kiosk.core.model import DeskMode, Direction, Flag, Project
from kiosk.core.timeutil import format_local, local_day, require_aware


class ExpiredDocumentPolicy(StrEnum):
    """What an expired ID document does at the desk (the foundation default admits and flags)."""

    ADMIT_WITH_FLAG = "admit_with_flag"
    REFUSE = "refuse"


class OutcomeKind(StrEnum):
    """Everything the screen can say after a scan."""

    ACCEPTED = "accepted"
    ALREADY_RECORDED = "already_recorded"  # same person, same direction, inside the window
    OUTSIDE_PROJECT_DAYS = "outside_project_days"
    EXPIRED_REFUSED = "expired_refused"


@dataclass(frozen=True, slots=True)
class CheckInPolicy:
    """Desk rules from the project's configuration."""

    duplicate_window: timedelta = timedelta(minutes=10)
    auto_min_interval: timedelta = timedelta(minutes=30)
    expired_document: ExpiredDocumentPolicy = ExpiredDocumentPolicy.ADMIT_WITH_FLAG


@dataclass(frozen=True, slots=True)
class PriorEvent:
    """An earlier event of the same person in this project, from any desk."""

    direction: Direction
    scanned_at: datetime
    desk: str  # the desk's display name, e.g. "A"


@dataclass(frozen=True, slots=True)
class Decision:
    """What to record (if anything) and what to tell the person at the desk."""

    kind: OutcomeKind
    direction: Direction | None = None
    flags: frozenset[Flag] = field(default_factory=frozenset)
    previous: PriorEvent | None = None

    @property
    def records(self) -> bool:
        """Whether this decision creates a check-in record."""
        return self.kind is OutcomeKind.ACCEPTED

    def message(self, *, name: str, lang: str = "zh", this_desk: str = "") -> str:
        """One line for the screen, in Chinese or English."""
        zh = lang == "zh"
        if self.kind is OutcomeKind.ACCEPTED:
            verb = (
                ("签到" if zh else "checked in")
                if self.direction is Direction.IN
                else ("签退" if zh else "checked out")
            )
            extra = ""
            if Flag.OUT_WITHOUT_IN in self.flags:
                extra = "（无签到记录，已标记）" if zh else " (no check-in found: flagged)"
            elif Flag.PROVISIONAL_ATTENDEE in self.flags:
                extra = "（未在名单，临时登记）" if zh else " (not on roster: provisional)"
            elif Flag.EXPIRED_DOCUMENT in self.flags:
                extra = "（证件已过期，已标记）" if zh else " (document expired: flagged)"
            return f"{name} {verb}成功{extra}" if zh else f"{name} {verb}{extra}"
        if self.kind is OutcomeKind.ALREADY_RECORDED:
            assert self.previous is not None
            at = format_local(self.previous.scanned_at)
            desk = self.previous.desk
            elsewhere = bool(desk) and desk != this_desk
            if zh:
                verb = "签到" if self.previous.direction is Direction.IN else "签退"
                return f"{name} 已于 {at} " + (f"在{desk}台{verb}" if elsewhere else verb)
            verb = "checked in" if self.previous.direction is Direction.IN else "checked out"
            return f"{name} already {verb}" + (f" at desk {desk}" if elsewhere else "") + f", {at}"
        if self.kind is OutcomeKind.OUTSIDE_PROJECT_DAYS:
            return "今天不是本项目的培训日" if zh else "Today is not a day of this project"
        return "证件已过期，请联系工作人员" if zh else "Document expired, please see staff"


def decide(
    *,
    project: Project,
    now: datetime,
    mode: DeskMode,
    history: Sequence[PriorEvent],
    policy: CheckInPolicy,
    document_expired: bool = False,
    provisional: bool = False,
) -> Decision:
    """Decide one scan; `history`: the person's earlier events in this project, any desk."""
    require_aware(now)
    if not project.is_project_day(now):
        return Decision(OutcomeKind.OUTSIDE_PROJECT_DAYS)
    flags: set[Flag] = set()
    if document_expired:
        if policy.expired_document is ExpiredDocumentPolicy.REFUSE:
            return Decision(OutcomeKind.EXPIRED_REFUSED)
        flags.add(Flag.EXPIRED_DOCUMENT)
    if provisional:
        flags.add(Flag.PROVISIONAL_ATTENDEE)

    today = local_day(now)
    todays = sorted(
        (e for e in history if local_day(e.scanned_at) == today and e.scanned_at <= now),
        key=lambda e: e.scanned_at,
    )
    last = todays[-1] if todays else None

    if mode is DeskMode.IN:
        direction = Direction.IN
    elif mode is DeskMode.OUT:
        direction = Direction.OUT
    elif last is None or last.direction is Direction.OUT:
        direction = Direction.IN
    elif now - last.scanned_at >= policy.auto_min_interval:
        direction = Direction.OUT
    else:
        # Auto mode, checked in moments ago: a second tap is a repeat, not a check-out.
        return Decision(OutcomeKind.ALREADY_RECORDED, previous=last)

    same = [e for e in todays if e.direction is direction]
    if same and now - same[-1].scanned_at < policy.duplicate_window:
        return Decision(OutcomeKind.ALREADY_RECORDED, previous=same[-1])
    if direction is Direction.OUT and not any(e.direction is Direction.IN for e in todays):
        flags.add(Flag.OUT_WITHOUT_IN)
    return Decision(OutcomeKind.ACCEPTED, direction=direction, flags=frozenset(flags))
