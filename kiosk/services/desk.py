"""The desk's heart without Qt: one check-in thread, and screen events published to listeners.

Every presentation (card, code, face, refusal) is queued on one "desk" thread, so answers are
decided and committed in arrival order and no caller ever waits for a disk flush. What the screen
shows leaves as frozen events (kiosk.services.screen) handed to each listener on the thread that
produced them; the Qt bridge is one such listener and re-emits them on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Protocol, TypeVar

from kiosk.core.charset import Payload
from kiosk.core.errors import KioskError
from kiosk.core.model import DeskMode, Method, RecordKind
from kiosk.core.timeutil import local_day
from kiosk.services.checkin import CheckInService, Credential, Outcome, Status
from kiosk.services.device_texts import device_reason_text
from kiosk.services.devices import DeviceBoard
from kiosk.services.events import Listeners
from kiosk.services.events import Subscription as EventSubscription
from kiosk.services.pins import PinGuard
from kiosk.services.receipts import Receipts
from kiosk.services.scans import scan_payload
from kiosk.services.screen import (
    DeviceReason,
    ModeChanged,
    Notice,
    PinAnswer,
    ScreenEvent,
    StaffState,
)
from kiosk.services.session_state import SessionBoard
from kiosk.services.staff_mode import StaffMode
from kiosk.services.staff_records import StaffRecords
from kiosk.services.staff_search import StaffLists
from kiosk.services.staff_session import PinMatch, StaffSession
from kiosk.services.staff_sync import StaffSync

log = logging.getLogger(__name__)

Listener = Callable[[ScreenEvent], None]
Subscription = EventSubscription[ScreenEvent]
T = TypeVar("T")

CLOSING_ZH = "签到台正在关闭，请稍后再试"
CLOSING_EN = "The desk is closing — please try again in a moment"


class DeskPort(Protocol):
    """What devices and the face station submit to: thread-safe calls that return at once."""

    @property
    def checkin(self) -> CheckInService:
        """The check-in service (its project, store and desk name are read-only here)."""
        ...

    def submit(self, credential: Credential) -> Future[Outcome]:
        """Queue one presentation."""
        ...

    def submit_payload(self, payload: str | bytes | Payload, *, source: str) -> Future[Outcome]:
        """Queue one scanned code."""
        ...

    def submit_refusal(
        self,
        *,
        method: Method,
        reason: str,
        message_zh: str,
        message_en: str,
        detail: str,
        credential: Credential | None = None,
    ) -> Future[Outcome]:
        """Queue a presentation a driver, or a later check of `credential`, refused."""
        ...

    def report_device(
        self, name: str, *, ok: bool, reason: DeviceReason, detail: str = "", starting: bool = False
    ) -> None:
        """Publish a device's state: its reason code (and the driver's words for the log)."""
        ...

    def publish(self, event: ScreenEvent) -> None:
        """Hand a screen event to every listener."""
        ...

    def subscribe(self, listener: Listener) -> Subscription:
        """Receive every screen event from now on, on the thread that publishes it."""
        ...


class DeskService(StaffMode):
    """The desk's check-in queue, its mode and staff, and the listeners of its screen events.

    Staff mode's operations (search, manual, walk-ins, voids, disputes, lists, dead letters) come
    from kiosk.services.staff_mode.StaffMode; a staff PIN is matched on a thread of its own.
    """

    def __init__(self, checkin: CheckInService, *, pins: PinGuard | None = None) -> None:
        self._checkin = checkin
        self._pins = pins or PinGuard(checkin.store, "staff", clock=checkin.clock)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk")
        # argon2 per named member takes a noticeable time: never in front of check-ins.
        self._pin_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="staff-pin")
        self._listeners: Listeners[ScreenEvent] = Listeners("screen")
        self._board: SessionBoard | None = None  # desk thread only
        number = checkin.project.number
        self._staff = StaffSession(checkin.store, number, pins=self._pins, clock=checkin.clock)
        self._records = StaffRecords(checkin)
        self._lists = StaffLists(checkin)
        self._staff_sync = StaffSync(checkin)
        self._receipts = Receipts(checkin.store, checkin.project, device_id=checkin.device_id,
                                  desk_name=checkin.desk_name)  # fmt: skip
        self.devices = DeviceBoard(self.publish, clock=checkin.clock)

    @property
    def checkin(self) -> CheckInService:
        """The check-in service; its store is only used on the desk thread."""
        return self._checkin

    # -- listeners -------------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Subscription:
        """Receive every screen event from now on, on the thread that publishes it."""
        return self._listeners.subscribe(listener)

    def publish(self, event: ScreenEvent) -> None:
        """Hand one event to every listener (any thread); a failing listener is logged, skipped."""
        self._listeners.publish(event)

    def report_device(
        self, name: str, *, ok: bool, reason: DeviceReason, detail: str = "", starting: bool = False
    ) -> None:
        """Publish a device's state (any thread); the log keeps each change for the engineer."""
        words = device_reason_text(reason)
        log.info("device %s: %s — %s%s", name, "ok" if ok else "off", words,
                 f" ({detail})" if detail and detail != words else "")  # fmt: skip
        self.devices.report(name, ok=ok, reason=reason, detail=detail, starting=starting)

    def reconnect_device(self, name: str) -> Future[bool]:
        """Staff's reconnect: stop and start one device on the reconnect thread (never waits)."""
        return self.devices.reconnect(name)

    def report_notice(self, zh: str, en: str, *, code: str = "") -> None:
        """Publish a message that is not a check-in outcome (any thread)."""
        self.publish(Notice(zh, en, code=code))

    # -- the desk thread -------------------------------------------------------------------------

    def _queue(self, work: Callable[[], Outcome]) -> Future[Outcome]:
        try:
            return self._executor.submit(self._run, work)
        except RuntimeError:  # stopped: nothing was recorded, and the screen says so
            log.warning("presentation refused: the desk is closing")
            future: Future[Outcome] = Future()
            future.set_result(Outcome(Status.ERROR, CLOSING_ZH, CLOSING_EN, reason="closing"))
            return future

    def _run(self, work: Callable[[], Outcome]) -> Outcome:
        try:
            result = work()
        except Exception as exc:  # a bug must reach the screen as "call staff", not kill the desk
            log.exception("check-in failed")
            base = exc if isinstance(exc, KioskError) else KioskError(type(exc).__name__)
            result = Outcome(Status.ERROR, base.screen_zh, base.screen_en, reason="internal")
        if result.at is None:
            result = replace(result, at=self._checkin.clock())
        if result.event is not None and result.status is Status.ACCEPTED:
            result = self._with_receipt(result)
        self.publish(result)
        if result.event is not None:
            self._board_add(result)
        return result

    # -- the day's sessions and counts (desk thread) ---------------------------------------------

    def _with_receipt(self, outcome: Outcome) -> Outcome:
        """A check-out's outcome with the attendee's signed receipt (the record stands without)."""
        assert outcome.event is not None
        try:
            receipt = self._receipts.for_checkout(outcome.event)
        except Exception:  # a receipt that cannot be made must not hide the committed record
            log.exception("receipt not made")
            return outcome
        return replace(outcome, receipt=receipt) if receipt is not None else outcome

    def _board_add(self, outcome: Outcome) -> None:
        assert outcome.event is not None
        try:
            if outcome.event.kind is not RecordKind.CHECKIN:
                self._board = None  # a void changes what stands: count the day again
            board = self._day_board()
            board.add(outcome.event)
            self.publish(board.state(self._checkin.clock()))
        except KioskError as exc:  # the counts wait; the record is committed
            log.error("session counts not updated: %s", exc.detail)

    def _day_board(self) -> SessionBoard:
        now = self._checkin.clock()
        checkin = self._checkin
        if self._board is None or self._board.day != local_day(now):
            number = checkin.project.number
            board = SessionBoard(checkin.project, expected=checkin.store.roster.roster_size(number))
            board.load(checkin.store.records.standing_events(number), today=local_day(now))
            self._board = board
        return self._board

    def refresh_session(self) -> Future[None]:
        """Publish the session on now, the next one and today's counts (after a clock tick)."""
        return self.run(lambda: self.publish(self._day_board().state(self._checkin.clock())))

    def submit(self, credential: Credential) -> Future[Outcome]:
        """Queue one presentation from any thread; its outcome is published when committed."""
        return self._queue(lambda: self._checkin.present(credential))

    def submit_payload(self, payload: str | bytes | Payload, *, source: str) -> Future[Outcome]:
        """Queue one scanned code from any thread: verified, then checked in or refused (red)."""
        return self._queue(lambda: scan_payload(payload, service=self._checkin, source=source))

    def submit_refusal(
        self,
        *,
        method: Method,
        reason: str,
        message_zh: str,
        message_en: str,
        detail: str,
        credential: Credential | None = None,
    ) -> Future[Outcome]:
        """Queue a presentation a driver, or a later check of `credential`, refused: kept, red."""

        def refuse() -> Outcome:
            try:
                # No credential read: the HMAC covers what was presented, method and reason.
                text = credential.audit_text() if credential else f"{method}:{reason}"
                self._checkin.deny(method=method, reason=reason, credential_text=text,
                                   detail=detail)  # fmt: skip
            except KioskError as exc:  # storage full: the screen still says what went wrong
                log.error("refused attempt not recorded: %s", exc.detail)
            return Outcome(Status.REFUSED, message_zh, message_en, reason=reason)

        return self._queue(refuse)

    # -- staff mode (desk thread) -----------------------------------------------------------------

    def sign_in(self, pin: str | None = None) -> Future[None]:
        """Open staff mode with a member's own PIN (or the shared one; at once with none set).

        Answers come as events: PinAnswer(asked) when a PIN is needed and none was given,
        PinAnswer(ok / wrong / wait) for a PIN, then StaffState(signed_in=True, staff_id, name).
        The PIN is matched on its own thread; the state changes on the desk thread.
        """

        def match() -> None:
            answer = self._staff.match(pin)
            self.run(lambda: self._signed(answer)).result()

        try:
            return self._pin_thread.submit(match)
        except RuntimeError:  # the desk is closing
            done: Future[None] = Future()
            done.set_result(None)
            return done

    def settled(self) -> Future[None]:
        """Done once every sign-in asked before it has been answered on the desk thread."""

        def wait() -> None:
            self.run(lambda: None).result()

        try:
            return self._pin_thread.submit(wait)
        except RuntimeError:  # the desk is closing
            done: Future[None] = Future()
            done.set_result(None)
            return done

    def _signed(self, answer: PinMatch) -> None:
        if answer.asked:
            self.publish(PinAnswer(ok=False, asked=True))
            return
        who = answer.who
        if who is None:
            self.publish(PinAnswer(ok=False, wait_s=answer.result.wait.total_seconds()))
            return
        if who.how != "no_pin":
            self.publish(PinAnswer(ok=True))
        self._staff.current = who
        log.info("staff mode opened (%s %s)", who.how, who.staff_id)
        self.publish(StaffState(signed_in=True, staff_id=who.staff_id, name=who.name,
                                reason=who.how, role=who.role))  # fmt: skip

    def sign_out(self, *, reason: str = "signed_out") -> Future[None]:
        """Close staff mode (the button, or `idle` after two minutes without a touch)."""

        def out() -> None:
            if self._staff.current is not None:
                log.info("staff mode closed (%s, %s)", reason, self._staff.current.staff_id)
                self._staff.current = None
            self.publish(StaffState(signed_in=False, reason=reason))

        return self.run(out)

    def change_mode(self, mode: DeskMode) -> Future[None]:
        """Switch in / out / auto: a staff action (signed in, or no staff PIN set at all)."""

        def change() -> None:
            if self._staff.current is None and self._staff.pin_needed():
                log.warning("desk mode change refused: staff not signed in")
                self.publish(PinAnswer(ok=False, asked=True))
                return
            self._checkin.mode = mode
            log.info("desk mode set to %s", mode.value)
            self.publish(ModeChanged(mode))

        return self.run(change)

    def announce(self) -> Future[None]:
        """Publish the state a new screen starts from: the mode in force, the session, counts."""

        def tell() -> None:
            self.publish(ModeChanged(self._checkin.mode))
            self.publish(self._day_board().state(self._checkin.clock()))

        return self.run(tell)

    def run(self, work: Callable[[], T]) -> Future[T]:
        """Run `work` on the desk thread, after everything queued before it (store reads)."""
        return self._executor.submit(work)

    def ping(self, reply: Callable[[], None]) -> bool:
        """Call `reply` from the desk thread once it is free (the watchdog); False once stopped."""
        try:
            self._executor.submit(reply)
        except RuntimeError:
            return False
        return True

    def stop(self) -> None:
        """Finish the presentation in progress and what is queued, then end the desk thread."""
        self._pin_thread.shutdown(wait=True)  # a sign-in in progress still lands on the desk
        self.devices.stop()
        self._executor.shutdown(wait=True)
