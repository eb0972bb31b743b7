"""Staff mode's operations on the desk service: every one queued on the desk thread, answered
with a Future, and published to the screen's listeners. The logic lives by role in
kiosk/services/staff_*.py; this class only checks who is signed in and delegates.

Actions that record something need a named member signed in (reason codes `not_signed_in`,
`named_staff_required`); lists and sync need staff mode open (`not_signed_in`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from typing import TypeVar

from kiosk.core.model import Direction
from kiosk.services.checkin import Outcome
from kiosk.services.screen import ScreenEvent
from kiosk.services.staff_methods import Fallbacks, fallbacks
from kiosk.services.staff_records import StaffRecords, WalkInForm, refused
from kiosk.services.staff_search import ListFilter, SearchResult, SessionList, StaffLists
from kiosk.services.staff_session import NOT_SIGNED_IN, SignedIn, StaffSession
from kiosk.services.staff_sync import DeadLetters, StaffSync, SyncControl

log = logging.getLogger(__name__)
T = TypeVar("T")


class StaffMode:
    """The staff operations of DeskService (mixed into it; desk thread for all state)."""

    _staff: StaffSession
    _records: StaffRecords
    _lists: StaffLists
    _staff_sync: StaffSync

    # Provided by DeskService.
    def run(self, work: Callable[[], T]) -> Future[T]:
        """Run `work` on the desk thread."""
        raise NotImplementedError

    def publish(self, event: ScreenEvent) -> None:
        """Hand an event to the listeners."""
        raise NotImplementedError

    def _queue(self, work: Callable[[], Outcome]) -> Future[Outcome]:
        raise NotImplementedError

    # -- helpers ---------------------------------------------------------------------------------

    def _recording(self, action: str, work: Callable[[SignedIn], Outcome]) -> Future[Outcome]:
        """Queue an action that records: refused unless a named member is signed in."""

        def act() -> Outcome:
            reason = self._staff.refusal()
            if reason:
                log.warning("staff action %s refused: %s", action, reason)
                return refused(reason, action=action)
            assert self._staff.current is not None
            return work(self._staff.current)

        return self._queue(act)

    def _reading(self, work: Callable[[], T], empty: Callable[[str], T]) -> Future[T]:
        """Run a staff-mode read on the desk thread and publish it (empty when not signed in)."""

        def read() -> T:
            result = empty(NOT_SIGNED_IN) if self._staff.current is None else work()
            self.publish(result)  # type: ignore[arg-type]
            return result

        return self.run(read)

    # -- the operations --------------------------------------------------------------------------

    def attach_sync(self, sync: SyncControl) -> None:
        """The running sync that `sync_now` and a retry kick (the composition root sets it)."""
        self._staff_sync.sync = sync

    def search(self, query: str, *, limit: int = 50) -> Future[SearchResult]:
        """Roster search: name, pinyin initials (zw), ID tail, unit, reference; limit + total."""
        return self._reading(
            lambda: self._lists.search(query, limit=limit),
            lambda why: SearchResult(query, (), 0, refused=why),
        )

    def session_list(
        self,
        which: ListFilter | str = ListFilter.ALL,
        *,
        limit: int = 200,
        offset: int = 0,
        request: int = 0,
    ) -> Future[SessionList]:
        """Today's people: not_arrived / in / out / flagged / all, with times; `request` echoed."""
        kind = ListFilter(which)
        return self._reading(
            lambda: replace(
                self._lists.session_list(kind, limit=limit, offset=offset), request=request
            ),
            lambda why: SessionList(kind, (), 0, refused=why, request=request),
        )

    def manual_fallbacks(self, attendee_id: str) -> Future[Fallbacks]:
        """What to offer before a manual record: face, the phone code, then manual (flagged?)."""

        def offers() -> Fallbacks:
            c = self._records.checkin
            number = c.project.number
            return fallbacks(
                c.project, attendee_id=attendee_id,
                has_template=c.store.records.face_template_record(number, attendee_id) is not None,
                has_secret=c.store.keys.attendee_secret(number, attendee_id) is not None,
            )  # fmt: skip

        def none(why: str) -> Fallbacks:
            return replace(offers(), offers=(), refused=why)

        return self._reading(offers, none)

    def manual(
        self, attendee_id: str, *, direction: Direction | None = None, reason: str
    ) -> Future[Outcome]:
        """A MANUAL check-in/out (None: the desk's mode decides) with the member and reason."""
        return self._recording(
            "manual",
            lambda who: self._records.manual(
                attendee_id, direction=direction, reason=reason, who=who
            ),
        )

    def phone_code(
        self, attendee_id: str, code: str, *, direction: Direction | None = None
    ) -> Future[Outcome]:
        """A check-in by the six-digit one-time code on the attendee's phone."""
        return self._recording(
            "phone_code",
            lambda who: self._records.phone_code(
                attendee_id, code=code, direction=direction, who=who
            ),
        )

    def register_walk_in(self, form: WalkInForm) -> Future[Outcome]:
        """A provisional attendee from the walk-in form, checked in (refused: check_digit, …)."""
        return self._recording("walk_in", lambda who: self._records.register_walk_in(form, who=who))

    def void_last(self, attendee_id: str, *, reason: str) -> Future[Outcome]:
        """Undo the person's last record if it is this desk's: a signed void record."""
        return self._recording(
            "void", lambda who: self._records.void_last(attendee_id, reason=reason, who=who)
        )

    def dispute(
        self, attendee_id: str, *, words: str, receipt: str | None = None
    ) -> Future[Outcome]:
        """The attendee's dispute in their words (and the receipt text shown): for the organizer."""
        return self._recording(
            "dispute",
            lambda who: self._records.dispute(attendee_id, words=words, receipt=receipt, who=who),
        )

    def dead_letters(self) -> Future[DeadLetters]:
        """The open dead letters with the platform's reasons."""
        return self._reading(self._staff_sync.dead_letters, lambda why: DeadLetters((), why))

    def retry_dead_letter(self, uuid: str) -> Future[Outcome]:
        """Queue a refused record again (audited) and sync now."""
        return self._recording("retry", lambda who: self._staff_sync.retry(uuid, who=who))

    def dismiss_dead_letter(self, uuid: str, *, reason: str) -> Future[Outcome]:
        """Close a dead letter with a reason (audited; a signed dismiss record)."""
        return self._recording(
            "dismiss", lambda who: self._staff_sync.dismiss(uuid, reason=reason, who=who)
        )

    def sync_now(self) -> Future[bool]:
        """Kick uploads and pulls now; False when not signed in or no sync runs here."""
        return self.run(lambda: self._staff.current is not None and self._staff_sync.sync_now())
