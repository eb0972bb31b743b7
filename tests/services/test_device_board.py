"""The desk's device board: last errors kept, reconnects on their own thread, one at a time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from kiosk.services.devices import DeviceBoard
from kiosk.services.screen import DeviceReason, DeviceStatus, ScreenEvent

T0 = datetime(2026, 12, 3, 0, 20, tzinfo=UTC)
OPENING = DeviceReason("reader_starting", ("/dev/ttyS0",))
ABSENT = DeviceReason("reader_absent", ("/dev/ttyS0",))
READY = DeviceReason("reader_ready", ("/dev/ttyS0",))


def board() -> tuple[DeviceBoard, list[ScreenEvent]]:
    seen: list[ScreenEvent] = []
    return DeviceBoard(seen.append, clock=lambda: T0), seen


def test_the_last_error_outlives_recovery_and_starting_is_no_error() -> None:
    devices, seen = board()
    devices.report("reader", ok=False, reason=OPENING, detail="opening", starting=True)
    assert seen[-1] == DeviceStatus("reader", False, OPENING, "opening")
    devices.report("reader", ok=False, reason=ABSENT, detail="/dev/ttyS0: not present")
    devices.report("reader", ok=True, reason=READY)
    last = seen[-1]
    assert isinstance(last, DeviceStatus) and last.ok and last.reason == READY
    assert (last.last_error, last.last_error_at) == (ABSENT, T0)
    assert not last.reconnectable


def test_reconnect_runs_once_at_a_time_and_a_failure_is_a_state() -> None:
    devices, seen = board()
    devices.report("reader", ok=True, reason=READY)
    release, entered = threading.Event(), threading.Event()
    calls: list[str] = []

    def reconnect(name: str) -> None:
        calls.append(f"{name} on {threading.current_thread().name}")
        entered.set()
        release.wait(10)
        raise OSError("port gone")

    devices.attach(reconnect, ["reader"])
    assert isinstance(seen[-1], DeviceStatus) and seen[-1].reconnectable
    assert not devices.reconnect("camera").result(5)  # not registered
    first = devices.reconnect("reader")
    assert entered.wait(5)
    assert not devices.can_reconnect("reader")
    assert not devices.reconnect("reader").result(5)  # one already running
    release.set()
    assert first.result(5) is False  # it raised: reported, not lost
    last = seen[-1]
    assert isinstance(last, DeviceStatus) and not last.ok
    assert last.reason == DeviceReason("reconnect_failed", ("OSError",))
    assert last.last_error == last.reason and last.detail == "reconnect failed: port gone"
    assert devices.can_reconnect("reader") and len(calls) == 1
    assert calls[0].startswith("reader on device-reconnect")  # never the caller's thread
    devices.stop()
    assert not devices.reconnect("reader").result(5)  # the desk is closing


def test_states_reach_listeners_in_the_order_the_board_took_them() -> None:
    """A reader's "opening" (GUI thread) and its "ready" (its worker) race: the last one published
    is the board's state, never the older one (the screen kept showing "opening" so, 2 in 160)."""
    seen: list[ScreenEvent] = []
    publishing, ready_done = threading.Event(), threading.Event()

    def listener(event: ScreenEvent) -> None:
        if isinstance(event, DeviceStatus) and event.reason == OPENING:
            publishing.set()
            # Without the ordering, "ready" is taken and published while "opening" is in flight.
            ready_done.wait(0.5)
        seen.append(event)

    devices = DeviceBoard(listener, clock=lambda: T0)
    opening = threading.Thread(
        target=devices.report,
        args=("reader",),
        kwargs={"ok": False, "reason": OPENING, "starting": True},
    )
    opening.start()
    assert publishing.wait(5)

    def ready() -> None:
        devices.report("reader", ok=True, reason=READY)
        ready_done.set()

    worker = threading.Thread(target=ready)
    worker.start()
    opening.join(5)
    worker.join(5)
    assert [s.reason for s in seen if isinstance(s, DeviceStatus)] == [OPENING, READY]
    assert devices.states()[-1].reason == READY
