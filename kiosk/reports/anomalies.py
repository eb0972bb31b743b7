"""The Anomalies screen's list, Qt-free: what to look at, how each is resolved, and what was.

Open items come from the review's flags; each names the correction that resolves it. A resolved
item comes from the correction log and stays listed, marked "corrected by the organizer
(manual)": it no longer blocks anything, but it is not hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kiosk.core.credits.compute import AttendeeCredits
from kiosk.core.credits.corrections import Correction, CorrectionKind
from kiosk.core.credits.records import CreditFlag
from kiosk.core.credits.review import BLOCKING, ReviewTable


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
# The correction each open kind is resolved by (None: a notice, resolved by voiding a record).
FIX = {
    AnomalyKind.MISSING_CHECKOUT: CorrectionKind.ADD_CHECKOUT,
    AnomalyKind.MISSING_CHECKIN: CorrectionKind.ADD_CHECKIN,
    AnomalyKind.WALK_IN: CorrectionKind.MERGE_PROVISIONAL,
    AnomalyKind.EXPIRED_DOCUMENT: CorrectionKind.VOID_RECORD,
    AnomalyKind.METHOD_NOT_ACCEPTED: CorrectionKind.VOID_RECORD,
    AnomalyKind.VOID: CorrectionKind.VOID_RECORD,
    AnomalyKind.DISPUTE: CorrectionKind.ADD_CHECKOUT,
}


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


def _suggest(row: AttendeeCredits, kind: AnomalyKind) -> datetime | None:
    """A proposed time for an added record: the open session's end, or the first one's start."""
    pieces = [line.piece for line in row.lines]
    if kind is AnomalyKind.MISSING_CHECKOUT:
        open_ = [p for p in pieces if p.scan_out is None]
        return open_[-1].session.end if open_ else None
    if kind is AnomalyKind.MISSING_CHECKIN:
        return pieces[0].session.start if pieces else None
    return None


def anomalies(table: ReviewTable) -> list[AnomalyItem]:
    """Open items (blocking first), then the resolved ones in the order they were made."""
    open_items = []
    for row in table.rows:
        kinds = {_FROM_FLAG[f]: f for f in sorted(row.flags) if f in _FROM_FLAG}
        for kind, flag in kinds.items():
            open_items.append(
                AnomalyItem(
                    kind, row.person.id_number, row.person.name, flag in BLOCKING, False,
                    FIX[kind], _suggest(row, kind),
                )
            )  # fmt: skip
    open_items.sort(key=lambda a: (not a.blocking, a.kind.value, a.id_number))
    names = {r.person.id_number: r.person.name for r in table.rows}
    resolved = [_resolved(c, names) for c in table.corrections]
    return open_items + resolved


def _resolved(c: Correction, names: dict[str, str]) -> AnomalyItem:
    return AnomalyItem(
        _FROM_CORRECTION[c.kind], c.id_number, names.get(c.into or c.id_number, ""), False, True,
        c.kind, c.moment, c.record_id, c.by, c.reason, c.at,
    )  # fmt: skip
