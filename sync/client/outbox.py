"""The outbox drain: pending records in batches to an endpoint, answers applied one by one."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from kiosk.core.model import Attendee, Flag
from kiosk.core.timeutil import utc_now
from sync.chain import RefusalStub, SignedHead
from sync.client.errors import PermanentSyncError, TransientSyncError
from sync.client.poison import REPEATS, PoisonWatch, bisect, failure_key
from sync.client.status import SyncStatus
from sync.store.records import StoredEvent

log = logging.getLogger(__name__)

HEARTBEAT_S = 60.0  # an idle desk reports this often ([sync] heartbeat_s)
Report = tuple[int, SignedHead | None]  # (latest seq, signed chain head): a status report


@dataclass(frozen=True, slots=True)
class RecordAnswer:
    """The platform's answer for one record: accepted, duplicate, or rejected with a reason.

    `local`: refused here, before sending (it cannot be put on the wire): the platform has not
    heard of it, so it gets a signed refusal stub.
    """

    uuid: str
    status: str
    reason: str = ""
    local: bool = False


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

    def report_latest_seq(self, seq: int, head: SignedHead | None = None) -> int | None:
        """Report the latest seq and the signed chain head; returns the clock offset (ms)."""


class OutboxQueue(Protocol):
    """What the drain needs from the local store (sync.store's `store.outbox` part)."""

    def pending_events(self, limit: int = 500) -> list[StoredEvent]:
        """The oldest records not yet answered by the platform."""

    def pending_events_among(self, uuids: Sequence[str]) -> list[StoredEvent]:
        """Those of these records still pending, in sequence order (a batch sent again)."""

    def pending_denied_among(self, uuids: Sequence[str]) -> list[dict[str, object]]:
        """Those of these refused attempts still pending, oldest first."""

    def chain_head(self) -> SignedHead | None:
        """The signed checkpoint of this device's chain head (sent with every report)."""

    def give_up(self, kind: str, uuid: str, *, reason: str, at: datetime | None = None) -> None:
        """Dead-letter one record the platform keeps failing on, leaving a signed stub."""

    def add_refusal_stub(self, uuid: str, *, reason: str) -> bool:
        """A signed stub for a record refused here, before sending; True if new."""

    def pending_refusals(self, limit: int = 500) -> list[RefusalStub]:
        """Stubs the platform has not answered yet."""

    def pending_refusals_among(self, uuids: Sequence[str]) -> list[RefusalStub]:
        """Those of these stubs still pending, in sequence order (a batch sent again)."""

    def apply_refusal_answers(self, answers: Iterable[tuple[str, str, str]]) -> None:
        """Mark stubs answered (accepted/duplicate: done; rejected: kept, not sent again)."""

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
        heartbeat_s: float = HEARTBEAT_S,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utc_now,
    ):
        self.queue = queue
        self.endpoint = endpoint
        self.batch_size = batch_size
        self.heartbeat_s = heartbeat_s
        self._monotonic = monotonic
        self._wall = wall_clock
        self.status = SyncStatus(pending=queue.pending_count())
        self.poison = PoisonWatch()
        # The last status the platform acknowledged (a report, or one an upload carried), and
        # when: a drain reports only when it changed or a heartbeat is due.
        self._acked: Report | None = None
        self._acked_at = 0.0
        # An endpoint that can carry the report with an upload says whether it was taken.
        self._carries = hasattr(endpoint, "report_taken")

    def drain(self, *, probe: bool = False) -> float | None:
        """Upload every pending record and refusal, then report if needed; return the last
        request's latency (s), or None when nothing needed a request (no news of the platform).

        The status (latest seq, signed head) is reported when it changed since the platform last
        acknowledged it, when `heartbeat_s` passed since, after any failure, or when `probe`.
        Raises TransientSyncError/PermanentSyncError from the endpoint; records already answered
        stay answered, the rest stay pending: a record is marked synced only after its answer.
        A batch the platform keeps failing on while otherwise well is bisected (sync.client.poison).
        """
        latency: float | None = None
        try:
            for kind, send in (("event", self._send_events), ("denied", self._send_denied),
                               ("stub", self._send_stubs)):  # fmt: skip
                if kind == "stub" and not hasattr(self.endpoint, "upload_refusals"):
                    continue  # an endpoint without stubs (a test double): they wait
                while batch := self._batch(kind):
                    start = self._monotonic()
                    self._guarded(kind, batch, [_uuid(x) for x in batch], send)
                    latency = self._monotonic() - start
            status = self._status_now()
            due = self._monotonic() - self._acked_at >= self.heartbeat_s
            if probe or due or status != self._acked:
                start = self._monotonic()
                offset = self.endpoint.report_latest_seq(*status)
                if latency is None:
                    latency = self._monotonic() - start
                self._took(status, offset)
        except BaseException:
            self._acked = None  # the next drain asks again: a failure is news to confirm
            raise
        return latency

    def _status_now(self) -> Report:
        return self.queue.last_seq(), self.queue.chain_head()

    def _took(self, status: Report, offset: int | None) -> None:
        """The platform acknowledged `status`: keep it, and the clock offset it measured."""
        self._acked, self._acked_at = status, self._monotonic()
        if offset is not None:
            self.queue.save_clock_offset(offset)
            self.status = replace(self.status, clock_offset_ms=offset)

    def _report(self) -> int | None:
        return self.endpoint.report_latest_seq(*self._status_now())

    def _healthy(self) -> bool:
        """Whether the platform answers the status call: then a failing batch is its own fault."""
        try:
            self._report()
        except (TransientSyncError, PermanentSyncError):
            return False
        return True

    def _batch(self, kind: str) -> list[Any]:
        """The next batch: the suspected one again unchanged, else the oldest pending."""
        q = self.queue
        fetchers: dict[str, tuple[Callable[[int], Sequence[Any]], Callable[..., Sequence[Any]]]]
        fetchers = {
            "event": (q.pending_events, q.pending_events_among),
            "denied": (q.pending_denied, q.pending_denied_among),
            "stub": (q.pending_refusals, q.pending_refusals_among),
        }
        oldest, among = fetchers[kind]
        held = self.poison.held(kind)
        if held is not None:
            again: list[Any] = list(among(held))
            if tuple(_uuid(x) for x in again) == held:
                return again
            self.poison.clear()
        return list(oldest(self.batch_size))

    def _guarded(
        self, kind: str, batch: list[Any], uuids: list[str], send: Callable[[list[Any]], None]
    ) -> None:
        """Send a batch; on the same body-specific failure `REPEATS` times, bisect it."""
        try:
            send(batch)
        except (TransientSyncError, PermanentSyncError) as exc:
            if not self.poison.failed(kind, uuids, exc, healthy=self._healthy):
                raise
            key = failure_key(exc) or ""
            log.warning("the platform failed %d times on the same %s batch of %d (%s):"
                        " bisecting it", REPEATS, kind, len(batch), key)  # fmt: skip
            bisect(batch, key, send=send, healthy=self._healthy,
                   give_up=lambda item, why: self._give_up(kind, _uuid(item), why))  # fmt: skip
        else:
            self.poison.clear()

    def _give_up(self, kind: str, uuid: str, key: str) -> None:
        self.queue.give_up(kind, uuid, reason=f"poison: platform fails on it ({key})",
                           at=self._wall())  # fmt: skip
        log.error("%s record %s given up: the platform fails on it every time (%s)", kind, uuid,
                  key)  # fmt: skip

    def _send_stubs(self, stubs: list[RefusalStub]) -> None:
        """Upload signed stubs of records given up here."""
        answers = self.endpoint.upload_refusals(stubs)  # type: ignore[attr-defined]
        sent = {s.uuid for s in stubs}
        usable = [(a.uuid, a.status, a.reason) for a in answers if a.uuid in sent]
        if not usable:
            raise TransientSyncError(f"server answered none of the {len(stubs)} stubs")
        self.queue.apply_refusal_answers(usable)

    def _send_events(self, batch: list[StoredEvent]) -> None:
        self._send_walk_ins(batch)  # first: the platform must know who a walk-in's record names
        if not self._carries:
            answers = self.endpoint.upload_events(batch)
            self._apply("event", [e.event.uuid for e in batch], answers)
            return
        # The upload carries the status: its answer is the report's (docs/protocol.md).
        status = self._status_now()
        answers = self.endpoint.upload_events(batch, report=status)  # type: ignore[call-arg]
        self._apply("event", [e.event.uuid for e in batch], answers)
        if getattr(self.endpoint, "report_taken", False):
            clock = getattr(self.endpoint, "last_clock", None)
            self._took(status, clock.offset_ms if clock is not None else None)

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
        if kind == "event":
            for a in answers:  # refused here: the platform never heard of them, so it is told
                if a.local and a.status == "rejected" and a.uuid in known:
                    self.queue.add_refusal_stub(a.uuid, reason=a.reason)
        if counts["rejected"]:
            log.warning(
                "platform rejected %d %s record(s): kept in dead letters", counts["rejected"], kind
            )

    def now(self) -> datetime:
        """The wall clock answers are stamped with."""
        return self._wall()


def _uuid(item: object) -> str:
    """The uuid of a pending record, stub or refused attempt (row dict)."""
    if isinstance(item, StoredEvent):
        return item.event.uuid
    if isinstance(item, RefusalStub):
        return item.uuid
    return str(item["uuid"])  # type: ignore[index]
