"""The PC/SC placement rules on their own: retries, one report, service restarts.

The transport paths are tested against pcscd in test_pcsc.py; vpcd cannot make a card that
fails only sometimes, so the retry policy is driven here by a scripted transmit function.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drivers.idcard.base import Listeners
from drivers.idcard.events import CardError, CardRemoved, CardUid
from drivers.idcard.pcsc_cards import MAX_ATTEMPTS, CardBusy, CardRefused, CardTracker
from tests.support.idcard import Events

READER = "ACS ACR1252 00 00"
UID = bytes.fromhex("2A83155E")


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


class Card:
    """A scripted card: each call pops the next answer (bytes or an exception)."""

    def __init__(self, *answers: bytes | Exception) -> None:
        self.answers = list(answers)
        self.calls = 0

    def __call__(self, reader: str) -> bytes:
        self.calls += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def rig(fmt: str = "dec") -> tuple[CardTracker, Events, Clock]:
    listeners = Listeners("PC/SC")
    events = Events()
    listeners.add(events)
    clock = Clock()
    tracker = CardTracker(listeners, uid_format=fmt, clock=clock, retry_s=0.25, settle_s=2.0)
    return tracker, events, clock


def busy(gone: bool = False) -> CardBusy:
    return CardBusy("get UID: Transaction failed.", gone=gone)


def kinds(events: Events) -> list[str]:
    return [type(e).__name__ for e in events.items]


def insert(tracker: CardTracker, card: Callable[[str], bytes], count: int = 1) -> None:
    tracker.on_state(READER, present=True, count=count, atr=b"\x3b", transmit=card)


def test_one_failure_is_retried_silently() -> None:
    tracker, events, clock = rig()
    card = Card(busy(), UID)
    insert(tracker, card)
    assert kinds(events) == []
    tracker.retry_due(card)  # not yet due
    assert card.calls == 1
    assert tracker.next_retry_in() == pytest.approx(0.25)
    clock.t += 0.25
    tracker.retry_due(card)
    assert [e.uid for e in events.of(CardUid)] == ["0713233758"]
    assert tracker.next_retry_in() is None


def test_a_stubborn_card_is_reported_once_and_given_up() -> None:
    tracker, events, clock = rig()
    card = Card(busy())
    insert(tracker, card)
    for _ in range(MAX_ATTEMPTS + 3):
        clock.t += 0.25
        tracker.retry_due(card)
    assert card.calls == MAX_ATTEMPTS
    assert kinds(events) == ["CardError"]
    assert events.of(CardError)[0].code == "card_not_readable"
    tracker.on_state(READER, present=False, count=2, atr=b"", transmit=card)
    assert kinds(events) == ["CardError", "CardRemoved"]


def test_a_card_that_left_is_not_reported_as_unreadable() -> None:
    tracker, events, clock = rig()
    card = Card(busy(gone=True))
    insert(tracker, card)
    clock.t += 0.25
    tracker.retry_due(card)
    clock.t += 0.25
    tracker.retry_due(card)
    tracker.on_state(READER, present=False, count=2, atr=b"", transmit=card)
    assert kinds(events) == []  # nothing was reported, so no removal either


def test_a_card_without_uid_support_is_reported_once_not_retried() -> None:
    tracker, events, clock = rig()
    card = Card(CardRefused("uid_not_supported", "get UID answered SW 6A81"))
    insert(tracker, card)
    clock.t += 5
    tracker.retry_due(card)
    assert card.calls == 1
    assert [e.code for e in events.of(CardError)] == ["uid_not_supported"]


def test_a_new_insertion_count_is_a_new_card() -> None:
    tracker, events, _ = rig("hex")
    insert(tracker, Card(UID), count=1)
    insert(tracker, Card(UID), count=1)  # the same state again: nothing new
    insert(tracker, Card(bytes.fromhex("026F6C3A")), count=3)  # swapped between two polls
    assert kinds(events) == ["CardUid", "CardRemoved", "CardUid"]
    assert [e.uid for e in events.of(CardUid)] == ["2A83155E", "026F6C3A"]


def test_the_same_card_after_a_service_restart_is_not_a_second_tap() -> None:
    tracker, events, clock = rig()
    insert(tracker, Card(UID))
    tracker.service_lost()
    tracker.service_back()
    tracker.on_state(READER, present=False, count=0, atr=b"", transmit=Card(UID))
    clock.t += 1.0
    tracker.expire_stale()  # within the settle time the card may still come back
    insert(tracker, Card(UID), count=1)
    clock.t += 5
    tracker.expire_stale()
    assert kinds(events) == ["CardUid"]


def test_a_card_gone_during_the_restart_is_removed_after_the_settle_time() -> None:
    tracker, events, clock = rig()
    insert(tracker, Card(UID))
    tracker.service_lost()
    clock.t += 30  # the service is down for a long time: the settle time has not started
    tracker.expire_stale()
    assert kinds(events) == ["CardUid"]
    tracker.service_back()
    clock.t += 2.0
    tracker.expire_stale()
    assert kinds(events) == ["CardUid", "CardRemoved"]


def test_a_different_card_after_a_restart_is_a_new_tap() -> None:
    tracker, events, _ = rig("hex")
    insert(tracker, Card(UID))
    tracker.service_lost()
    tracker.service_back()
    insert(tracker, Card(bytes.fromhex("026F6C3A")))
    assert kinds(events) == ["CardUid", "CardRemoved", "CardUid"]


def test_reader_gone_and_drop_all_report_removals() -> None:
    tracker, events, _ = rig()
    insert(tracker, Card(UID))
    tracker.reader_gone(READER)
    assert kinds(events) == ["CardUid", "CardRemoved"]
    insert(tracker, Card(UID), count=5)
    tracker.drop_all()
    assert kinds(events)[-1] == "CardRemoved" and len(events.of(CardRemoved)) == 2


def test_zero_uid_is_an_error_event_not_a_uid() -> None:
    tracker, events, _ = rig()
    insert(tracker, Card(bytes(4)))
    assert [e.code for e in events.of(CardError)] == ["id_card_on_uid_reader"]
    assert events.of(CardUid) == []
