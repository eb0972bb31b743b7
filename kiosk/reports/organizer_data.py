"""The organizer's data, Qt-free: pull from the platform, or open the last pulled copy offline.

`cme-kiosk organizer report|correct|submit` and the workspace window share this: the platform's
merged records from every desk become the engine's records and people (kiosk.core.credits), and
the review is built with the workspace's corrections and results applied.
"""

from __future__ import annotations

import base64
import gc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from kiosk.core.credits import AttendanceRecord, Person
from kiosk.core.credits.corrections import apply_corrections
from kiosk.core.credits.ledger import Grant
from kiosk.core.credits.records import drop_voided
from kiosk.core.credits.review import ReviewTable, build_review
from kiosk.core.model import Direction, Flag, Method, Project, Role
from kiosk.core.project_file import project_from_dict
from kiosk.core.rules import load_profile
from kiosk.core.rules.schema import Profile
from kiosk.reports.pulled import (
    NotHeld,
    PulledAttendee,
    PulledEvent,
    PulledStore,
    PulledWalkIn,
    StaffMember,
)
from kiosk.reports.staff_review import StaffNote, staff_notes
from kiosk.reports.workspace import Workspace, WorkspaceError

if TYPE_CHECKING:
    from pathlib import Path

    from sync.client import SyncClient


@dataclass(frozen=True, slots=True)
class Pulled:
    """A project's people and records as the platform last gave them, keyed by ID number."""

    project: Project
    records: tuple[AttendanceRecord, ...]
    people: dict[str, Person]
    refs: dict[str, str]  # ID number → the platform's attendee reference
    pulled_at: datetime | None  # the platform's clock at the pull
    staff: tuple[StaffNote, ...] = ()  # the desks' voids, disputes and manual records
    members: tuple[StaffMember, ...] = ()  # the project's named staff (names, roles)
    not_held: tuple[NotHeld, ...] = ()  # records the platform refused or does not hold


def _store(ws: Workspace, number: str) -> PulledStore:
    creds = ws.credentials(number)
    path = ws.directory(number) / "pulled.sqlite3"
    return PulledStore(path, source=f"{creds.server_url} {creds.device_id}")


def pull(client: SyncClient, ws: Workspace, number: str) -> Pulled:
    """Pull what changed since the last pull (the rest is the workspace's copy), then convert."""
    pull_changes(client, ws, number)
    return load(ws, number)


def pull_changes(client: SyncClient, ws: Workspace, number: str) -> None:
    """Bring the workspace's copy up to date with the platform, without converting it.

    The copy keeps the project's definition, the walk-ins, the named staff and (when a dispute
    shows a receipt) the desks' public keys too, so `load` works offline.
    """
    bundle, _ = client.project(number)
    assert bundle is not None
    walk_ins = [
        PulledWalkIn(w.attendee_id, w.id_number, w.name, w.unit) for w in client.walk_ins(number)
    ]
    with _store(ws, number) as store:
        client.pull(number, cursor=store.cursor, on_page=store.apply, limit=2000)
        keys = None
        if store.has_receipts():
            keys = {d.device_id: d.public_key for d in client.desk_keys(number)}
        store.mark_pulled(
            client.server_time().server_time,
            project=bundle.project,
            walk_ins=walk_ins,
            staff={m.staff_id: m.name for m in bundle.staff},
            roles={m.staff_id: m.role for m in bundle.staff},
            desk_keys=keys,
        )


def save_not_held(ws: Workspace, number: str, records: Sequence[NotHeld]) -> None:
    """Keep the records the platform says it does not hold (shown offline too)."""
    with _store(ws, number) as store:
        store.save_not_held(list(records))


class Revision(NamedTuple):
    """What the pulled copy is, without reading its records."""

    digest: str  # equal digests, equal data (PulledStore.revision)
    pulled_at: datetime  # the platform's clock at the last pull
    project: Project


def revision(ws: Workspace, number: str) -> Revision | None:
    """The pulled copy's digest, time and project (None: never pulled)."""
    with _store(ws, number) as store:
        definition, at = store.project(), store.pulled_at
        if definition is None or at is None:
            return None
        project = project_from_dict(definition, source=f"platform project {number}")
        return Revision(store.revision(), at, project)


def load(ws: Workspace, number: str) -> Pulled:
    """The last pulled copy, without the network; WorkspaceError when nothing was pulled yet."""
    with _store(ws, number) as store:
        definition = store.project()
        if definition is None or store.pulled_at is None:
            raise WorkspaceError(
                f"project {number} has not been pulled yet: connect to the platform once"
            )
        return _convert(store, definition)


