"""Pairing and clipping: deterministic merges of offline desks, never a minute counted twice."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.credits import AttendanceRecord, compute_attendee
from kiosk.core.credits.hours import clip
from kiosk.core.credits.pairing import pair_attendee
from kiosk.core.model import Direction
from kiosk.core.rules import load_profile
from tests.support.credits import ALICE, D1, D2, IN, OUT, at, people, project, rec, stay

IM = load_profile("inner-mongolia-2025-draft")
PROJECT = project(days=(D1, D2))


def _result(records: list[AttendanceRecord]) -> dict[str, object]:
    return compute_attendee(PROJECT, IM, people(ALICE)[ALICE], records).to_json()


def test_pairs_per_day_and_missing_ends() -> None:
    records = [
        *stay(ALICE, D1, (8, 30), (12, 0)),
        rec(ALICE, IN, at(D1, 14)),  # no check-out that afternoon
        rec(ALICE, OUT, at(D2, 11, 30)),  # no check-in next morning
    ]
    pairing = pair_attendee(records, PROJECT)
    shape = [
        (p.day, p.check_in is not None, p.check_out is not None, p.complete) for p in pairing.pairs
    ]
    assert shape == [(D1, True, True, True), (D1, True, False, False), (D2, False, True, False)]


def test_an_evening_check_in_does_not_pair_with_the_next_mornings_check_out() -> None:
    records = [rec(ALICE, IN, at(D1, 14)), rec(ALICE, OUT, at(D2, 12))]
    r = _result(records)
    assert r["hours"] == 0.0
    assert set(r["flags"]) == {"missing_checkout", "out_without_in"}  # type: ignore[arg-type]


def test_conflicting_desks_give_the_same_answer_in_any_upload_order() -> None:
    records = [
        rec(ALICE, IN, at(D1, 8, 29), desk="A"),
        rec(ALICE, IN, at(D1, 8, 31), desk="B"),
        rec(ALICE, OUT, at(D1, 11, 58), desk="B"),
        rec(ALICE, OUT, at(D1, 12, 1), desk="A"),
        rec(ALICE, IN, at(D1, 13, 55), desk="B"),
        rec(ALICE, OUT, at(D1, 17, 2), desk="A"),
    ]
    answers = {repr(_result(list(order))) for order in itertools.permutations(records)}
    assert len(answers) == 1
    (only,) = answers
    assert "'hours': 6.5" in only and "conflict" in only


def test_simultaneous_check_ins_at_two_desks_are_ordered_by_desk_name() -> None:
    a = rec(ALICE, IN, at(D1, 8, 30), desk="A")
    b = rec(ALICE, IN, at(D1, 8, 30), desk="B")
    out = rec(ALICE, OUT, at(D1, 12), desk="B")
    for order in ([a, b, out], [b, a, out], [out, b, a]):
        (pair,) = pair_attendee(order, PROJECT).pairs
        assert pair.check_in is a and pair.conflict


def test_clip_never_counts_overlap_twice_and_keeps_the_scan_times() -> None:
    pairing = pair_attendee(
        stay(ALICE, D1, (8, 0), (12, 30), desk="A") + stay(ALICE, D1, (9, 0), (11, 0), desk="B"),
        PROJECT,
    )
    clipped = clip(pairing.pairs, PROJECT.sessions, missing_checkout="none")
    (piece,) = clipped.pieces
    assert (piece.start, piece.end) == (at(D1, 8, 30), at(D1, 12))
    assert (piece.scan_in, piece.scan_out) == (at(D1, 8), at(D1, 12, 30))
    assert piece.minutes == 210


def test_seconds_below_a_minute_do_not_count() -> None:
    r = _result(
        [rec(ALICE, IN, at(D1, 9, 0, 1)), rec(ALICE, OUT, at(D1, 12))]  # 2 h 59 min 59 s
    )
    assert r["hours"] == 2.98  # 178 whole minutes → 2.9666… h, rounded down to 0.01


def test_repeats_of_one_record_are_dropped_but_counted() -> None:
    one = rec(ALICE, IN, at(D1, 8, 30), record_id="uuid-1")
    pairing = pair_attendee([one, one, rec(ALICE, OUT, at(D1, 12))], PROJECT)
    assert pairing.repeats_dropped == 1
    assert len(pairing.pairs) == 1 and not pairing.pairs[0].conflict


_minutes = st.integers(min_value=7 * 60, max_value=18 * 60)
_event = st.tuples(
    st.sampled_from([Direction.IN, Direction.OUT]),
    st.sampled_from([D1, D2]),
    _minutes,
    st.sampled_from(["A", "B"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_event, max_size=12), st.randoms(use_true_random=False))
def test_hours_never_exceed_the_schedule_and_order_never_matters(
    events: list[tuple[Direction, object, int, str]], rnd: random.Random
) -> None:
    records = [
        rec(ALICE, d, at(day, 0) + timedelta(minutes=m), desk=desk)  # type: ignore[arg-type]
        for d, day, m, desk in events
    ]
    first = compute_attendee(PROJECT, IM, people(ALICE)[ALICE], records)
    assert first.hours <= first.scheduled_hours == Decimal("13.0")
    per_session: dict[str, int] = {}
    for line in first.lines:
        per_session[line.piece.session.id] = per_session.get(line.piece.session.id, 0)
        per_session[line.piece.session.id] += line.piece.minutes
    for s in PROJECT.sessions:
        assert per_session.get(s.id, 0) <= (s.end - s.start) // timedelta(minutes=1)
    shuffled = records[:]
    rnd.shuffle(shuffled)
    again = compute_attendee(PROJECT, IM, people(ALICE)[ALICE], shuffled)
    assert again.to_json() == first.to_json()
