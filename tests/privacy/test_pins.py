"""PINs are stored hashed and slow down guessing without ever locking the desk for good."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from kiosk.services.pins import MAX_DELAY, PinError, PinGuard, delay_after
from sync.store import Store
from tests.support.roster import DAY1, FakeClock, at


def test_pin_is_stored_as_argon2_hash_only(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "k.sqlite3")
    guard = PinGuard(store, "staff", clock=FakeClock(at(DAY1, 8)))
    assert guard.check("482913").not_set
    guard.set_pin("482913")
    stored = store.get_meta("pin_hash:staff")
    assert stored is not None and stored.startswith("$argon2id$") and "482913" not in stored
    assert guard.check("482913").ok
    assert (tmp_path / "k.sqlite3").read_bytes().find(b"482913") == -1


@pytest.mark.parametrize("bad", ["1234", "abcdef", "111111", "123456", "987654", "1234567890123"])
def test_weak_or_malformed_pins_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(PinError):
        PinGuard(Store.open(tmp_path / "k.sqlite3"), "staff").set_pin(bad)


def test_wrong_pins_grow_the_delay_but_never_lock_for_good(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "k.sqlite3")
    clock = FakeClock(at(DAY1, 8))
    guard = PinGuard(store, "organizer", clock=clock)
    guard.set_pin("604918")
    waits = [guard.check("000001").wait for _ in range(3)]
    assert waits == [timedelta(0)] * 3  # typos are free
    fourth = guard.check("000002")
    assert not fourth.ok and fourth.wait == timedelta(seconds=2)
    # During the delay even the right PIN is not checked.
    blocked = guard.check("604918")
    assert not blocked.ok and timedelta(0) < blocked.wait <= timedelta(seconds=2)
    clock.advance(seconds=2)
    assert guard.check("000003").wait == timedelta(seconds=4)
    # The state survives a restart of the kiosk (a new guard over the same store).
    clock.advance(seconds=1)
    assert not PinGuard(store, "organizer", clock=clock).check("604918").ok
    clock.advance(seconds=3)
    assert PinGuard(store, "organizer", clock=clock).check("604918").ok
    assert delay_after(30) == MAX_DELAY


def test_recovery_with_a_hash_from_the_platform(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "k.sqlite3")
    clock = FakeClock(at(DAY1, 8))
    guard = PinGuard(store, "staff", clock=clock)
    guard.set_pin("604918")
    for _ in range(12):
        guard.check("111112")
        clock.advance(seconds=1)
    issued = PasswordHasher().hash("735102")  # what `cme-kiosk server pin` hands out
    guard.set_hash(issued)
    assert guard.check("735102").ok
    with pytest.raises(PinError):
        guard.set_hash("plaintext")
