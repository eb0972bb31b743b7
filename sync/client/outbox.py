"""The outbox drain: pending records in batches to an endpoint, answers applied one by one."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from kiosk.core.model import Attendee, Flag
from kiosk.core.timeutil import utc_now
from sync.client.errors import TransientSyncError
from sync.client.status import SyncStatus
from sync.store.records import StoredEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RecordAnswer:
    """The platform's answer for one record: accepted, duplicate, or rejected with a reason."""

    uuid: str
    status: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class WalkInRef:
    """A provisional attendee a pending record references, with the project and device."""

    project: str
    device_id: str
    attendee: Attendee


class SyncEndpoint(Protocol):
    """What the outbox needs from the platform client (sync.client adapts to it)."""

    def upload_events(self, records: Sequence[StoredEvent]) -> Sequence[RecordAnswer]:
        """Upload a batch of check-in records; one answer per record."""

    def upload_denied(self, rows: Sequence[dict[str, object]]) -> Sequence[RecordAnswer]:
        """Upload a batch of refused attempts; one answer per record."""

    def report_latest_seq(self, seq: int) -> int | None:
        """Tell the platform this device's latest sequence number; returns the clock offset (ms)."""


class OutboxQueue(Protocol):
    """What the drain needs from the local store (sync.store's `store.outbox` part)."""

    def pending_events(self, limit: int = 500) -> list[StoredEvent]:
        """The oldest records not yet answered by the platform."""

    def pending_denied(self, limit: int = 500) -> list[dict[str, object]]:
        """The oldest refused attempts not yet uploaded."""

    def pending_count(self) -> int:
        """Records and refusals still to upload."""

    def last_seq(self) -> int:
        """The highest sequence number recorded on this device."""

    def walk_in(self, project: str, attendee_id: str) -> Attendee | None:
        """The provisional attendee a pending record names, or None."""

    def apply_answers(
        self, kind: str, answers: Iterable[tuple[str, str, str]], *, at: datetime | None = None
    ) -> dict[str, int]:
        """Apply (uuid, status, reason) answers durably; counts per status."""

    def add_dead_letter(
        self, kind: str, uuid: str, *, reason: str, detail: str = "", at: datetime | None = None
    ) -> bool:
        """Keep a refusal for staff once per uuid; True if it is new."""

    def save_clock_offset(self, offset_ms: int) -> None:
        """Keep the platform's clock offset measured by the last report."""


class Outbox:
    """Drains the store to an endpoint; one `drain()` call does as much as the network allows."""

    def __init__(
        self,
        queue: OutboxQueue,
        endpoint: SyncEndpoint,
        *,
        batch_size: int = 500,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utc_now,
    ):
        self.queue = queue
        self.endpoint = endpoint
        self.batch_size = batch_size
        self._monotonic = monotonic
        self._wall = wall_clock
        self.status = SyncStatus(pending=queue.pending_count())

    def drain(self) -> float:
        """Upload every pending record and refusal; return the last request's latency (s).

        Raises TransientSyncError/PermanentSyncError from the endpoint; records already answered
        stay answered, the rest stay pending: a record is marked synced only after its answer.
        """
        latency = 0.0
        while batch := self.queue.pending_events(self.batch_size):
            start = self._monotonic()
            self._send_events(batch)
            latency = self._monotonic() - start
        while rows := self.queue.pending_denied(self.batch_size):
            start = self._monotonic()
            self._send_denied(rows)
            latency = self._monotonic() - start
        offset = self.endpoint.report_latest_seq(self.queue.last_seq())
        if offset is not None:
            self.queue.save_clock_offset(offset)
            self.status = replace(self.status, clock_offset_ms=offset)
        return latency

    def _send_events(self, batch: list[StoredEvent]) -> None:
        self._send_walk_ins(batch)  # first: the platform must know who a walk-in's record names
        answers = self.endpoint.upload_events(batch)
        self._apply("event", [e.event.uuid for e in batch], answers)

    def _send_walk_ins(self, batch: list[StoredEvent]) -> None:
        """Upload the identities of walk-ins the batch references (the platform is idempotent)."""
        upload: Callable[[Sequence[WalkInRef]], Sequence[RecordAnswer]] | None = getattr(
            self.endpoint, "upload_walk_ins", None
        )
        if upload is None:  # an endpoint without walk-ins (older relay, test double)
            return
        refs: dict[tuple[str, str], WalkInRef] = {}
        for stored in batch:
            e = stored.event
            if Flag.PROVISIONAL_ATTENDEE not in e.flags or (e.project, e.attendee_id) in refs:
                continue
            person = self.queue.walk_in(e.project, e.attendee_id)
            if person is not None:
                refs[(e.project, e.attendee_id)] = WalkInRef(e.project, e.device_id, person)
        if not refs:
            return
        for answer in upload(list(refs.values())):
            # The records still go: they are facts; the walk-in stays in the local roster and
            # the refusal is listed with the dead letters for staff (once).
            refused = answer.status == "rejected"
            if refused and self.queue.add_dead_letter("walk_in", answer.uuid, reason=answer.reason):
                log.error("platform refused walk-in %s: %s", answer.uuid, answer.reason)

    def _send_denied(self, rows: list[dict[str, object]]) -> None:
        answers = self.endpoint.upload_denied(rows)
        self._apply("denied", [str(r["uuid"]) for r in rows], answers)

    def _apply(self, kind: str, sent: list[str], answers: Sequence[RecordAnswer]) -> None:
        known = set(sent)
        usable = [(a.uuid, a.status, a.reason) for a in answers if a.uuid in known]
        if not usable:
            # An answer that covers none of what we sent is a broken server: retry, do not guess.
            raise TransientSyncError(f"server answered none of the {len(sent)} {kind} records")
        counts = self.queue.apply_answers(kind, usable, at=self._wall())
        if counts["rejected"]:
            log.warning(
                "platform rejected %d %s record(s): kept in dead letters", counts["rejected"], kind
            )

    def now(self) -> datetime:
        """The wall clock answers are stamped with."""
        return self._wall()
