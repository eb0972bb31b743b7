"""The organizer's corrections, applied to records before credits, each with an audit entry."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from kiosk.core.credits.records import AttendanceRecord, Person
from kiosk.core.ids import mask_number
from kiosk.core.model import Direction, Method
from kiosk.core.timeutil import require_aware

ORGANIZER_DESK = "organizer"


class CorrectionKind(StrEnum):
    """What the organizer can do to resolve an anomaly."""

    ADD_CHECKOUT = "add_checkout"
    ADD_CHECKIN = "add_checkin"
    VOID_RECORD = "void_record"
    MERGE_PROVISIONAL = "merge_provisional"


class CorrectionError(ValueError):
    """A correction that cannot apply (unknown record, missing reason, …)."""


@dataclass(frozen=True, slots=True)
class Correction:
    """One resolution: who, when, why, and what."""

    kind: CorrectionKind
    by: str
    at: datetime
    reason: str
    id_number: str = ""  # add_*: whose record; merge: the provisional person
    moment: datetime | None = None  # add_*: the time of the added record
    record_id: str = ""  # void: the record; add_*: the new record's id (else made up)
    into: str = ""  # merge: the roster entry's ID number
    resolves: str = ""  # the desk's void or dispute record (uuid) this correction settles

    def to_json(self) -> dict[str, object]:
        """The correction as uploaded with the audit log."""
        # `resolves` only when set: the other corrections keep their ids (correction_id).
        settles: dict[str, object] = {"resolves": self.resolves} if self.resolves else {}
        return {
            "kind": self.kind.value,
            "by": self.by,
            "at": self.at.isoformat(),
            "reason": self.reason,
            "id_number": self.id_number,
            "moment": self.moment.isoformat() if self.moment else None,
            "record_id": self.record_id,
            "into": self.into,
            **settles,
        }


def correction_id(correction: Correction) -> str:
    """A stable UUID for a correction (from its contents), so a re-upload is recognised."""
    text = json.dumps(correction.to_json(), sort_keys=True, ensure_ascii=False)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "cme-kiosk:correction:" + text))


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A correction and the state it changed, before and after."""

    correction: Correction
    before: dict[str, object]
    after: dict[str, object]

    def to_json(self) -> dict[str, object]:
        """JSON-able entry for the audit log the platform keeps."""
        return {"correction": self.correction.to_json(), "before": self.before, "after": self.after}

    def describe(self) -> str:
        """One line for screens and logs (ID numbers masked)."""
        c = self.correction
        who = mask_number(c.id_number) if c.id_number else mask_number(c.record_id)
        return f"{c.at.isoformat()} {c.by}: {c.kind.value} {who} — {c.reason}"


def record_json(r: AttendanceRecord) -> dict[str, object]:
    """A record as the audit log shows it."""
    return {
        "record_id": r.record_id,
        "id_number": r.id_number,
        "direction": r.direction.value,
        "at": r.at.isoformat(),
        "method": r.method.value,
        "desk": r.desk,
    }


def _check(c: Correction) -> None:
    require_aware(c.at)
    if not c.by.strip():
        raise CorrectionError(f"{c.kind.value}: who made the correction is required")
    if not c.reason.strip():
        raise CorrectionError(f"{c.kind.value}: a reason is required")


def _add(
    c: Correction, index: int, records: list[AttendanceRecord], people: dict[str, Person]
) -> AuditEntry:
    if c.moment is None:
        raise CorrectionError(f"{c.kind.value}: the time of the record is required")
    require_aware(c.moment)
    if c.id_number not in people:
        raise CorrectionError(f"{c.kind.value}: {mask_number(c.id_number)} is not an attendee")
    direction = Direction.OUT if c.kind is CorrectionKind.ADD_CHECKOUT else Direction.IN
    new = AttendanceRecord(
        id_number=c.id_number,
        direction=direction,
        at=c.moment,
        method=Method.MANUAL,
        desk=ORGANIZER_DESK,
        record_id=c.record_id or f"correction-{index}",
        corrected=True,
    )
    if any(r.record_id == new.record_id for r in records):
        raise CorrectionError(f"{c.kind.value}: record id {new.record_id} already exists")
    records.append(new)
    people[c.id_number] = replace(people[c.id_number], corrected=True)
    return AuditEntry(c, {}, record_json(new))


def _void(c: Correction, records: list[AttendanceRecord], people: dict[str, Person]) -> AuditEntry:
    for i, r in enumerate(records):
        if c.record_id and r.record_id == c.record_id:
            del records[i]
            if r.id_number in people:
                people[r.id_number] = replace(people[r.id_number], corrected=True)
            return AuditEntry(c, record_json(r), {})
    raise CorrectionError(f"void_record: no record {c.record_id!r}")


def _merge(c: Correction, records: list[AttendanceRecord], people: dict[str, Person]) -> AuditEntry:
    source, target = people.get(c.id_number), people.get(c.into)
    if source is None or target is None:
        raise CorrectionError("merge_provisional: both the walk-in and the roster entry must exist")
    if not source.provisional:
        raise CorrectionError("merge_provisional: only a provisional attendee can be merged")
    if source.id_number == target.id_number:
        raise CorrectionError("merge_provisional: an attendee cannot be merged into itself")
    moved = [i for i, r in enumerate(records) if r.id_number == source.id_number]
    for i in moved:
        records[i] = replace(records[i], id_number=target.id_number)
    del people[source.id_number]
    people[target.id_number] = replace(target, corrected=True)
    return AuditEntry(
        c,
        {"id_number": source.id_number, "name": source.name, "records": len(moved)},
        {"id_number": target.id_number, "name": target.name, "records": len(moved)},
    )


def apply_corrections(
    records: Sequence[AttendanceRecord],
    people: Mapping[str, Person],
    corrections: Iterable[Correction],
) -> tuple[list[AttendanceRecord], dict[str, Person], list[AuditEntry]]:
    """Records and people after the corrections, in order; nothing is changed in place."""
    out = list(records)
    persons = dict(people)
    audit: list[AuditEntry] = []
    for index, c in enumerate(corrections, start=1):
        _check(c)
        if c.kind in (CorrectionKind.ADD_CHECKOUT, CorrectionKind.ADD_CHECKIN):
            audit.append(_add(c, index, out, persons))
        elif c.kind is CorrectionKind.VOID_RECORD:
            audit.append(_void(c, out, persons))
        else:
            audit.append(_merge(c, out, persons))
    return out, persons, audit
