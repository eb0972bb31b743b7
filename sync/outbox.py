"""The outbox drain: batches, backoff, dead letters, online/offline, on its own thread."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from kiosk.core.model import Attendee, Flag
from kiosk.core.timeutil import utc_now
from sync.store import Store, StoredEvent

log = logging.getLogger(__name__)

CLOCK_WARNING_MS = 60_000  # staff see a warning when the kiosk clock is off by more than a minute

# Permanent reasons (PermanentSyncError.reason, SyncStatus.needs_attention) staff must act on.
ATTENTION: dict[str, tuple[str, str]] = {
    "update_needed": (
        "需要更新软件",
        "update needed: the platform speaks another protocol version",
    ),
    "device_revoked": (
        "本机已被平台吊销，请联系管理员",
        "device revoked by the platform: see the administrator",
    ),
    "device_retired": (
        "本机已停用，停用前的记录仍会上传",
        "device retired: records from before retirement still upload",
    ),
    "not_enrolled": (
        "本机未注册到平台，请运行 cme-kiosk enroll",
        "not enrolled with the platform: run cme-kiosk enroll",
    ),
    "no_server": ("未配置平台地址", "no platform server configured ([sync] server_url)"),
    "unauthorized": (
        "平台不认识本机令牌，请重新注册",
        "the platform does not know this kiosk's token: enroll again",
    ),
    "tls_untrusted": (
        "平台证书不受信任，请检查证书设置",
        "the platform's certificate is not trusted: check [sync] ca_bundle",
    ),
    "not_enrolled_for_project": ("本机未注册此项目", "this kiosk is not enrolled for this project"),
    "unknown_project": ("平台上没有此项目", "the platform has no such project"),
    "bad_setting": ("平台设置无效，请检查配置", "bad platform setting: check the [sync] section"),
    "prev_hash_unknown": (
        "本机记录链不完整，请联系技术支持",
        "the local record chain is broken: call support",
    ),
}


def attention_text(reason: str) -> str:
    """A permanent reason as 'zh / en' for staff; an unknown reason is shown as it is."""
    if reason in ATTENTION:
        zh, en = ATTENTION[reason]
        return f"{zh} / {en}"
    return reason


class TransientSyncError(Exception):
    """Try again later: network down, timeout, 5xx, 429. `retry_after` is the server's hint."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSyncError(Exception):
    """Retrying cannot help (revoked device, protocol mismatch): staff must act."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


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


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the desk and `cme-kiosk status` show about sync."""

    online: bool = False
    pending: int = 0
    last_success: datetime | None = None
    last_error: str = ""
    clock_offset_ms: int | None = None
    needs_attention: str = ""  # a permanent problem staff must act on (e.g. "update needed")

    @property
    def clock_warning(self) -> bool:
        """Whether the kiosk clock is off by more than a minute."""
        return self.clock_offset_ms is not None and abs(self.clock_offset_ms) > CLOCK_WARNING_MS

    def line(self) -> str:
        """One line for the status bar."""
        state = "在线 online" if self.online else "离线 offline"
        text = f"同步 {state} · 待上传 {self.pending}"
        if self.needs_attention:
            text += f" · {attention_text(self.needs_attention)}"
        if self.clock_warning:
            text += (
                f" · 时钟偏差 {(self.clock_offset_ms or 0) / 1000:+.0f}s，请校准时间"
                " / clock off by more than a minute: set the time"
            )
        return text


@dataclass(slots=True)
class Backoff:
    """Exponential backoff with jitter; honours the server's Retry-After when it is longer."""

    base_s: float = 1.0
    cap_s: float = 300.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def next_delay(self, retry_after: float | None = None) -> float:
        """The wait before the next attempt after a failure."""
        ceiling = min(self.cap_s, self.base_s * 2.0**self.attempt)
        self.attempt += 1
        delay = ceiling / 2 + float(self.rng.uniform(0, ceiling / 2))  # "equal jitter": never 0
        return max(delay, retry_after or 0.0)

    def reset(self) -> None:
        """After a success the next failure starts small again."""
        self.attempt = 0


@dataclass(slots=True)
class Hysteresis:
    """Offline after repeated failures or slow answers; online again only when stable."""

    fail_threshold: int = 2
    recover_threshold: int = 2
    slow_s: float = 5.0
    online: bool = False
    _bad: int = 0
    _good: int = 0

    def observe(self, *, ok: bool, latency_s: float = 0.0) -> bool:
        """Feed one attempt's result; return the (possibly changed) online state."""
        good = ok and latency_s < self.slow_s
        if good:
            self._good += 1
            self._bad = 0
            if not self.online and self._good >= self.recover_threshold:
                self.online = True
        else:
            self._bad += 1
            self._good = 0
            if self.online and self._bad >= self.fail_threshold:
                self.online = False
        return self.online