def _convert(store: PulledStore, definition: dict[str, object]) -> Pulled:
    project = project_from_dict(definition, source=f"platform project {definition.get('number')}")
    roster, walk_ins = store.attendees(), store.walk_ins()
    pulled = convert(project, roster, store.events(), walk_ins, pulled_at=store.pulled_at)
    names = {a.ref: (a.name, a.id_number) for a in roster}
    names.update({w.attendee_id: (w.name, w.id_number) for w in walk_ins})
    notes = staff_notes(
        store.staff_events(),
        person=lambda ref: names.get(ref, ("", "")),
        staff_names=store.staff_names(),
        desk_keys=lambda: {d: base64.b64decode(k) for d, k in store.desk_keys().items()},
    )
    return replace(
        pulled,
        staff=tuple(notes),
        members=tuple(store.staff_members()),
        not_held=tuple(store.not_held()),
    )


def convert(
    project: Project,
    roster: Sequence[PulledAttendee],
    events: Iterable[PulledEvent],
    walk_ins: Sequence[PulledWalkIn],
    *,
    pulled_at: datetime | None,
) -> Pulled:
    """The engine's records and people from the platform's roster, records and walk-ins."""
    by_ref = {a.ref: a for a in roster}
    by_walk_in = {w.attendee_id: w for w in walk_ins}
    people = {
        a.id_number: Person(a.id_number, a.name, a.unit, a.department, a.title, Role(a.role))
        for a in roster
    }
    refs = {a.id_number: a.ref for a in roster}
    # 60,000 records: enum values by dictionary, not by calling the enum each time.
    flag_of = {f.value: f for f in Flag}
    direction_of = {d.value: d for d in Direction}
    method_of = {m.value: m for m in Method}
    no_flags: frozenset[Flag] = frozenset()
    records = []
    voided: set[str] = set()
    for e in events:
        if e.kind != "checkin":
            # A void, dispute or dismissal is never credited (the review's staff section).
            if e.kind == "void" and e.refers_to:
                voided.add(e.refers_to)
            continue
        attendee = by_ref.get(e.attendee_id)
        walk_in = by_walk_in.get(e.attendee_id)
        # A walk-in is credited under the ID number its desk uploaded, still flagged
        # provisional for review; a reference the platform knows nothing of stays as it is.
        if attendee is not None:
            number = attendee.id_number
        elif walk_in is not None:
            number = walk_in.id_number
            people.setdefault(number, Person(number, name=walk_in.name, unit=walk_in.unit,
                                             provisional=True))  # fmt: skip
            refs.setdefault(number, e.attendee_id)
        else:
            number = e.attendee_id
            people.setdefault(number, Person(number, provisional=True))
            refs[number] = e.attendee_id
        flags = no_flags
        if e.flags or e.conflict:
            marks = {flag_of[f] for f in e.flags if f in flag_of}
            if e.conflict:
                marks.add(Flag.CONFLICT)
            if Flag.EXPIRED_DOCUMENT in marks:
                people[number] = replace(people[number], document_expired=True)
            flags = frozenset(marks)
        records.append(
            AttendanceRecord(
                id_number=number,
                direction=direction_of[e.direction],
                at=datetime.fromisoformat(e.scanned_at),
                method=method_of[e.method],
                desk=e.desk_name,
                record_id=e.uuid,
                flags=flags,
            )
        )
    if voided:
        records = drop_voided(records, voided)
    return Pulled(project, tuple(records), people, refs, pulled_at)


def profile_for(project: Project, dirs: Sequence[Path] = ()) -> Profile:
    """The project's profile from the configured directories, then the built-in ones."""
    return load_profile(project.profile, extra_dirs=dirs)


def build(
    pulled: Pulled,
    ws: Workspace,
    profile: Profile,
    *,
    now: datetime | None,
    ledger: Sequence[Grant] | None = None,
    exempt: frozenset[str] = frozenset(),
) -> ReviewTable:
    """The review after the workspace's corrections and imported results."""
    return build_corrected(pulled, ws, profile, now=now, ledger=ledger, exempt=exempt)[0]


def build_corrected(
    pulled: Pulled,
    ws: Workspace,
    profile: Profile,
    *,
    now: datetime | None,
    ledger: Sequence[Grant] | None = None,
    exempt: frozenset[str] = frozenset(),
) -> tuple[ReviewTable, tuple[AttendanceRecord, ...]]:
    """The review after the workspace's corrections and results, and the corrected records.

    The corrections are applied here once; the records index reuses the records. `now` decides
    the window (the platform's clock where known). Runs without the cycle collector: 5,000
    people allocate hundreds of thousands of small acyclic objects.
    """
    number = pulled.project.number
    corrections = ws.corrections(number)
    enabled = gc.isenabled()
    gc.disable()
    try:
        records, people, _ = apply_corrections(pulled.records, pulled.people, corrections)
        table = build_review(
            pulled.project,
            profile,
            records,
            people=people,
            assessments=ws.assessments(number),
            ledger=ledger,
            yearly_cap_exempt=exempt,
            corrections=corrections,
            now=now,
        )
        return table, tuple(records)
    finally:
        if enabled:
            gc.enable()
