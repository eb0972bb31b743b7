"""The Qt-free desk service: one check-in thread, listeners, the staff PIN, and closing safely."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.model import DeskMode
from kiosk.services.checkin import CheckInService, Credential, Outcome, Status
from kiosk.services.desk import DeskService
from kiosk.services.pins import PinGuard
from kiosk.services.screen import ModeChanged, PinAnswer, ScreenEvent, StaffState
from sync.store import Store
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster


class SlowRecords:
    """The real store's records whose commits take `delay` seconds (a slow SD card)."""

    def __init__(self, records: Any, delay: float) -> None:
        self._records = records
        self.delay = delay
        self.committing = threading.Event()

    def append_event(self, *args: Any, **kw: Any) -> Any:
        self.committing.set()
        time.sleep(self.delay)
        return self._records.append_event(*args, **kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._records, name)


class SlowStore:
    """The real store with slow commits."""

    def __init__(self, store: Store, delay: float) -> None:
        self._store = store
        self.records = SlowRecords(store.records, delay)
        self.committing = self.records.committing

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "kiosk.sqlite3")
    s.roster.save_project(make_project())
    s.roster.save_roster("2026-15-01-001", make_roster(40))
    yield s
    s.close()


def desk_over(store: Any) -> DeskService:
    checkin = CheckInService(
        store=store,
        project=make_project(),
        device_id="dev-a",
        desk_name="A",
        mode=DeskMode.IN,
        clock=FakeClock(at(DAY1, 8, 10)),
        denied_key=b"k" * 32,
    )
    return DeskService(checkin)


class Heard:
    """Every event a listener got, with the thread it got it on."""

    def __init__(self) -> None:
        self.events: list[tuple[ScreenEvent, str]] = []
        self.lock = threading.Lock()

    def __call__(self, event: ScreenEvent) -> None:
        with self.lock:
            self.events.append((event, threading.current_thread().name))

    def of(self, kind: type) -> list[Any]:
        with self.lock:
            return [e for e, _ in self.events if isinstance(e, kind)]


def card(i: int) -> Credential:
    person = make_roster(40)[i]
    return Credential.id_card(document=person.document, name=person.name)


def test_outcomes_reach_listeners_on_the_desk_thread_in_arrival_order(store: Store) -> None:
    desk = desk_over(store)
    heard = Heard()
    desk.subscribe(heard)
    futures = [desk.submit(card(i)) for i in range(5)]
    results = [f.result(10) for f in futures]
    desk.stop()
    assert [o.status for o in results] == [Status.ACCEPTED] * 5
    outcomes = heard.of(Outcome)
    assert outcomes == results  # published as decided, in order
    assert {t for e, t in heard.events if isinstance(e, Outcome)} == {"desk_0"}


def test_a_failing_listener_does_not_stop_the_desk(store: Store) -> None:
    desk = desk_over(store)

    def broken(event: ScreenEvent) -> None:
        raise RuntimeError("a screen bug")

    heard = Heard()
    desk.subscribe(broken)
    desk.subscribe(heard)
    assert desk.submit(card(0)).result(10).status is Status.ACCEPTED
    desk.stop()
    assert len(heard.of(Outcome)) == 1 and len(store.records.events()) == 1


def test_closed_subscription_hears_nothing_more(store: Store) -> None:
    desk = desk_over(store)
    heard = Heard()
    subscription = desk.subscribe(heard)
    desk.submit(card(0)).result(10)
    subscription.close()
    desk.submit(card(1)).result(10)
    desk.stop()
    assert len(heard.of(Outcome)) == 1


def test_staff_sign_in_and_mode_change_behind_the_staff_pin(store: Store) -> None:
    desk = desk_over(store)
    heard = Heard()
    desk.subscribe(heard)
    desk.change_mode(DeskMode.OUT).result(10)  # no PIN set yet: at once
    assert heard.of(ModeChanged) == [ModeChanged(DeskMode.OUT)]
    PinGuard(store, "staff").set_pin("284619")
    desk.change_mode(DeskMode.AUTO).result(10)  # a PIN now: staff must sign in first
    assert heard.of(PinAnswer) == [PinAnswer(ok=False, asked=True)]
    assert desk.checkin.mode is DeskMode.OUT
    desk.sign_in().result(10)
    assert heard.of(PinAnswer)[-1] == PinAnswer(ok=False, asked=True)
    desk.sign_in("111111").result(10)
    assert heard.of(PinAnswer)[-1] == PinAnswer(ok=False)
    assert heard.of(StaffState) == []
    desk.sign_in("284619").result(10)
    assert heard.of(PinAnswer)[-1] == PinAnswer(ok=True)
    assert heard.of(StaffState) == [StaffState(signed_in=True, reason="signed_in")]
    desk.change_mode(DeskMode.AUTO).result(10)
    assert heard.of(ModeChanged)[-1] == ModeChanged(DeskMode.AUTO)
    assert desk.checkin.mode is DeskMode.AUTO
    desk.sign_out(reason="idle").result(10)
    assert heard.of(StaffState)[-1] == StaffState(signed_in=False, reason="idle")
    desk.change_mode(DeskMode.IN).result(10)
    assert desk.checkin.mode is DeskMode.AUTO  # signed out: refused
    desk.stop()


def test_closing_while_a_commit_runs_loses_nothing(store: Store) -> None:
    """Every answer given was committed; every tap after the close is refused, not recorded."""
    slow = SlowStore(store, delay=0.05)
    desk = desk_over(slow)
    heard = Heard()
    desk.subscribe(heard)
    futures = [desk.submit(card(i)) for i in range(30)]
    assert slow.committing.wait(5)
    closer = threading.Thread(target=desk.stop)
    closer.start()
    late = []
    while closer.is_alive():  # taps keep coming while the desk closes
        late.append(desk.submit(card(39)))
        time.sleep(0.01)
    closer.join()
    late.append(desk.submit(card(39)))
    results = [f.result(10) for f in futures + late]
    confirmed = {o.event.uuid for o in heard.of(Outcome) if o.event is not None}
    committed = {e.event.uuid for e in store.records.events()}
    # What was confirmed on screen is exactly what is on disk, and everything queued got there.
    assert confirmed == committed and len(committed) >= 30
    assert [r.status for r in results[:30]] == [Status.ACCEPTED] * 30
    # A tap queued before the close is answered; one after it is refused, and nothing is kept.
    after_close = results[-1]
    assert (after_close.status, after_close.reason) == (Status.ERROR, "closing")
    for r in results[30:]:
        assert r.status in (Status.ACCEPTED, Status.ALREADY) or r.reason == "closing"
