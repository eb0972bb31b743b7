"""sd_notify over a real datagram socket, and a heartbeat that stops when either thread hangs."""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kiosk.runtime.heartbeat import Heartbeat, Supervision, report_failure
from kiosk.runtime.notify import Notifier, socket_address, watchdog_interval
from tests.support.notify import NotifyListener

pytestmark = pytest.mark.timeout(60)

_names = itertools.count()
INTERVAL = 0.05


def abstract_name() -> str:
    """A fresh abstract-namespace socket name (no random input: pid and a counter)."""
    return f"@cme-kiosk-test-{os.getpid()}-{next(_names)}"


@pytest.fixture
def listener() -> Iterator[NotifyListener]:
    sock = NotifyListener(abstract_name())
    yield sock
    sock.close()


class Loop:
    """A real single-thread executor standing in for one desk thread, which a test can hang."""

    def __init__(self, name: str) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._release = threading.Event()
        self.threads: set[str] = set()

    def post(self, fn: object) -> None:
        def run() -> None:
            self.threads.add(threading.current_thread().name)
            fn()  # type: ignore[operator]

        self.pool.submit(run)

    def hang(self) -> threading.Event:
        """Block the thread until release(); returns an event set once the block has begun."""
        begun = threading.Event()
        self._release.clear()

        def block() -> None:
            begun.set()
            self._release.wait()

        self.pool.submit(block)
        assert begun.wait(5)
        return begun

    def release(self) -> None:
        self._release.set()

    def close(self) -> None:
        self._release.set()
        self.pool.shutdown(wait=True)


@pytest.fixture
def loops() -> Iterator[tuple[Loop, Loop]]:
    gui, desk = Loop("gui"), Loop("desk")
    yield gui, desk
    gui.close()
    desk.close()


def test_a_path_socket_receives_each_message_as_one_datagram(tmp_path: Path) -> None:
    sock = NotifyListener(tmp_path / "notify")
    try:
        notifier = Notifier(str(tmp_path / "notify"))
        assert notifier.enabled
        assert notifier.send("READY=1", "STATUS=desk ready")
        assert notifier.send("WATCHDOG=1")
        sock.wait_for("WATCHDOG=1")
        assert [text for _, text in sock.messages] == ["READY=1\nSTATUS=desk ready", "WATCHDOG=1"]
        notifier.close()
    finally:
        sock.close()


def test_an_at_sign_names_the_abstract_namespace(listener: NotifyListener) -> None:
    assert socket_address("@x/y") == b"\0x/y"
    assert socket_address("/run/systemd/notify") == "/run/systemd/notify"
    notifier = Notifier.from_environment({"NOTIFY_SOCKET": listener.address})
    assert notifier.send("READY=1")
    listener.wait_for("READY=1")


def test_without_a_manager_nothing_is_sent_and_nothing_fails(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert not Notifier.from_environment({}).send("READY=1")
    assert not Notifier.from_environment({"NOTIFY_SOCKET": ""}).enabled
    # The manager's socket is gone (systemd restarting): a warning, never an exception.
    gone = Notifier(str(tmp_path / "no-such-socket"))
    with caplog.at_level(logging.WARNING):
        assert not gone.send("WATCHDOG=1")
    assert "sd_notify WATCHDOG=1 failed" in caplog.text


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"WATCHDOG_USEC": "30000000"}, 15.0),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"}, 15.0),  # our own pid
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getppid())}, 15.0),  # cage's
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, None),  # inherited: not ours
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "soon"}, None),
    ],
)
def test_watchdog_interval_is_half_the_timeout_and_only_for_the_units_processes(
    env: dict[str, str], expected: float | None
) -> None:
    assert watchdog_interval(env, pid=4242) == expected


def test_beats_only_after_both_probes_ran_on_their_threads(
    listener: NotifyListener, loops: tuple[Loop, Loop]
) -> None:
    gui, desk = loops
    beat = Heartbeat(notifier=Notifier(listener.address), interval_s=INTERVAL,
                     post_gui=gui.post, post_desk=desk.post)  # fmt: skip
    beat.start()
    try:
        times = listener.wait_for("WATCHDOG=1", count=5)
    finally:
        beat.stop()
    # Paced by the interval, not a flood; each probe ran on the thread it was posted to.
    assert times[4] - times[0] >= 3.5 * INTERVAL
    assert {t.split("_")[0] for t in gui.threads} == {"gui"}
    assert {t.split("_")[0] for t in desk.threads} == {"desk"}
    assert beat.beats >= 5


