"""Poison records: one record the platform fails on every time must not block the queue.

An outage is waited out: no answer at all (network, timeout, an unreadable answer), 503, 408,
425, 429, or any answer with Retry-After. Only when the *same* batch (sent again unchanged) gets
the *same* other error (a 5xx, or a 400/413/422 refusal of the body) `REPEATS` times in a row,
each time while the platform's status call succeeds, is the batch suspected: the outbox then
halves it until the failing record is alone, gives that record up (a dead letter with a signed
refusal stub the platform counts) and uploads the rest. docs/protocol.md, "Poison records".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sync.client.errors import PermanentSyncError, TransientSyncError

REPEATS = 3  # the same failure for the same batch this many times before bisecting

# Permanent refusals about the device or the connection, never about a record in the body.
_NOT_THE_BODY = frozenset({
    "unauthorized", "device_revoked", "device_retired", "update_needed", "tls_untrusted",
    "not_enrolled", "not_enrolled_for_project", "prev_hash_unknown", "not_a_relay",
    "unsupported_protocol_version",
})  # fmt: skip
_OUTAGE = frozenset({408, 425, 429, 503})

T = TypeVar("T")
SyncError = TransientSyncError | PermanentSyncError


def failure_key(exc: SyncError) -> str | None:
    """'status:code' when the failure could be the body's fault; None for an outage."""
    status = exc.status
    if status is None or status in _OUTAGE:
        return None
    if isinstance(exc, TransientSyncError):
        if exc.retry_after is not None or status < 500:
            return None
        return f"{status}:{exc.code}"
    if exc.reason in _NOT_THE_BODY or status not in (400, 413, 422):
        return None
    return f"{status}:{exc.reason}"


@dataclass(slots=True)
class Suspect:
    """A batch that failed with one error while the platform was otherwise well."""

    kind: str
    uuids: tuple[str, ...]
    key: str
    times: int = 1


class PoisonWatch:
    """Counts repeated failures of one batch; says when to bisect it."""

    def __init__(self, repeats: int = REPEATS):
        self.repeats = repeats
        self.suspect: Suspect | None = None

    def held(self, kind: str) -> tuple[str, ...] | None:
        """The batch to send again unchanged (same body), if one of this kind is suspected."""
        return self.suspect.uuids if self.suspect and self.suspect.kind == kind else None

    def clear(self) -> None:
        """The suspected batch went through (or changed): start counting afresh."""
        self.suspect = None

    def failed(
        self, kind: str, uuids: Sequence[str], exc: SyncError, *, healthy: Callable[[], bool]
    ) -> bool:
        """Count a failure; True when the batch should be bisected now."""
        key = failure_key(exc)
        if key is None or not healthy():  # an outage, or the platform is down as a whole
            self.suspect = None  # only consecutive failures of one kind count
            return False
        s = self.suspect
        if s is not None and s.kind == kind and s.uuids == tuple(uuids) and s.key == key:
            s.times += 1
        else:
            self.suspect = s = Suspect(kind, tuple(uuids), key)
        if s.times < self.repeats:
            return False
        self.suspect = None
        return True


def bisect(
    batch: Sequence[T],
    key: str,
    *,
    send: Callable[[list[T]], None],
    give_up: Callable[[T, str], None],
    healthy: Callable[[], bool],
) -> int:
    """Send the batch in halves down to the records that fail with `key`; give each up alone.

    Any other failure (an outage meanwhile) is raised: what was answered stays answered.
    Returns how many records were given up.
    """
    given_up = 0
    parts: list[list[T]] = [list(batch)]
    while parts:
        part = parts.pop(0)  # in order: the log's sequence is kept
        try:
            send(part)
        except (TransientSyncError, PermanentSyncError) as exc:
            if failure_key(exc) != key:
                raise
            if len(part) > 1:
                mid = len(part) // 2
                parts[0:0] = [part[:mid], part[mid:]]
                continue
            if not healthy():
                raise
            give_up(part[0], key)
            given_up += 1
    return given_up
