"""The SAM reader worker: find → select → read on a serial port, one event per card placement."""

from __future__ import annotations

import logging
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from drivers.idcard.base import Listener, Listeners, StateHolder
from drivers.idcard.events import CardError, CardRemoved, IdCardRead, ReaderState, ReaderStatus
from drivers.idcard.frames import (
    STATUS_FIND_FAILED,
    STATUS_FOUND,
    STATUS_OK,
    Command,
    Dropped,
    FrameDecoder,
    FrameError,
    Response,
    build_request,
    parse_response,
    split_read_data,
)
from drivers.idcard.serial_port import Opener, Port, open_serial, shanghai_today
from drivers.idcard.status import (
    IdCardError,
    InvalidCardData,
    InvalidCardNumber,
    InvalidFrame,
    NoCard,
    ReaderProtocolError,
    SamFault,
    UnknownCardType,
    status_error,
)
from drivers.idcard.text import IdCardText, parse_text
from drivers.workers import WorkerStillRunning
from kiosk.core.errors import InvalidDocumentNumber

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SamTiming:
    """Polling and timeout figures (seconds); tests shorten them."""

    poll_s: float = 0.1  # between find-card polls
    command_timeout_s: float = 0.5  # find, select, status
    read_timeout_s: float = 2.0  # text+photo is 1295 bytes: ~115 ms on the wire, plus SAM work
    removal_s: float = 0.5  # no-card answers for this long: the card was taken away
    retry_s: float = 0.2  # between read attempts on a card that failed
    reconnect_s: float = 0.5  # between attempts to open a missing port
    max_timeouts: int = 3  # silent commands in a row before the reader is reported faulty


@dataclass(slots=True)
class _Placement:
    """One card lying on the reader, from first find until it is gone for `removal_s`."""

    number: str | None = None  # the card's number once read (also if it failed validation)
    done: bool = False  # read (or failed for good): nothing to do while it stays
    reported: bool = False  # an event was emitted for it, so its removal is reported too
    failures: int = 0
    error_code: str = ""  # the last error reported, so a stubborn card is reported once
    next_try: float = 0.0
    gap_start: float | None = None  # first no-card answer of the current gap


class _Stopped(Exception):
    """Raised inside the worker to unwind when stop() is called."""


