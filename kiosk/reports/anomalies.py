"""The Anomalies screen's list, Qt-free: what to look at, how each is resolved, and what was.

Open items come from the review's flags and from the desks' voids and disputes (the pulled staff
records); each names the corrections that resolve it. A resolved item comes from the correction
log and stays listed, marked "corrected by the organizer (manual)": it no longer blocks anything,
but it is not hidden. A correction settles a void or dispute by naming it (`resolves`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kiosk.core.credits.compute import AttendeeCredits
from kiosk.core.credits.corrections import Correction, CorrectionKind
from kiosk.core.credits.records import CreditFlag
from kiosk.core.credits.review import BLOCKING, ReviewTable
from kiosk.reports.staff_review import About, StaffNote


class AnomalyKind(StrEnum):
    """What the organizer looks at (the issue's list; void and dispute come from the desks)."""

    MISSING_CHECKOUT = "missing_checkout"
    MISSING_CHECKIN = "missing_checkin"
    WALK_IN = "walk_in"
    EXPIRED_DOCUMENT = "expired_document"
    METHOD_NOT_ACCEPTED = "method_not_accepted"
    VOID = "void"
    DISPUTE = "dispute"


_FROM_FLAG = {
    CreditFlag.MISSING_CHECKOUT: AnomalyKind.MISSING_CHECKOUT,
    CreditFlag.CHECKOUT_ASSUMED: AnomalyKind.MISSING_CHECKOUT,
    CreditFlag.OUT_WITHOUT_IN: AnomalyKind.MISSING_CHECKIN,
    CreditFlag.PROVISIONAL: AnomalyKind.WALK_IN,
    CreditFlag.EXPIRED_DOCUMENT: AnomalyKind.EXPIRED_DOCUMENT,
    CreditFlag.METHOD_NOT_ACCEPTED: AnomalyKind.METHOD_NOT_ACCEPTED,
}
_FROM_CORRECTION = {
    CorrectionKind.ADD_CHECKOUT: AnomalyKind.MISSING_CHECKOUT,
    CorrectionKind.ADD_CHECKIN: AnomalyKind.MISSING_CHECKIN,
    CorrectionKind.VOID_RECORD: AnomalyKind.VOID,
    CorrectionKind.MERGE_PROVISIONAL: AnomalyKind.WALK_IN,
}
# The correction each open kind is resolved by (a void's is the direction of the record it undid).
FIX = {
    AnomalyKind.MISSING_CHECKOUT: CorrectionKind.ADD_CHECKOUT,
    AnomalyKind.MISSING_CHECKIN: CorrectionKind.ADD_CHECKIN,
    AnomalyKind.WALK_IN: CorrectionKind.MERGE_PROVISIONAL,
    AnomalyKind.EXPIRED_DOCUMENT: CorrectionKind.VOID_RECORD,
    AnomalyKind.METHOD_NOT_ACCEPTED: CorrectionKind.VOID_RECORD,
    AnomalyKind.VOID: CorrectionKind.VOID_RECORD,
    AnomalyKind.DISPUTE: CorrectionKind.ADD_CHECKOUT,
}
# A dispute is settled by whichever change the attendee's evidence supports.
DISPUTE_FIXES = (
    CorrectionKind.ADD_CHECKOUT, CorrectionKind.ADD_CHECKIN, CorrectionKind.VOID_RECORD,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AnomalyItem:
    """One line of the Anomalies screen."""

    kind: AnomalyKind
    id_number: str
    name: str
    blocking: bool  # submission waits for it
    resolved: bool  # an audited correction resolved it (shown, never hidden)
    fix: CorrectionKind
    suggested: datetime | None = None  # add_*: a proposed time (the session's end or start)
    record_id: str = ""  # void: the record concerned
    by: str = ""  # resolved: who
    reason: str = ""  # resolved: why
    at: datetime | None = None  # resolved: when
    fixes: tuple[CorrectionKind, ...] = ()  # the corrections the organizer may choose from
    staff_record: str = ""  # void, dispute: the desk's record (uuid) the correction settles
    note: str = ""  # void: the staff member's reason; dispute: the attendee's words
    about: About | None = None  # void: the record undone; dispute: the receipt, and whether genuine
    desk: str = ""  # void, dispute: the desk and staff member who recorded it


def _suggest(row: AttendeeCredits, kind: AnomalyKind) -> datetime | None:
    """A proposed time for an added record: the open session's end, or the first one's start."""
    pieces = [line.piece for line in row.lines]
    if kind is AnomalyKind.MISSING_CHECKOUT:
        open_ = [p for p in pieces if p.scan_out is None]
        return open_[-1].session.end if open_ else None
    if kind is AnomalyKind.MISSING_CHECKIN:
        return pieces[0].session.start if pieces else None
    return None


def anomalies(table: ReviewTable, staff: Sequence[StaffNote] = ()) -> list[AnomalyItem]:
    """Open items (blocking first), then the resolved ones in the order they were made.

    `staff` are the desks' staff records: each void and dispute no correction settles yet is open.
    """
    open_items = []
    for row in table.rows:
        kinds = {_FROM_FLAG[f]: f for f in sorted(row.flags) if f in _FROM_FLAG}
        for kind, flag in kinds.items():
            open_items.append(
                AnomalyItem(
                    kind, row.person.id_number, row.person.name, flag in BLOCKING, False,
                    FIX[kind], _suggest(row, kind), fixes=(FIX[kind],),
                )
            )  # fmt: skip
    settled = {c.resolves for c in table.corrections if c.resolves}
    rows = {r.person.id_number: r for r in table.rows}
    notes = {n.uuid: n for n in staff if n.kind in ("void", "dispute") and n.uuid}
    open_items += [_staff_item(n, rows) for n in notes.values() if n.uuid not in settled]
    open_items.sort(key=lambda a: (not a.blocking, a.kind.value, a.id_number))
    names = {r.person.id_number: r.person.name for r in table.rows}
    resolved = [_resolved(c, names, notes) for c in table.corrections]
    return open_items + resolved


def _staff_item(note: StaffNote, rows: dict[str, AttendeeCredits]) -> AnomalyItem:
    """A desk's void or dispute as an open item (a notice: the desk's record already stands)."""
    name = note.who.rsplit(" (", 1)[0]
    if note.kind == "void":
        # Undone at the desk and not credited; the organizer may restore it if the desk erred.
        fix = CorrectionKind.ADD_CHECKIN if note.target_direction == "in" else (
            CorrectionKind.ADD_CHECKOUT)  # fmt: skip
        return AnomalyItem(
            AnomalyKind.VOID, note.id_number, name, False, False, fix, note.target_at,
            fixes=(fix,), staff_record=note.uuid, note=note.note, about=note.about,
            desk=f"{note.desk} · {note.staff}",
        )  # fmt: skip
    row = rows.get(note.id_number)
    suggested = _suggest(row, AnomalyKind.MISSING_CHECKOUT) if row is not None else None
    return AnomalyItem(
        AnomalyKind.DISPUTE, note.id_number, name, False, False, DISPUTE_FIXES[0],
        suggested or note.target_at, fixes=DISPUTE_FIXES, staff_record=note.uuid,
        note=note.note, about=note.about, desk=f"{note.desk} · {note.staff}",
    )  # fmt: skip


def _resolved(c: Correction, names: dict[str, str], notes: dict[str, StaffNote]) -> AnomalyItem:
    note = notes.get(c.resolves) if c.resolves else None
    kind = _FROM_CORRECTION[c.kind]
    if note is not None:
        kind = AnomalyKind.VOID if note.kind == "void" else AnomalyKind.DISPUTE
    return AnomalyItem(
        kind, c.id_number, names.get(c.into or c.id_number, ""), False, True,
        c.kind, c.moment, c.record_id, c.by, c.reason, c.at, fixes=(c.kind,),
        staff_record=c.resolves, note=note.note if note else "",
        about=note.about if note else None, desk=f"{note.desk} · {note.staff}" if note else "",
    )  # fmt: skip