@pytest.mark.parametrize("hung", ["gui", "desk"])
def test_a_hung_thread_stops_the_heartbeat_until_it_answers_again(
    listener: NotifyListener,
    loops: tuple[Loop, Loop],
    hung: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gui, desk = loops
    stuck = gui if hung == "gui" else desk
    beat = Heartbeat(notifier=Notifier(listener.address), interval_s=INTERVAL,
                     post_gui=gui.post, post_desk=desk.post)  # fmt: skip
    beat.start()
    try:
        listener.wait_for("WATCHDOG=1", count=2)
        with caplog.at_level(logging.ERROR, logger="kiosk.runtime.heartbeat"):
            stuck.hang()
            blocked_at = time.monotonic()
            time.sleep(12 * INTERVAL)
            released_at = time.monotonic()
            stuck.release()
            after = len(listener.wait_for("WATCHDOG=1")) + 2
            listener.wait_for("WATCHDOG=1", count=after)
    finally:
        beat.stop()
    during = [t for t in listener.times("WATCHDOG=1") if blocked_at < t < released_at]
    # At most the beat already earned before the block began; then nothing for ~11 intervals.
    assert len(during) <= 1, during
    assert f"watchdog: no answer from {hung}" in caplog.text


def test_stop_joins_the_thread_and_no_beat_follows(
    listener: NotifyListener, loops: tuple[Loop, Loop]
) -> None:
    gui, desk = loops
    beat = Heartbeat(notifier=Notifier(listener.address), interval_s=INTERVAL,
                     post_gui=gui.post, post_desk=desk.post)  # fmt: skip
    beat.start()
    listener.wait_for("WATCHDOG=1")
    beat.stop()
    assert "watchdog" not in {t.name for t in threading.enumerate()}
    count = len(listener.times("WATCHDOG=1"))
    time.sleep(4 * INTERVAL)
    assert len(listener.times("WATCHDOG=1")) == count


def test_a_hung_thread_does_not_keep_stop_waiting(
    listener: NotifyListener, loops: tuple[Loop, Loop]
) -> None:
    gui, desk = loops
    beat = Heartbeat(notifier=Notifier(listener.address), interval_s=INTERVAL,
                     post_gui=gui.post, post_desk=desk.post)  # fmt: skip
    desk.hang()
    beat.start()
    time.sleep(3 * INTERVAL)
    began = time.monotonic()
    beat.stop()
    assert time.monotonic() - began < 5 * INTERVAL
    assert listener.times("WATCHDOG=1") == []


def test_supervision_says_ready_beats_and_says_stopping(
    listener: NotifyListener, loops: tuple[Loop, Loop]
) -> None:
    gui, desk = loops
    sup = Supervision(post_gui=gui.post, post_desk=desk.post,
                      notifier=Notifier(listener.address), interval_s=INTERVAL)  # fmt: skip
    sup.ready("cme-kiosk: desk ready: project P, desk A")
    listener.wait_for("WATCHDOG=1", count=2)
    sup.stopping()
    listener.wait_for("STOPPING=1")
    lines = listener.lines()
    assert lines[:2] == ["READY=1", "STATUS=cme-kiosk: desk ready: project P, desk A"]
    assert lines[-1] == "STOPPING=1"
    assert set(lines[2:-1]) == {"WATCHDOG=1"}


def test_supervision_without_a_watchdog_only_says_ready_and_stopping(
    listener: NotifyListener, loops: tuple[Loop, Loop], monkeypatch: pytest.MonkeyPatch
) -> None:
    gui, desk = loops
    monkeypatch.setenv("NOTIFY_SOCKET", listener.address)
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    sup = Supervision(post_gui=gui.post, post_desk=desk.post)
    assert sup.heartbeat is None
    sup.ready()
    sup.stopping()
    listener.wait_for("STOPPING=1")
    assert listener.lines() == ["READY=1", "STATUS=desk ready", "STOPPING=1"]


def test_a_failure_is_reported_as_a_watchdog_trigger(listener: NotifyListener) -> None:
    assert report_failure(Notifier(listener.address))
    listener.wait_for("WATCHDOG=trigger")
