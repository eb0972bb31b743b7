"""One open on-site enrollment offer: the consent screen's controls, each step audited.

The store keeps the consent instant with the template but has no column for the staff member who
confirmed the cardholder, so that goes to the audit log ("kiosk.audit").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from drivers.face.enrollment import EnrollmentError, EnrollmentState, OnSiteEnrollment
from kiosk.services.checkin import Outcome

if TYPE_CHECKING:
    from kiosk.runtime.face.state import StationState

log = logging.getLogger(__name__)
audit = logging.getLogger("kiosk.audit")


class Offer:
    """One open enrollment offer; its controls, called on the GUI thread, run on the station's
    worker (they log and may touch the face desk: never the GUI thread's work)."""

    def __init__(self, state: StationState, flow: OnSiteEnrollment, outcome: Outcome) -> None:
        self._state = state
        self.flow = flow
        self.outcome = outcome
        self.created = time.monotonic()

    def _step(self, name: str, fn: Callable[[], object]) -> bool:
        try:
            fn()
        except EnrollmentError as exc:  # a double tap: the first one already moved the flow on
            log.info("enrollment %s ignored: %s", name, exc)
            return False
        return True

    def accept(self) -> None:
        """Record consent (its instant is kept with the template)."""
        self._state.post(self._accept)

    def decline(self) -> None:
        """Nothing is stored; the card check-in is untouched."""
        self._state.post(self._decline)

    def confirm(self) -> None:
        """Staff vouched for the cardholder: frames go to the enrollment from the next one on."""
        self._state.post(self._confirm)

    def cancel(self) -> None:
        """Abandon; a capture in progress ends at the next frame (EnrollmentFinished)."""
        self._state.post(self.cancel_now)

    def _accept(self) -> None:
        if self._step("accept", self.flow.accept):
            audit.info("face consent given: project=%s attendee=%s at=%s", self.flow.project,
                       self.flow.attendee_id, self.flow.consent_at)  # fmt: skip

    def _decline(self) -> None:
        if self._step("decline", self.flow.decline):
            audit.info("face consent declined: project=%s attendee=%s", self.flow.project,
                       self.flow.attendee_id)  # fmt: skip
            self._state.close_offer(self, declined=True)

    def _confirm(self) -> None:
        staff = self._state.staff
        if self._step("confirm", lambda: self.flow.confirm_cardholder(staff=staff)):
            # Kept with the template too (face_templates.confirmed_by); the audit log has the time.
            audit.info("face cardholder confirmed: project=%s attendee=%s by=%s",
                       self.flow.project, self.flow.attendee_id, staff)  # fmt: skip
            self._state.capture(self)

    def cancel_now(self) -> None:
        """Abandon on this thread; a capture in progress ends at the next frame."""
        capturing = self.flow.state is EnrollmentState.CAPTURING
        self.flow.cancel()
        if not capturing:
            self._state.close_offer(self)
