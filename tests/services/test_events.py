"""The listeners' list the desk and the workspace publish through."""

from __future__ import annotations

import logging
import threading

import pytest

from kiosk.services.events import Listeners


def test_listeners_are_called_in_order_and_a_failing_one_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub: Listeners[int] = Listeners("screen")
    seen: list[str] = []

    def broken(event: int) -> None:
        seen.append(f"broken {event}")
        raise RuntimeError("a screen that cannot show it")

    hub.subscribe(lambda e: seen.append(f"first {e}"))
    hub.subscribe(broken)
    hub.subscribe(lambda e: seen.append(f"last {e}"))
    with caplog.at_level(logging.ERROR, logger="kiosk.services.events"):
        hub.publish(7)
    assert seen == ["first 7", "broken 7", "last 7"]
    assert [r.getMessage() for r in caplog.records] == ["screen listener failed on int"]


def test_a_closed_subscription_receives_nothing_and_close_waits_for_a_call_in_flight() -> None:
    hub: Listeners[str] = Listeners("workspace")
    inside, release = threading.Event(), threading.Event()
    got: list[str] = []

    def slow(event: str) -> None:
        got.append(event)
        inside.set()
        release.wait(5)

    sub = hub.subscribe(slow)
    publisher = threading.Thread(target=hub.publish, args=("a",))
    publisher.start()
    assert inside.wait(5)
    closed = threading.Event()
    closer = threading.Thread(target=lambda: (sub.close(), closed.set()))
    closer.start()
    assert not closed.wait(0.2)  # the call in flight holds it
    release.set()
    assert closed.wait(5)
    publisher.join(5)
    closer.join(5)
    hub.publish("b")
    sub.close()  # idempotent
    assert got == ["a"]