class Outbox:
    """Drains the store to an endpoint; one `drain()` call does as much as the network allows."""

    def __init__(
        self,
        store: Store,
        endpoint: SyncEndpoint,
        *,
        batch_size: int = 500,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utc_now,
    ):
        self.store = store
        self.endpoint = endpoint
        self.batch_size = batch_size
        self._monotonic = monotonic
        self._wall = wall_clock
        self.status = SyncStatus(pending=store.pending_count())

    def drain(self) -> float:
        """Upload every pending record and refusal; return the last request's latency (s).

        Raises TransientSyncError/PermanentSyncError from the endpoint; records already answered
        stay answered, the rest stay pending: a record is marked synced only after its answer.
        """
        latency = 0.0
        while batch := self.store.pending_events(self.batch_size):
            start = self._monotonic()
            self._send_events(batch)
            latency = self._monotonic() - start
        while rows := self.store.pending_denied(self.batch_size):
            start = self._monotonic()
            self._send_denied(rows)
            latency = self._monotonic() - start
        offset = self.endpoint.report_latest_seq(self.store.last_seq())
        if offset is not None:
            self.store.set_meta("server_offset_ms", str(offset))
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
            person = self.store.get_attendee(e.project, e.attendee_id)
            if person is not None and person.provisional:
                refs[(e.project, e.attendee_id)] = WalkInRef(e.project, e.device_id, person)
        if not refs:
            return
        for answer in upload(list(refs.values())):
            # The records still go: they are facts; the walk-in stays in the local roster and
            # the refusal is listed with the dead letters for staff (once).
            refused = answer.status == "rejected"
            if refused and self.store.add_dead_letter("walk_in", answer.uuid, reason=answer.reason):
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
        counts = self.store.apply_answers(kind, usable, at=self._wall())
        if counts["rejected"]:
            log.warning(
                "platform rejected %d %s record(s): kept in dead letters", counts["rejected"], kind
            )


class SyncWorker(threading.Thread):
    """Runs the outbox on its own thread; publishes SyncStatus; never blocks the UI."""

    def __init__(
        self,
        outbox: Outbox,
        *,
        on_status: Callable[[SyncStatus], None] = lambda s: None,
        interval_s: float = 5.0,
        backoff: Backoff | None = None,
        hysteresis: Hysteresis | None = None,
    ):
        super().__init__(name="sync", daemon=True)
        self.outbox = outbox
        self._on_status = on_status
        self.interval_s = interval_s
        self.backoff = backoff or Backoff()
        self.hysteresis = hysteresis or Hysteresis()
        self._stopping = threading.Event()
        self._kick = threading.Event()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to end and wait for the request in flight."""
        self._stopping.set()
        self._kick.set()
        self.join(timeout)

    def kick(self) -> None:
        """A new record is waiting: drain now instead of at the next interval."""
        self._kick.set()

    def step(self) -> float:
        """One drain attempt; return how long to wait before the next one."""
        outbox = self.outbox
        try:
            latency = outbox.drain()
        except TransientSyncError as exc:
            online = self.hysteresis.observe(ok=False)
            delay = self.backoff.next_delay(exc.retry_after)
            outbox.status = replace(outbox.status, online=online, last_error=str(exc))
            log.info("sync deferred %.1f s: %s", delay, exc)
        except PermanentSyncError as exc:
            self.hysteresis.observe(ok=False)
            delay = self.backoff.cap_s
            outbox.status = replace(
                outbox.status, online=False, last_error=str(exc), needs_attention=exc.reason
            )
            log.error("sync stopped until staff act: %s", exc)
        else:
            online = self.hysteresis.observe(ok=True, latency_s=latency)
            self.backoff.reset()
            delay = self.interval_s
            outbox.status = replace(
                outbox.status, online=online, last_success=outbox._wall(), last_error="",
                needs_attention="",
            )  # fmt: skip
        outbox.status = replace(outbox.status, pending=outbox.store.pending_count())
        self._on_status(outbox.status)
        return delay

    def run(self) -> None:
        """Loop until stopped; a kick shortens the wait."""
        while not self._stopping.is_set():
            delay = self.step()
            self._kick.wait(delay)
            self._kick.clear()
