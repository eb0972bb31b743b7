"""A wedge scanner read directly from its Linux input device, grabbed exclusively (evdev).

With the grab, the scanner's keys never reach the desktop: no input method, keyboard layout or
focused widget sees them. The key codes go through the same BurstDecoder as the Qt filter, so a
scan still needs scanner timing, length and terminator; slower keys on the grabbed device are
dropped (they are not a person's typing: the person's keyboard is another device).
"""

from __future__ import annotations

import contextlib
import logging
import select
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from drivers.scanner import keymap
from drivers.scanner.base import ScanEvent, Scanner, ScannerStatus
from drivers.scanner.burst import BurstConfig, BurstDecoder, Replay, Scan, Step
from drivers.scanner.worker import ScannerWorker
from kiosk.core.charset import Payload

log = logging.getLogger(__name__)

EV_KEY = 1
KEY_UP, KEY_DOWN, KEY_REPEAT = 0, 1, 2


class EvdevKeyDecoder:
    """Input events (code, value, timestamp in seconds) → scans; pure, for replayed recordings."""

    def __init__(self, config: BurstConfig | None = None):
        self._burst: BurstDecoder[None] = BurstDecoder(config)
        self._shift = False
        self._caps = False
        self.ignored = 0  # keys that were not part of a scan

    def feed(self, code: int, value: int, at_s: float) -> list[str]:
        """One EV_KEY event; the scans it completes."""
        if code in keymap.SHIFT_KEYS:
            self._shift = value != KEY_UP
            return []
        if value == KEY_UP or code in keymap.IGNORED_KEYS:
            return []
        if code == keymap.KEY_CAPSLOCK and value == KEY_DOWN:
            self._caps = not self._caps
            return []
        return self._done(self._step(code, value, at_s * 1000.0))

    def _step(self, code: int, value: int, at: float) -> Step[None]:
        if value == KEY_REPEAT:
            return self._burst.other(at)  # a held-down key is a person, not a scanner
        if code in (keymap.KEY_ENTER, keymap.KEY_KPENTER):
            return self._burst.terminator("enter", None, at)
        if code == keymap.KEY_TAB:
            return self._burst.terminator("tab", None, at)
        ch = keymap.char_for(code, shift=self._shift, caps=self._caps)
        return self._burst.other(at) if ch is None else self._burst.char(ch, None, at)

    def tick(self, now_s: float) -> list[str]:
        """Time passed without a key (same clock as the events)."""
        return self._done(self._burst.tick(now_s * 1000.0))

    def deadline_s(self) -> float | None:
        """When to call `tick` next, or None."""
        d = self._burst.deadline()
        return None if d is None else d / 1000.0

    def _done(self, step: Step[None]) -> list[str]:
        scans = []
        for action in step.actions:
            if isinstance(action, Scan):
                scans.append(action.text)
            elif isinstance(action, Replay):
                self.ignored += len(action.tokens)
        return scans


def _open_evdev(path: str) -> Any:
    import evdev  # lazily: Linux only, optional

    return evdev.InputDevice(path)


class EvdevScanner(ScannerWorker):
    """Reads one grabbed input device on a worker thread; reopens it after an unplug."""

    thread_name = "scanner-evdev"

    def __init__(
        self,
        path: str,
        *,
        on_scan: Callable[[ScanEvent], None],
        on_status: Callable[[ScannerStatus], None] | None = None,
        config: BurstConfig | None = None,
        grab: bool = True,
        reconnect_s: float = 2.0,
        opener: Callable[[str], Any] = _open_evdev,
    ):
        self.path = path
        super().__init__(f"evdev:{path}", on_status=on_status)
        self._on_scan = on_scan
        self._config = config
        self._grab = grab
        self._reconnect_s = reconnect_s
        self._opener = opener

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                device = self._opener(self.path)
            except ImportError:
                self._set_status(
                    False, "python-evdev not installed: evdev scanner disabled", state="unavailable"
                )
                return
            except OSError as exc:
                self._set_status(False, f"cannot open: {exc.strerror or exc}", state="absent")
                self._stop.wait(self._reconnect_s)
                continue
            try:
                self._read(device)
            except OSError as exc:
                self._set_status(
                    False, f"device lost ({exc.strerror or exc}); reconnecting", state="lost"
                )
            finally:
                self._release(device)
            self._stop.wait(self._reconnect_s)

    def _read(self, device: Any) -> None:
        if self._grab:
            device.grab()  # OSError (EBUSY) if another program holds it
        self._set_status(True, "grabbed" if self._grab else "reading", state="ready")
        decoder = EvdevKeyDecoder(self._config)
        while not self._stop.is_set():
            deadline = decoder.deadline_s()
            wait = 0.2 if deadline is None else max(0.0, min(0.2, deadline - time.time()))
            ready, _, _ = select.select([device.fd], [], [], wait)
            scans: list[str] = []
            if ready:
                for event in device.read():
                    if event.type == EV_KEY:
                        scans += decoder.feed(event.code, event.value, event.timestamp())
            else:
                # Event timestamps are CLOCK_REALTIME by default: tick on the same clock.
                scans += decoder.tick(time.time())
            for text in scans:
                self._emit(text)

    def _emit(self, text: str) -> None:
        event = ScanEvent(Payload.of_text(text), self.name, time.monotonic())
        try:
            self._on_scan(event)
        except Exception:
            log.exception("scan consumer failed")

    def _release(self, device: Any) -> None:
        for action in ("ungrab", "close"):
            with contextlib.suppress(OSError):  # already gone with the unplugged device
                getattr(device, action)()


if TYPE_CHECKING:  # mypy proves the class satisfies the Scanner protocol
    _conforms: Scanner = EvdevScanner("", on_scan=lambda event: None)
