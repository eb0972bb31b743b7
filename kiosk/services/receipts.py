"""The attendee's receipt at check-out: today's hours per session, clipped as the credits engine
clips them and rounded by the project's profile, signed with the desk's key for a QR code."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from kiosk.core.codes.receipt import MAX_SESSIONS, Receipt, ReceiptSession, sign_receipt
from kiosk.core.credits.amounts import RoundingMode, quantize
from kiosk.core.credits.hours import clip
from kiosk.core.credits.pairing import pair_attendee
from kiosk.core.credits.records import AttendanceRecord
from kiosk.core.model import CheckInEvent, Direction, Project, RecordKind
from kiosk.core.rules import ProfileError, load_profile
from kiosk.core.rules.schema import Profile
from kiosk.core.timeutil import local_day
from sync.store import Store

log = logging.getLogger(__name__)

# Without a readable profile the receipt still counts: hundredths of an hour, rounded down.
_FALLBACK_STEP = Decimal("0.01")


class Receipts:
    """Makes the receipt of a check-out from the store (desk thread)."""

    def __init__(self, store: Store, project: Project, *, device_id: str, desk_name: str) -> None:
        self._store = store
        self._project = project
        self._device_id = device_id
        self._desk_name = desk_name
        self._profile: Profile | bool | None = False  # False: not loaded yet

    def _rounding(self) -> tuple[Decimal, RoundingMode]:
        if self._profile is False:
            try:
                self._profile = load_profile(self._project.profile)
            except ProfileError as exc:
                log.warning("receipts round to 0.01 h: profile not loaded (%s)", exc)
                self._profile = None
        if isinstance(self._profile, Profile):
            r = self._profile.rounding
            return r.hours_step, r.hours_mode
        return _FALLBACK_STEP, "down"

    def for_checkout(self, event: CheckInEvent) -> Receipt | None:
        """The signed receipt of a committed check-out (None for anything else)."""
        if event.kind is not RecordKind.CHECKIN or event.direction is not Direction.OUT:
            return None
        day = local_day(event.scanned_at)
        mine = self._store.records.attendance(
            self._project.number, event.attendee_id, desk_name=self._desk_name
        )
        records = [
            AttendanceRecord(
                id_number=event.attendee_id,
                direction=r.direction,
                at=r.scanned_at,
                method=r.method,
                desk=r.desk_name,
                record_id=r.uuid,
            )
            for r in mine
            if local_day(r.scanned_at) == day and r.scanned_at <= event.scanned_at
        ]
        pairs = [p for p in pair_attendee(records, self._project).pairs if p.day == day]
        clipped = clip(pairs, self._project.sessions, missing_checkout="none")
        minutes: dict[str, int] = defaultdict(int)
        for piece in clipped.pieces:
            minutes[piece.session.id] += piece.minutes
        step, mode = self._rounding()
        today = sorted(
            (s for s in self._project.sessions if local_day(s.start) == day), key=lambda s: s.start
        )[:MAX_SESSIONS]
        sessions = tuple(
            ReceiptSession(s.id, quantize(Fraction(minutes[s.id], 60), step, mode)) for s in today
        )
        closing = next((p for p in reversed(pairs) if p.check_out is not None), None)
        check_in = closing.check_in.at if closing is not None and closing.check_in else None
        receipt = Receipt(
            project=self._project.number, device_id=self._device_id, record_uuid=event.uuid,
            attendee_id=event.attendee_id, check_in=check_in, check_out=event.scanned_at,
            sessions=sessions, total_hours=sum((s.hours for s in sessions), Decimal(0)),
        )  # fmt: skip
        return replace(receipt, text=sign_receipt(receipt, self._store.device_sign))
