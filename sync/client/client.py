"""The kiosk's platform client: enrollment, clock offset, pulls, uploads, status, submission.

Thread use: one SyncClient per thread (the sync worker owns its own). Every failure is typed
(sync.client.errors): TransientError (retry later, honouring `retry_after`), PermanentError and its
kinds UpdateNeeded, DeviceRevoked, SubmissionRefused. The methods upload_events, upload_denied and
report_latest_seq make the client a sync.client.outbox.SyncEndpoint.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from kiosk.core.model import Attendee
from kiosk.core.timeutil import Clock, to_utc, utc_now
from sync import chain
from sync import protocol as p
from sync.client.errors import (
    PermanentError,
    UpdateNeeded,
)
from sync.client.http import Http, parse
from sync.client.outbox import RecordAnswer, WalkInRef
from sync.store.records import StoredEvent

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


class SyncSettings(Protocol):
    """The fields of kiosk.config.SyncSection the client reads."""

    server_url: str | None
    ca_bundle: Path | None
    pinned_sha256: str | None
    connect_timeout_s: float
    read_timeout_s: float


@dataclass(frozen=True, slots=True)
class ClockReading:
    """The platform's clock against ours: offset = server minus kiosk, in milliseconds."""

    offset_ms: int
    rtt_ms: float
    server_time: datetime


def event_record(stored: StoredEvent, *, prev_hash: str) -> p.EventRecord:
    """A local record as it travels: the fields the device signed, its hash and signature."""
    signed = chain.event_wire(stored.event, server_offset_ms=stored.server_offset_ms)
    return p.EventRecord.model_validate(
        signed | {"prev_hash": prev_hash, "hash": stored.hash, "signature": stored.signature}
    )


def walk_in_record(attendee: Attendee, *, project: str, device_id: str) -> p.WalkIn:
    """A provisional attendee's identity as it travels to the platform."""
    return p.WalkIn(
        project=project, attendee_id=attendee.id, id_type=attendee.document.type.value,
        id_number=attendee.document.number, name=attendee.name, unit=attendee.unit,
        device_id=device_id,
    )  # fmt: skip


def denied_record(row: dict[str, object]) -> p.DeniedRecord:
    """A local refused-attempt row (sync.store) as it travels; local columns are left out."""
    fields = p.DeniedRecord.model_fields
    return p.DeniedRecord.model_validate({k: v for k, v in row.items() if k in fields})


