"""The pure desk decision, table-driven: modes, windows, boundaries, flags."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from kiosk.core.checkin import (
    CheckInPolicy,
    ExpiredDocumentPolicy,
    OutcomeKind,
    PriorEvent,
    decide,
)
from kiosk.core.model import DeskMode, Direction, Flag
from tests.support.roster import DAY1, DAY2, at, make_project

IN, OUT = Direction.IN, Direction.OUT
POLICY = CheckInPolicy(
    duplicate_window=timedelta(minutes=10), auto_min_interval=timedelta(minutes=30)
)


def ev(direction: Direction, when: datetime, desk: str = "A") -> PriorEvent:
    return PriorEvent(direction, when, desk)


CASES = [
    # (name, mode, history, now, expected kind, expected direction, expected flags)
    ("first tap in auto", DeskMode.AUTO, [], at(DAY1, 8), OutcomeKind.ACCEPTED, IN, set()),
    ("auto, 5 min after in", DeskMode.AUTO, [ev(IN, at(DAY1, 8))], at(DAY1, 8, 5),
     OutcomeKind.ALREADY_RECORDED, None, set()),
    ("auto, exactly the min interval", DeskMode.AUTO, [ev(IN, at(DAY1, 8))], at(DAY1, 8, 30),
     OutcomeKind.ACCEPTED, OUT, set()),
    ("auto, after an out is an in", DeskMode.AUTO, [ev(IN, at(DAY1, 8)), ev(OUT, at(DAY1, 12))],
     at(DAY1, 13, 50), OutcomeKind.ACCEPTED, IN, set()),
    ("auto, yesterday's open in is ignored", DeskMode.AUTO, [ev(IN, at(DAY1, 8))], at(DAY2, 8),
     OutcomeKind.ACCEPTED, IN, set()),
    ("in mode, inside window", DeskMode.IN, [ev(IN, at(DAY1, 8))], at(DAY1, 8, 9, ),
     OutcomeKind.ALREADY_RECORDED, None, set()),
    ("in mode, window boundary records", DeskMode.IN, [ev(IN, at(DAY1, 8))], at(DAY1, 8, 10),
     OutcomeKind.ACCEPTED, IN, set()),
    ("out mode without in", DeskMode.OUT, [], at(DAY1, 17), OutcomeKind.ACCEPTED, OUT,
     {Flag.OUT_WITHOUT_IN}),
    ("out mode, in at another desk counts", DeskMode.OUT, [ev(IN, at(DAY1, 8), "B")], at(DAY1, 17),
     OutcomeKind.ACCEPTED, OUT, set()),
    ("out mode repeat", DeskMode.OUT, [ev(OUT, at(DAY1, 17))], at(DAY1, 17, 2),
     OutcomeKind.ALREADY_RECORDED, None, set()),
    ("a day outside the project", DeskMode.AUTO, [], at(DAY2 + timedelta(days=1), 9),
     OutcomeKind.OUTSIDE_PROJECT_DAYS, None, set()),
    ("the day before the project", DeskMode.IN, [], at(DAY1 - timedelta(days=1), 23, 59),
     OutcomeKind.OUTSIDE_PROJECT_DAYS, None, set()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "mode", "history", "now", "kind", "direction", "flags"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_decisions(
    name: str,
    mode: DeskMode,
    history: list[PriorEvent],
    now: datetime,
    kind: OutcomeKind,
    direction: Direction | None,
    flags: set[Flag],
) -> None:
    d = decide(project=make_project(), now=now, mode=mode, history=history, policy=POLICY)
    assert d.kind is kind
    assert d.direction is direction
    assert set(d.flags) == flags
    assert d.records is (kind is OutcomeKind.ACCEPTED)


def test_events_after_now_are_ignored() -> None:
    # A pulled record stamped later than this desk's clock (clock skew) does not make this a repeat.
    d = decide(
        project=make_project(),
        now=at(DAY1, 8),
        mode=DeskMode.IN,
        history=[ev(IN, at(DAY1, 8, 5), "B")],
        policy=POLICY,
    )
    assert d.kind is OutcomeKind.ACCEPTED


def test_flags_combine_and_expired_policy() -> None:
    d = decide(
        project=make_project(),
        now=at(DAY1, 17),
        mode=DeskMode.OUT,
        history=[],
        policy=POLICY,
        document_expired=True,
        provisional=True,
    )
    assert set(d.flags) == {Flag.OUT_WITHOUT_IN, Flag.EXPIRED_DOCUMENT, Flag.PROVISIONAL_ATTENDEE}
    refuse = CheckInPolicy(expired_document=ExpiredDocumentPolicy.REFUSE)
    r = decide(
        project=make_project(),
        now=at(DAY1, 9),
        mode=DeskMode.IN,
        history=[],
        policy=refuse,
        document_expired=True,
    )
    assert r.kind is OutcomeKind.EXPIRED_REFUSED and not r.records


def test_naive_time_is_a_bug_not_a_decision() -> None:
    with pytest.raises(ValueError, match="naive"):
        decide(
            project=make_project(),
            now=datetime(2026, 5, 20, 9),
            mode=DeskMode.IN,
            history=[],
            policy=POLICY,
        )


def test_messages_for_other_desk_in_both_languages() -> None:
    d = decide(
        project=make_project(),
        now=at(DAY1, 8, 15),
        mode=DeskMode.IN,
        history=[ev(IN, at(DAY1, 8, 12), "B")],
        policy=POLICY,
    )
    assert d.message(name="王芳", lang="zh", this_desk="A") == "王芳 已于 08:12 在B台签到"
    assert (
        d.message(name="王芳", lang="en", this_desk="A")
        == "王芳 already checked in at desk B, 08:12"
    )
    assert d.message(name="王芳", lang="en", this_desk="B") == "王芳 already checked in, 08:12"
