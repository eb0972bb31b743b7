"""The desks' staff records in the organizer's review: voided records, disputes, manual records.

Voided records are listed as void (they are not credited: the credits engine never sees them),
disputes as anomalies with the attendee's words and whether the receipt they showed is genuine,
manual records with the staff member and the reason. ID numbers are masked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from kiosk.core.codes.receipt import parse_receipt, receipt_signature_valid
from kiosk.core.codes.wire import WireError
from kiosk.core.ids import mask_number
from kiosk.core.timeutil import format_local
from kiosk.reports.pulled import PulledEvent

KIND_ZH = {"void": "撤销", "dispute": "申诉", "manual": "人工登记", "dismiss": "忽略失败记录"}


@dataclass(frozen=True, slots=True)
class About:
    """What a void or dispute is about: a code and its values (the screen words it through Qt)."""

    code: str  # one of ABOUT_TEXTS
    direction: str = ""  # voided: in | out
    at: datetime | None = None  # voided: the voided record's time
    ref: str = ""  # voided_unknown: the record's uuid; receipt_unknown_desk: the desk's id
    hours: Decimal = Decimal(0)  # receipt_genuine: the hours the receipt counted at check-out


ABOUT_TEXTS = {  # plain words for `organizer report` and logs; the workspace has its own catalogue
    "voided": "{direction} {at}",
    "voided_unknown": "record {ref}",
    "no_receipt": "no receipt shown",
    "receipt_unreadable": "receipt unreadable",
    "receipt_unknown_desk": "receipt of unknown desk {ref}",
    "receipt_forged": "receipt NOT genuine (forged or altered)",
    "receipt_genuine": "genuine receipt: {hours:.2f} h counted at check-out",
}


def about_text(about: About | None) -> str:
    """A void's or dispute's subject in plain words ("" for none)."""
    if about is None:
        return ""
    at = format_local(about.at) if about.at else ""
    return ABOUT_TEXTS[about.code].format(
        direction=about.direction, at=at, ref=about.ref, hours=about.hours
    )


@dataclass(frozen=True, slots=True)
class StaffNote:
    """One staff record for the organizer."""

    kind: str  # void | dispute | manual | dismiss
    at: datetime
    desk: str
    staff: str  # "S2 李娜", or the bare id when the name is not known
    who: str  # the attendee: name and masked ID number, or the reference
    note: str
    about: About | None = None  # void: the voided record; dispute: the receipt's verdict
    anomaly: bool = False  # disputes, and manual records flagged method_not_accepted
    uuid: str = ""  # the staff record itself (what an organizer's correction settles)
    id_number: str = ""  # the attendee's full ID number ("" when the reference is unknown)
    target_direction: str = ""  # void, dispute: the record it is about (in | out), when held
    target_at: datetime | None = None


def staff_notes(
    events: Iterable[PulledEvent],
    *,
    person: Callable[[str], tuple[str, str]],
    staff_names: Mapping[str, str],
    desk_keys: Callable[[], Mapping[str, bytes]],
) -> list[StaffNote]:
    """The staff records among the pulled records (or any of them), oldest first.

    `person(ref)` gives (name, ID number); `desk_keys()` the desks' public keys (asked only when a
    dispute carries a receipt).
    """
    events = list(events)
    by_uuid = {e.uuid: e for e in events}
    keys: Mapping[str, bytes] | None = None
    out = []
    for e in events:
        manual = e.kind == "checkin" and e.method == "manual" and e.staff_id
        if e.kind == "checkin" and not manual:
            continue
        name, number = person(e.attendee_id)
        who = f"{name or '?'} ({mask_number(number) if number else e.attendee_id})"
        staff = f"{e.staff_id} {staff_names.get(e.staff_id or '', '')}".strip() or "?"
        about = None
        target = by_uuid.get(e.refers_to or "")
        if e.kind == "void":
            about = (About("voided", direction=target.direction,
                           at=datetime.fromisoformat(target.scanned_at))
                     if target else About("voided_unknown", ref=e.refers_to or ""))  # fmt: skip
        elif e.kind == "dispute":
            if keys is None and e.receipt:
                keys = desk_keys()
            about = _receipt_verdict(e.receipt, keys or {})
        out.append(
            StaffNote(
                kind="manual" if manual else e.kind, at=datetime.fromisoformat(e.scanned_at),
                desk=e.desk_name, staff=staff, who=who, note=e.note or "", about=about,
                anomaly=e.kind == "dispute" or (bool(manual) and "method_not_accepted" in e.flags),
                uuid=e.uuid, id_number=number, target_direction=target.direction if target else "",
                target_at=datetime.fromisoformat(target.scanned_at) if target else None,
            )
        )  # fmt: skip
    return sorted(out, key=lambda n: n.at)


def _receipt_verdict(text: str | None, keys: Mapping[str, bytes]) -> About:
    if not text:
        return About("no_receipt")
    try:
        parsed = parse_receipt(text)
    except WireError:
        return About("receipt_unreadable")
    r = parsed.receipt
    key = keys.get(r.device_id)
    if key is None:
        return About("receipt_unknown_desk", ref=r.device_id)
    if not receipt_signature_valid(parsed, key):
        return About("receipt_forged")
    return About("receipt_genuine", hours=r.total_hours)


def lines(notes: Iterable[StaffNote]) -> list[str]:
    """The review's section, one line per staff record."""
    out = []
    for n in notes:
        mark = "!" if n.anomaly else " "
        about = f" [{about_text(n.about)}]" if n.about else ""
        out.append(
            f"{mark} {format_local(n.at, '%m-%d %H:%M')} {KIND_ZH[n.kind]} {n.kind:<7} {n.who}"
            f" — desk {n.desk}, {n.staff}: {n.note}{about}"
        )
    return out
