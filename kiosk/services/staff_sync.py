"""Staff mode's sync section: dead letters with the platform's reason, retry, dismiss, sync now.

A retry queues the refused record again as it was (its signature cannot change); a dismissal
closes it with a reason and, for a record or a walk-in, adds a signed `dismiss` record so the
organizer sees it. Both keep the dead letter with who, when and why (the audit trail).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from kiosk.core.model import CheckInEvent, Direction, Method, RecordKind, new_uuid
from kiosk.core.timeutil import offset_minutes
from kiosk.services.checkin import CheckInService, Outcome, Status
from kiosk.services.staff_records import refused
from kiosk.services.staff_session import SignedIn

log = logging.getLogger(__name__)


class SyncControl(Protocol):
    """What the desk needs of the running sync (kiosk.services.platform_sync.SyncHandle)."""

    def sync_now(self) -> None:
        """Drain and pull now (returns at once)."""


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A record, refused attempt or walk-in the platform refused for good."""

    uuid: str
    kind: str  # event | denied | walk_in
    reason: str  # the platform's reason code (e.g. outside_project_days)
    detail: str
    at: datetime
    attendee_id: str = ""  # the record's or walk-in's attendee ('' for a refused attempt)

    @property
    def retryable(self) -> bool:
        """Records and refused attempts go again; a walk-in goes with its records."""
        return self.kind in ("event", "denied")


@dataclass(frozen=True, slots=True)
class DeadLetters:
    """The open dead letters, oldest first."""

    items: tuple[DeadLetter, ...]
    refused: str = ""  # a reason code (not_signed_in) when nothing was listed


class StaffSync:
    """Dead letters and sync now for one desk (desk thread)."""

    def __init__(self, checkin: CheckInService) -> None:
        self._checkin = checkin
        self.sync: SyncControl | None = None

    def dead_letters(self) -> DeadLetters:
        """Every open dead letter."""
        out = []
        for r in self._checkin.store.outbox.open_dead_letters():
            attendee = str(r.get("attendee_id") or (r["uuid"] if r["kind"] == "walk_in" else ""))
            out.append(
                DeadLetter(
                    uuid=str(r["uuid"]), kind=str(r["kind"]), reason=str(r["reason"]),
                    detail=str(r["detail"] or ""), at=datetime.fromisoformat(str(r["at"])),
                    attendee_id=attendee,
                )
            )  # fmt: skip
        return DeadLetters(tuple(out))

    def _open(self, uuid: str) -> DeadLetter | None:
        return next((d for d in self.dead_letters().items if d.uuid == uuid), None)

    def retry(self, uuid: str, *, who: SignedIn) -> Outcome:
        """Queue the refused record again (audited with the member) and sync now."""
        item = self._open(uuid)
        if item is None:
            return refused("no_dead_letter", action="retry")
        if not item.retryable:
            return refused("not_retryable", action="retry")
        c = self._checkin
        c.store.outbox.resolve_dead_letter(
            uuid, action="retried", staff_id=who.staff_id, note="", at=c.clock()
        )
        log.info("dead letter %s retried by %s", item.kind, who.staff_id)
        self.sync_now()
        return Outcome(Status.ACCEPTED, "已重新排队上传", "Queued to upload again", action="retry")

    def dismiss(self, uuid: str, *, reason: str, who: SignedIn) -> Outcome:
        """Close a dead letter with a reason (a signed dismiss record when it names a person)."""
        note = reason.strip()
        if not note or len(note) > 500:
            return refused("reason_required", action="dismiss")
        item = self._open(uuid)
        if item is None:
            return refused("no_dead_letter", action="dismiss")
        c = self._checkin
        now = c.clock()
        event = None
        if item.attendee_id:
            offset = c.store.get_meta("server_offset_ms")
            event = c.store.records.append_event(
                CheckInEvent(
                    uuid=new_uuid(), project=c.project.number, attendee_id=item.attendee_id,
                    direction=Direction.IN, method=Method.MANUAL, device_id=c.device_id, seq=1,
                    scanned_at=now, utc_offset_minutes=offset_minutes(now.astimezone()),
                    kind=RecordKind.DISMISS, staff_id=who.staff_id, note=note, refers_to=uuid,
                ),
                server_offset_ms=int(offset) if offset else None,
            )  # fmt: skip
        c.store.outbox.resolve_dead_letter(
            uuid, action="dismissed", staff_id=who.staff_id, note=note, at=now
        )
        log.info("dead letter %s dismissed by %s", item.kind, who.staff_id)
        return Outcome(Status.ACCEPTED, "已忽略并记录原因", "Dismissed, with the reason kept",
                       event=event, action="dismiss")  # fmt: skip

    def sync_now(self) -> bool:
        """Kick uploads and pulls; False when this desk has no running sync."""
        if self.sync is None:
            return False
        self.sync.sync_now()
        return True