class SamReader:
    """A GA 467 SAM reader on a serial / USB-CDC port, polled by one worker thread.

    Events (IdCardRead, CardError, CardRemoved, ReaderState) go to listeners on the worker
    thread. A card left on the reader is one event (the card ignores HALT, so presence is
    tracked here); garbage and cut frames are skipped; an unplugged reader is reopened.
    """

    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 115200,
        name: str = "",
        fingerprint: bool = False,
        today: Callable[[], date] = shanghai_today,
        clock: Callable[[], float] = time.monotonic,
        timing: SamTiming | None = None,
        opener: Opener | None = None,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self.name = name or f"SAM {port}"
        self._read_command = (
            Command.READ_WITH_FINGERPRINT if fingerprint else Command.READ_TEXT_PHOTO
        )
        self._today = today
        self._clock = clock
        self.timing = timing or SamTiming()
        self._opener = opener or open_serial
        self._listeners = Listeners(self.name)
        self._state = StateHolder(self._listeners, clock=clock)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._decoder = FrameDecoder()
        self._placement: _Placement | None = None
        self._timeouts = 0
        self._ready = False
        self._t_frame = 0.0
        self.dropped_bytes = 0  # garbage, cut and corrupt frame bytes skipped (for diagnostics)

    # -- public API ----------------------------------------------------------------------

    @property
    def state(self) -> ReaderState:
        """The current status."""
        return self._state.state

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(event)` on the worker thread for every event."""
        self._listeners.add(listener)

    def start(self) -> None:
        """Start the worker thread (idempotent); WorkerStillRunning while the last one ends."""
        if self._thread is not None and self._thread.is_alive():
            if self._stop.is_set():  # stopped but not joined: never a second worker beside it
                raise WorkerStillRunning(self.name)
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"sam:{self.port}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop polling, close the port and join the worker."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():  # kept: start() refuses until it has ended
                log.error("%s: worker did not stop within %.1f s", self.name, timeout)
            else:
                self._thread = None

    # -- worker --------------------------------------------------------------------------

    def _run(self) -> None:
        self._state.set(ReaderStatus.STARTING, f"opening {self.port}")
        connected_once = False
        while not self._stop.is_set():
            try:
                port = self._opener(self.port, self.baudrate)
            except OSError as exc:
                status = ReaderStatus.RECONNECTING if connected_once else ReaderStatus.ABSENT
                self._state.set(status, f"{self.port}: {_reason(exc)}")
                self._stop.wait(self.timing.reconnect_s)
                continue
            connected_once = True
            try:
                self._session(port)
            except _Stopped:
                pass
            # pyserial's buffer flushes raise termios.error (not an OSError) on a vanished tty.
            except (OSError, termios.error) as exc:
                log.warning("%s: port lost: %s", self.name, exc)
                self._state.set(ReaderStatus.RECONNECTING, f"{self.port} disconnected; waiting")
                self._stop.wait(self.timing.reconnect_s)
            # A bug must not leave a dead reader: log it, reopen, keep polling.
            except Exception:
                log.exception("%s: reader loop failed; restarting it", self.name)
                self._state.set(ReaderStatus.FAULT, "internal error; restarting the reader")
                self._stop.wait(self.timing.reconnect_s)
            finally:
                _close_quietly(port)
                self._ready = False
                self._decoder.reset()
                if self._placement is not None:
                    # After a reconnection the same card is re-read and compared, never repeated.
                    self._placement.done = False
                    self._placement.gap_start = self._clock()
        self._state.set(ReaderStatus.STOPPED, "stopped")

    def _session(self, port: Port) -> None:
        """Talk to an open port until stop (returns) or until it goes away (OSError)."""
        self._timeouts = 0
        while not self._stop.is_set():
            if not self._ready:
                self._check_sam(port)
            else:
                self._poll(port)
            wait = self.timing.poll_s if self._ready else self.timing.reconnect_s
            if self._stop.wait(wait):
                return

    def _check_sam(self, port: Port) -> None:
        resp = self._transact(port, Command.SAM_STATUS, self.timing.command_timeout_s)
        if resp is None:
            self._state.set(ReaderStatus.FAULT, f"no answer from a SAM reader on {self.port}")
        elif resp.status != STATUS_OK:
            err = status_error(resp.status)
            self._state.set(ReaderStatus.FAULT, f"SAM not ready: {err.meaning}")
        else:
            self._ready = True
            self._timeouts = 0
            self._state.set(ReaderStatus.READY, f"SAM reader ready on {self.port}")

    def _transact(self, port: Port, command: Command, timeout: float) -> Response | None:
        """Send one command and wait for its answer; None on timeout (a cut frame is dropped)."""
        if self._stop.is_set():
            raise _Stopped
        self._decoder.reset()
        port.reset_input_buffer()
        port.write(build_request(command))
        deadline = self._clock() + timeout
        while True:
            chunk = port.read(max(1, port.in_waiting))
            if chunk:
                for item in self._decoder.feed(chunk):
                    if isinstance(item, Dropped):
                        self.dropped_bytes += item.count
                        log.warning("%s: skipped %d %s bytes", self.name, item.count, item.reason)
                        continue
                    self._t_frame = self._clock()
                    return parse_response(item)
            if self._stop.is_set():
                raise _Stopped
            if self._clock() >= deadline:
                cut = self._decoder.reset()
                if cut:
                    self.dropped_bytes += cut
                    log.warning("%s: %s answer cut after %d bytes", self.name, command.name, cut)
                self._timed_out(command)
                return None

    def _timed_out(self, command: Command) -> None:
        self._timeouts += 1
        if self._timeouts >= self.timing.max_timeouts and self._ready:
            self._ready = False
            self._state.set(ReaderStatus.FAULT, f"reader stopped answering ({command.name})")

    def _poll(self, port: Port) -> None:
        resp = self._transact(port, Command.FIND_CARD, self.timing.command_timeout_s)
        if resp is None:
            return
        self._timeouts = 0
        now = self._clock()
        if resp.status == STATUS_FIND_FAILED:
            self._no_card(now)
            return
        if resp.status != STATUS_FOUND:
            self._bad_status(resp.status)
            return
        p = self._placement
        if p is not None:
            if p.done and p.gap_start is None:
                return  # the same card is still lying there
            if not p.done and now < p.next_try:
                return
        self._read_card(port, now)

    def _no_card(self, now: float) -> None:
        p = self._placement
        if p is None:
            return
        if p.gap_start is None:
            p.gap_start = now
        elif now - p.gap_start >= self.timing.removal_s:
            self._placement = None
            if p.reported:
                self._listeners.emit(CardRemoved(self.name, now))

    def _bad_status(self, status: int) -> None:
        err = status_error(status)
        if isinstance(err, SamFault):
            self._ready = False
            self._state.set(ReaderStatus.FAULT, f"SAM fault: {err.meaning}")
        else:
            log.warning("%s: find card: %s", self.name, err.detail)

    def _read_card(self, port: Port, now: float) -> None:
        if self._placement is None:
            self._placement = _Placement()
        sel = self._transact(port, Command.SELECT_CARD, self.timing.command_timeout_s)
        if sel is None:
            return
        if sel.status != STATUS_OK:
            self._read_failed(status_error(sel.status), now)
            return
        resp = self._transact(port, self._read_command, self.timing.read_timeout_s)
        if resp is None:
            self._read_failed(InvalidFrame("read answer missing or cut"), now)
            return
        if resp.status != STATUS_OK:
            self._read_failed(status_error(resp.status), now)
            return
        t_frame = self._t_frame
        try:
            blocks = split_read_data(resp.data)
            text = parse_text(blocks.text)
        except FrameError as exc:
            self._read_failed(InvalidFrame(exc.detail), now)
            return
        except InvalidCardData as exc:
            self._read_failed(exc, now, final=True)
            return
        self._card_read(text, blocks.photo, blocks.fingerprint, t_frame=t_frame, now=now)

    def _card_read(
        self,
        text: IdCardText,
        photo: bytes,
        fingerprint: bytes | None,
        *,
        t_frame: float,
        now: float,
    ) -> None:
        p = self._placement
        if p is not None and p.number == text.id_number:
            # Re-read after a short gap or a reconnection: the same card, not a new tap.
            p.done, p.gap_start = True, None
            return
        if p is not None and p.reported and p.number is not None:
            self._listeners.emit(CardRemoved(self.name, now))
        p = self._placement = _Placement(number=text.id_number, done=True, reported=True)
        try:
            document = text.document()
        except InvalidDocumentNumber as exc:
            err = InvalidCardNumber(f"{text.card_type.value} card: {exc.detail}")
            self._emit_error(err, detail=err.detail)
            return
        valid_to = text.valid_to_date
        expired = text.expired(self._today())
        log.info(
            "%s: read %s %s%s",
            self.name,
            text.card_type.value,
            document.masked(),
            " (expired)" if expired else "",
        )
        self._listeners.emit(
            IdCardRead(
                reader=self.name,
                text=text,
                document=document,
                valid_to=valid_to,
                expired=expired,
                photo_wlt=photo,
                fingerprint=fingerprint,
                t_frame=t_frame,
                t=self._clock(),
            )
        )

    def _read_failed(self, err: IdCardError, now: float, *, final: bool = False) -> None:
        p = self._placement
        assert p is not None
        if isinstance(err, SamFault):
            self._bad_status(err.status)
            return
        if isinstance(err, NoCard):
            return  # the card moved away between find and select: poll again
        if isinstance(err, ReaderProtocolError):
            log.warning("%s: %s", self.name, err.detail)
        p.failures += 1
        p.next_try = now + self.timing.retry_s
        final = final or isinstance(err, UnknownCardType)
        # The first failure is often a card still sliding into place: retry before telling.
        if (final or p.failures >= 2) and p.error_code != err.code:
            p.error_code = err.code
            p.reported = True
            self._emit_error(err, detail=err.detail)
        if final:
            p.done = True

    def _emit_error(self, err: IdCardError, *, detail: str) -> None:
        log.warning("%s: %s", self.name, detail)
        self._listeners.emit(CardError(self.name, err.code, detail, self._clock()))


def _reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError) or "No such file" in str(exc):
        return "not present"
    return str(exc) or type(exc).__name__


def _close_quietly(port: Port) -> None:
    try:
        port.close()
    except OSError as exc:
        log.debug("closing the port: %s", exc)