class SyncClient:
    """One platform connection with verified TLS; see the module docstring for the errors."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        ca_bundle: Path | None = None,
        pin_sha256: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        prev_hash_of: Callable[[int], str | None] | None = None,
    ):
        self._http = Http(
            base_url, ca_bundle=ca_bundle, pin_sha256=pin_sha256,
            connect_timeout=connect_timeout, read_timeout=read_timeout, transport=transport,
            clock=clock, headers={p.VERSION_HEADER: str(p.PROTOCOL_VERSION)},
        )  # fmt: skip
        self.token = token
        self._clock = clock
        self._monotonic = monotonic
        self._prev_hash_of = prev_hash_of
        self.answer_counts: Counter[str] = Counter()  # accepted/duplicate/rejected, for status
        self.last_clock: ClockReading | None = None
        self.last_desk: p.DeskCompleteness | None = None  # the platform's view, from device_status
        self.report_taken = False  # whether the last upload's carried report was taken
        self.bundle_etag: str | None = None  # the bundle's ETag the last changes page said

    @classmethod
    def from_config(cls, sync: SyncSettings, *, token: str | None, **kw: Any) -> SyncClient:
        """A client from the `[sync]` section of the kiosk configuration."""
        if not sync.server_url:
            raise ValueError("[sync] server_url is not set")
        return cls(
            sync.server_url, token=token, ca_bundle=sync.ca_bundle,
            pin_sha256=sync.pinned_sha256, connect_timeout=sync.connect_timeout_s,
            read_timeout=sync.read_timeout_s, **kw,
        )  # fmt: skip

    @property
    def pace(self) -> p.Pace:
        """How often, at most, the platform's last answer asked this desk to upload and pull."""
        return self._http.pace

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- plumbing -------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        body: BaseModel | None = None,
        auth: bool = True,
        params: dict[str, str | int] | None = None,
        headers: dict[str, str] | None = None,
    ) -> M:
        if auth and not self.token:
            raise PermanentError(
                "this kiosk is not enrolled with the platform", reason="not_enrolled"
            )
        return self._http.call(
            method, path, model, body=body, token=self.token if auth else None, params=params,
            headers=headers,
        )  # fmt: skip

    def _reading(
        self, server_time: datetime, started_wall: datetime, started: float
    ) -> ClockReading:
        rtt = self._monotonic() - started
        local_mid = started_wall + timedelta(seconds=rtt / 2)
        offset = round((to_utc(server_time) - to_utc(local_mid)).total_seconds() * 1000)
        self.last_clock = ClockReading(offset_ms=offset, rtt_ms=rtt * 1000, server_time=server_time)
        return self.last_clock

    # ---- versions, time, enrollment -------------------------------------------------------

    def negotiate(self) -> list[int]:
        """The platform's protocol versions; UpdateNeeded if ours is not among them."""
        answer = self._call("GET", "/api/versions", p.Versions, auth=False)
        if p.PROTOCOL_VERSION not in answer.supported:
            raise UpdateNeeded(
                f"update needed: the platform speaks protocol {answer.supported}, this kiosk"
                f" {p.PROTOCOL_VERSION}",
                supported=answer.supported,
            )
        return answer.supported

    def server_time(self) -> ClockReading:
        """Measure the clock offset against the platform (midpoint of the round trip)."""
        wall, start = self._clock(), self._monotonic()
        answer = self._call("GET", f"{p.API_PREFIX}/time", p.ServerTime, auth=False)
        return self._reading(answer.server_time, wall, start)

    def enroll(
        self, code: str, *, public_key: str, desk_name: str, seq_start: int = 1
    ) -> p.Enrollment:
        """Exchange a one-time code for a device id and token (kept on this client)."""
        body = p.EnrollRequest(
            code=code.strip(), public_key=public_key, desk_name=desk_name, seq_start=seq_start
        )
        answer = self._call("POST", f"{p.API_PREFIX}/enroll", p.Enrollment, body=body, auth=False)
        self.token = answer.token
        log.info(
            "enrolled as %s (%s) for project %s", answer.device_id, answer.role, answer.project
        )
        return answer

    # ---- pulls ----------------------------------------------------------------------------

    def project(
        self, number: str, *, etag: str | None = None
    ) -> tuple[p.ProjectBundle | None, str]:
        """The project bundle and its ETag; (None, etag) when unchanged since `etag`."""
        if not self.token:
            raise PermanentError(
                "this kiosk is not enrolled with the platform", reason="not_enrolled"
            )
        response = self._http.send(
            "GET", f"{p.API_PREFIX}/projects/{number}", token=self.token,
            headers={"If-None-Match": etag} if etag else None,
        )  # fmt: skip
        new_etag = response.headers.get("etag", "")
        if response.status_code == 304:
            return None, etag or new_etag
        return parse(p.ProjectBundle, response), new_etag

    def changes(self, number: str, *, cursor: str = "0", limit: int = 500) -> p.ChangesPage:
        """One page of roster entries and other desks' records after `cursor` (`bundle_etag`)."""
        if not self.token:
            raise PermanentError(
                "this kiosk is not enrolled with the platform", reason="not_enrolled"
            )
        response = self._http.send(
            "GET", f"{p.API_PREFIX}/projects/{number}/changes", token=self.token,
            params={"cursor": cursor, "limit": limit},
        )  # fmt: skip
        page = parse(p.ChangesPage, response)
        self.bundle_etag = response.headers.get(p.BUNDLE_ETAG_HEADER)
        return page

    def desk_keys(self, number: str) -> list[p.DeskKey]:
        """The project's desks' public keys (an organizer's client), to verify receipts."""
        return self._call("GET", f"{p.API_PREFIX}/projects/{number}/desk-keys", p.DeskKeys).desks

    def walk_ins(self, number: str) -> list[p.WalkIn]:
        """The walk-ins of the project (an organizer's client), to credit them by their ID."""
        answer = self._call("GET", f"{p.API_PREFIX}/projects/{number}/walk-ins", p.WalkInList)
        return answer.walk_ins

    def pull(
        self,
        number: str,
        *,
        cursor: str = "0",
        on_page: Callable[[p.ChangesPage], None],
        limit: int = 500,
    ) -> str:
        """Page through every change after `cursor`; return the final cursor.

        `on_page` stores a page and its cursor before the next is asked for: an interrupted
        pull resumes from the last stored cursor, and applying a page twice is harmless.
        """
        while True:
            page = self.changes(number, cursor=cursor, limit=limit)
            on_page(page)
            cursor = page.cursor
            if not page.more:
                return cursor

    # ---- uploads --------------------------------------------------------------------------

    def upload(
        self, records: Sequence[p.EventRecord], *, report: p.DeviceReport | None = None
    ) -> list[RecordAnswer]:
        """Upload up to 500 signed records; one answer per record the platform judged.

        `report`: the device's status report, carried in REPORT_HEADER. `report_taken` then
        says whether the platform took it (its answer carried the completeness, kept in
        `last_desk`, and the round trip measured the clock like a status report's).
        """
        self.report_taken = False
        if not records:
            return []
        if len(records) > p.MAX_BATCH:
            raise ValueError(f"at most {p.MAX_BATCH} records per upload")
        body = p.EventBatch(records=list(records))
        headers = {p.REPORT_HEADER: report.model_dump_json()} if report is not None else None
        wall, start = self._clock(), self._monotonic()
        answer = self._call(
            "POST", f"{p.API_PREFIX}/events", p.BatchAnswer, body=body, headers=headers
        )
        if report is not None and answer.desk is not None:
            self._reading(answer.server_time, wall, start)
            self.last_desk = answer.desk
            self.report_taken = True
        return self._answers(answer)

    def upload_denied_records(self, records: Sequence[p.DeniedRecord]) -> list[RecordAnswer]:
        """Upload up to 500 refused attempts; one answer per record."""
        if not records:
            return []
        if len(records) > p.MAX_BATCH:
            raise ValueError(f"at most {p.MAX_BATCH} records per upload")
        body = p.DeniedBatch(records=list(records))
        return self._answers(self._call("POST", f"{p.API_PREFIX}/denied", p.BatchAnswer, body=body))

    def upload_walk_in_records(self, records: Sequence[p.WalkIn]) -> list[RecordAnswer]:
        """Upload up to 500 walk-in identities; one answer per record (`uuid` = attendee_id)."""
        if not records:
            return []
        if len(records) > p.MAX_BATCH:
            raise ValueError(f"at most {p.MAX_BATCH} records per upload")
        body = p.WalkInBatch(records=list(records))
        answer = self._call("POST", f"{p.API_PREFIX}/walk-ins", p.BatchAnswer, body=body)
        return [RecordAnswer(a.uuid, a.status, a.reason) for a in answer.answers]

    def upload_walk_ins(self, people: Sequence[WalkInRef]) -> list[RecordAnswer]:
        """Outbox side: provisional attendees in, answers out; one that cannot travel is refused."""
        wire: list[p.WalkIn] = []
        local: list[RecordAnswer] = []
        for ref in people:
            try:
                wire.append(walk_in_record(ref.attendee, project=ref.project,
                                           device_id=ref.device_id))  # fmt: skip
            except ValidationError as exc:
                local.append(_unsendable(ref.attendee.id, exc))
        return local + self.upload_walk_in_records(wire)

    def _answers(self, batch: p.BatchAnswer) -> list[RecordAnswer]:
        out = [RecordAnswer(a.uuid, a.status, a.reason) for a in batch.answers]
        self.answer_counts.update(a.status for a in out)
        return out

    def upload_events(
        self,
        records: Sequence[StoredEvent],
        *,
        report: tuple[int, chain.SignedHead | None] | None = None,
    ) -> list[RecordAnswer]:
        """SyncEndpoint: local records in, answers out; one that cannot travel is refused here.

        `report` (latest seq, signed head) rides along with the upload (see `upload`).
        """
        wire: list[p.EventRecord] = []
        local: list[RecordAnswer] = []
        previous: StoredEvent | None = None
        for stored in records:
            prev_hash = self._prev_hash(stored, previous)
            try:
                wire.append(event_record(stored, prev_hash=prev_hash))
            except ValidationError as exc:
                local.append(_unsendable(stored.event.uuid, exc))
            previous = stored
        carried = None if report is None else _report(*report)
        return local + self.upload(wire, report=carried)

    def _prev_hash(self, stored: StoredEvent, previous: StoredEvent | None) -> str:
        """The hash the record was chained to (the store's, else the one before it here)."""
        own = getattr(stored, "prev_hash", None)
        if isinstance(own, str) and own:
            return own
        seq = stored.event.seq
        if seq == 1:
            return chain.GENESIS
        if previous is not None and previous.event.seq == seq - 1:
            return previous.hash
        found = self._prev_hash_of(seq - 1) if self._prev_hash_of else None
        if not found:
            # A wiring fault, not a bad record: stop and say so rather than dead-letter it.
            raise PermanentError(
                f"cannot upload record {seq}: the hash of record {seq - 1} is unknown",
                reason="prev_hash_unknown",
            )
        return found

    def upload_denied(self, rows: Sequence[dict[str, object]]) -> list[RecordAnswer]:
        """SyncEndpoint: local refused-attempt rows in, answers out."""
        wire: list[p.DeniedRecord] = []
        local: list[RecordAnswer] = []
        for row in rows:
            try:
                wire.append(denied_record(row))
            except ValidationError as exc:
                local.append(_unsendable(str(row.get("uuid")), exc))
        return local + self.upload_denied_records(wire)

    # ---- status and submission -----------------------------------------------------------

    def device_status(
        self, latest_seq: int, head: chain.SignedHead | None = None
    ) -> p.DeviceStatus:
        """Report the latest seq and the signed chain head; the answer says what is missing."""
        wall, start = self._clock(), self._monotonic()
        answer = self._call(
            "POST", f"{p.API_PREFIX}/devices/me/status", p.DeviceStatus,
            body=_report(latest_seq, head),
        )  # fmt: skip
        self._reading(answer.server_time, wall, start)
        self.last_desk = answer.desk
        return answer

    def report_latest_seq(self, seq: int, head: chain.SignedHead | None = None) -> int | None:
        """SyncEndpoint: report the latest seq and head; return the measured clock offset (ms)."""
        self.device_status(seq, head)
        return self.last_clock.offset_ms if self.last_clock else None

    def head(self) -> p.HeadAnswer:
        """The newest signed chain head the platform holds for this device (`verify --server`)."""
        return self._call("GET", f"{p.API_PREFIX}/devices/me/head", p.HeadAnswer)

    def upload_refusals(self, stubs: Sequence[chain.RefusalStub]) -> list[RecordAnswer]:
        """SyncEndpoint: signed stubs of records given up here; one answer per stub."""
        if not stubs:
            return []
        body = p.RefusalBatch(
            records=[
                p.Refusal(uuid=x.uuid, seq=x.seq, device_id=x.device_id, project=x.project,
                          hash=x.hash, reason=x.reason, signature=x.signature)
                for x in stubs
            ]
        )  # fmt: skip
        return self._answers(
            self._call("POST", f"{p.API_PREFIX}/refusals", p.BatchAnswer, body=body)
        )

    def project_status(self, number: str) -> p.ProjectStatus:
        """Counts, every desk's completeness, conflicts and the submission window."""
        return self._call("GET", f"{p.API_PREFIX}/projects/{number}/status", p.ProjectStatus)

    def submission_window(self, number: str) -> p.SubmissionWindow:
        """When the report is accepted, the deadline and the days left."""
        return self._call("GET", f"{p.API_PREFIX}/projects/{number}/submission", p.SubmissionWindow)

    def ledger(self, number: str) -> p.LedgerStanding:
        """Per attendee: credits left under the yearly cap before this project, and the cut."""
        return self._call("GET", f"{p.API_PREFIX}/projects/{number}/ledger", p.LedgerStanding)

    def submit(self, report: p.ExecutionReport) -> p.SubmissionAnswer:
        """Submit the execution report; SubmissionRefused carries the deadline or the desks."""
        return self._call(
            "POST", f"{p.API_PREFIX}/projects/{report.project}/submission", p.SubmissionAnswer,
            body=report,
        )  # fmt: skip


def _report(latest_seq: int, head: chain.SignedHead | None) -> p.DeviceReport:
    """The device's status report as it travels."""
    wire_head = None
    if head is not None:
        wire_head = p.ChainHead(seq=head.seq, hash=head.hash, signature=head.signature)
    return p.DeviceReport(latest_seq=latest_seq, head=wire_head)


def _unsendable(uuid: str, exc: Exception) -> RecordAnswer:
    """A local record that cannot be put on the wire goes to the dead letters, not into a loop."""
    log.error("record %s cannot be uploaded: %s", uuid, type(exc).__name__)
    return RecordAnswer(uuid, "rejected", f"invalid_local_record: {type(exc).__name__}", local=True)
