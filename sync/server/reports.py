"""What the platform hands out: project bundles, incremental changes, status, submission window."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import BigInteger, Connection, Integer, Table, bindparam, func, insert, select

from kiosk import __version__
from kiosk.core.credits.submission import submission_window
from kiosk.core.model import Project
from kiosk.core.project_file import project_to_dict
from sync.protocol import (
    ChangesPage,
    ExecutionReport,
    ProjectBundle,
    ProjectStatus,
    RefusedRecord,
    RemoteEvent,
    SubmissionAnswer,
    SubmissionWindow,
    TicketKey,
    WireAttendee,
    b64,
)
from sync.server import db as t
from sync.server.completeness import completeness_of
from sync.server.ledger import record_grants
from sync.server.pins import pin_hashes
from sync.server.platform import (
    WITH_REVS,
    Caller,
    Device,
    Platform,
    PlatformError,
    lock_project,
    refuse_retired,
)
from sync.server.profiles import UnusableProfile, project_profile
from sync.server.staff import active_staff

log = logging.getLogger(__name__)


def _check_member(device: Device, number: str) -> None:
    """403 unless the device, not retired, is enrolled for the project."""
    refuse_retired(device)
    if device.project != number:
        raise PlatformError(
            403, "not_enrolled_for_project", f"this device is not enrolled for project {number}"
        )


def _bundle_format() -> str:
    """What else the bundle's body depends on: this version's code (its shape and its writer)."""
    schema = json.dumps(ProjectBundle.model_json_schema(), sort_keys=True)
    return hashlib.sha256(f"{__version__}\n{schema}".encode()).hexdigest()[:16]


# Fixed per installed version, so every worker process computes the same ETag.
_BUNDLE_FORMAT = _bundle_format()
_BUNDLE_VERSION = select(t.projects.c.definition_rev, t.projects.c.updated_at).where(
    t.projects.c.number == bindparam("number")
)


def _etag(number: str, device: Device, rev: int, updated_at: datetime) -> str:
    # Each role's view differs (PIN hashes); `updated_at` tells a definition_rev reached again
    # after a restore from a backup from the one a desk holds.
    view = "organizer" if device.role == "organizer" else "desk"
    key = f"{_BUNDLE_FORMAT}\n{number}\n{view}\n{rev}\n{updated_at.isoformat()}"
    return f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'


def bundle_etag(platform: Platform, caller: Caller, number: str) -> str | None:
    """The bundle's current ETag from the project's version row, in one statement (None when
    there is no such project).

    Every writer of what the bundle holds (the definition, ticket keys, PIN hashes, staff)
    raises `definition_rev` and sets `updated_at` in its own transaction (`touch_bundle`), so
    the ETag changes with the body in every process, with no cache to go stale.
    """
    with platform.lookup_as(caller) as (conn, device):
        _check_member(device, number)
        row = conn.execute(_BUNDLE_VERSION, {"number": number}).first()
    return None if row is None else _etag(number, device, int(row[0]), row[1])


def bundle(platform: Platform, caller: Caller, number: str) -> tuple[ProjectBundle, str]:
    """The project definition and verification keys, with an ETag for conditional GETs."""
    with platform.read_as(caller) as (conn, device):
        _check_member(device, number)
        # The version first: on PostgreSQL each statement below may see later commits, so the
        # body is never older than its ETag (a newer one only costs the desk one more fetch).
        version = conn.execute(_BUNDLE_VERSION, {"number": number}).first()
        project = platform.project(number, conn)
        keys = platform.ticket_public_keys(number, conn)
        hmac_key = conn.execute(
            select(t.projects.c.denied_hmac_key).where(t.projects.c.number == number)
        ).scalar_one()
        # Each role gets only its own PIN's hash: an organizer PIN's hash on a desk (which may
        # be lost) could be brute-forced offline; for the same reason the organizer's device
        # gets the staff's names without their PINs' hashes.
        wanted = "organizer" if device.role == "organizer" else "staff"
        pins = {role: h for role, h in pin_hashes(conn, number).items() if role == wanted}
        members = active_staff(conn, number, with_pins=device.role != "organizer")
    body = ProjectBundle(
        project=project_to_dict(project),
        ticket_keys=[TicketKey(key_id=k, public_key=b64(pub)) for k, pub in keys],
        denied_hmac_key=b64(bytes(hmac_key)),
        pin_hashes=pins,
        staff=members,
    )
    if version is None:  # platform.project above answered 404 first
        raise PlatformError(404, "unknown_project", f"no project {number} on this platform")
    return body, _etag(number, device, int(version[0]), version[1])


def _changed_after(*, own: bool) -> tuple[Any, Any]:
    """(roster entries, records) after a change number, oldest first; `own`: the caller's own
    records too (an organizer's device), else not (a desk knows its own)."""
    a, e = t.attendees.c, t.events.c
    after, limit = bindparam("after", type_=BigInteger), bindparam("limit", type_=Integer)
    people = select(t.attendees).where(a.project == bindparam("number"), a.rev > after)
    records = (
        select(t.events, t.devices.c.desk_name)
        .join(t.devices, t.devices.c.id == e.device_id)
        .where(e.project == bindparam("number"), e.rev > after)
    )
    if not own:
        records = records.where(e.device_id != bindparam("device_id"))
    return people.order_by(a.rev).limit(limit), records.order_by(e.rev).limit(limit)


# Built once: every pull that finds a change runs one pair.
_CHANGED = {own: _changed_after(own=own) for own in (True, False)}


def changes(
    platform: Platform, caller: Caller, number: str, *, cursor: str, limit: int
) -> tuple[ChangesPage, str | None]:
    """Roster entries and other desks' records after `cursor`, oldest first; the bundle's ETag."""
    cursor = cursor or "0"
    # No transaction: PostgreSQL's READ COMMITTED gives each statement its own snapshot either
    # way, and an idle pull is then the device's lookup alone (two round trips fewer).
    with platform.found_as(caller, WITH_REVS, platform.db.lookup) as (conn, device, row):
        _check_member(device, number)
        if not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 18):  # fits BIGINT
            raise PlatformError(422, "invalid_cursor", "cursor must come from a previous page")
        after = int(cursor)
        # Read with the device: every change number up to it is committed (numbers are
        # reserved under the project's lock, held to commit), so the queries below see them.
        top = None if row is None else row.rev
        etag = None if row is None else _etag(number, device, int(row.definition_rev),
                                              row.updated_at)  # fmt: skip
        if top is None or int(top) <= after:  # nothing changed: one statement, an empty page
            return ChangesPage(project=number, cursor=str(after), more=False, attendees=[],
                               events=[]), etag  # fmt: skip
        people_after, records_after = _CHANGED[device.role != "desk"]
        values = {"number": number, "after": after, "limit": limit + 1, "device_id": device.id}
        people = conn.execute(people_after, values).all()
        records = conn.execute(records_after, values).all()
    items = sorted(
        [(int(r.rev), "a", r) for r in people] + [(int(r.rev), "e", r) for r in records],
        key=lambda x: x[0],
    )
    page = items[:limit]
    out_people, out_events = [], []
    for _, kind, r in page:
        m = r._mapping
        if kind == "a":
            out_people.append(
                WireAttendee(
                    id=m["ref"], id_type=m["id_type"], id_number=m["id_number"], name=m["name"],
                    unit=m["unit"], department=m["department"], title=m["title"],
                    role=m["role"], card_uids=json.loads(m["card_uids"]),
                    qr_secret=b64(bytes(m["qr_secret"])),
                )
            )  # fmt: skip
        else:
            out_events.append(
                RemoteEvent(
                    uuid=m["uuid"], project=m["project"], attendee_id=m["attendee_id"],
                    direction=m["direction"], method=m["method"], device_id=m["device_id"],
                    desk_name=m["desk_name"], scanned_at=m["scanned_at_text"],
                    utc_offset_minutes=m["utc_offset_minutes"],
                    server_offset_ms=m["server_offset_ms"], received_at=m["received_at"],
                    flags=json.loads(m["flags"]) + json.loads(m["server_flags"]),
                    conflict=bool(m["conflict"]), kind=m["kind"], staff_id=m["staff_id"],
                    note=m["note"], refers_to=m["refers_to"], receipt=m["receipt"],
                    voided_by=m["voided_by"],
                )
            )  # fmt: skip
    # An empty page moves the cursor to the top: what lies up to it is this desk's own records
    # (a desk is not sent those), so its next pull is the one statement above.
    next_cursor = str(page[-1][0]) if page else str(int(top))
    return ChangesPage(
        project=number, cursor=next_cursor, more=len(items) > limit,
        attendees=out_people, events=out_events,
    ), etag  # fmt: skip


def window(
    platform: Platform, project: Project, conn: Connection, *, now: datetime | None = None
) -> SubmissionWindow:
    """The submission window from the project's profile: from the end of its last session to the
    end of the Nth day after its last day (kiosk.core.credits.submission; no default here)."""
    try:
        profile = project_profile(project)
    except UnusableProfile as exc:
        raise PlatformError(409, "profile_unusable", str(exc)) from None
    core = submission_window(project, profile, now=now or platform.now())
    submitted = conn.execute(
        select(func.max(t.submissions.c.received_at)).where(
            t.submissions.c.project == project.number
        )
    ).scalar()
    return SubmissionWindow(
        project=project.number, opens_at=core.opens_at, deadline=core.closes_at,
        deadline_day=core.deadline_day, days=core.days, state=core.state.value,
        days_left=core.days_left, submitted_at=submitted,
    )  # fmt: skip


def status(platform: Platform, number: str) -> ProjectStatus:
    """Counts, every device's completeness, conflicts and the window (admin and organizers)."""
    with platform.db.read() as conn:
        project = platform.project(number, conn)

        def count(table: Table, *where: object) -> int:
            query = select(func.count()).select_from(table).where(table.c.project == number)
            for w in where:
                query = query.where(w)  # type: ignore[arg-type]
            return int(conn.execute(query).scalar_one())

        devs = conn.execute(
            select(t.devices).where(t.devices.c.project == number).order_by(t.devices.c.enrolled_at)
        ).all()
        desks = completeness_of(conn, [d._mapping for d in devs])
        return ProjectStatus(
            project=number,
            attendees=count(t.attendees),
            events=count(t.events),
            denied=count(t.denied),
            conflicts=count(t.events, t.events.c.conflict.is_(True)),
            desks=desks,
            complete=not any(d.blocking for d in desks),
            window=window(platform, project, conn),
            corrections=count(t.corrections),
            manual=count(t.events, t.events.c.method == "manual", t.events.c.kind == "checkin"),
            voids=count(t.events, t.events.c.kind == "void"),
            disputes=count(t.events, t.events.c.kind == "dispute"),
            refused_records=refused_records(conn, number),
        )


MAX_REFUSED_LISTED = 1000


def refused_records(conn: Connection, number: str) -> list[RefusedRecord]:
    """Records refused after their desk ended, and records desks gave up on (their stubs)."""
    r, s, d = t.rejected.c, t.refusal_stubs.c, t.devices.c
    after_end = conn.execute(
        select(r.device_id, d.desk_name, r.seq, r.uuid, r.reason)
        .join(t.devices, d.id == r.device_id)
        .where(r.project == number, r.reason == "retired_device")
        .order_by(r.device_id, r.seq).limit(MAX_REFUSED_LISTED)
    ).all()  # fmt: skip
    # A record its desk gave up on and staff later sent again (a retried dead letter) is held.
    held = select(t.events.c.uuid).where(t.events.c.uuid == s.uuid).exists()
    given_up = conn.execute(
        select(s.device_id, d.desk_name, s.seq, s.uuid, s.reason)
        .join(t.devices, d.id == s.device_id)
        .where(s.project == number, ~held)
        .order_by(s.device_id, s.seq).limit(MAX_REFUSED_LISTED)
    ).all()  # fmt: skip
    sources: tuple[tuple[Literal["platform", "desk"], Sequence[Any]], ...] = (
        ("platform", after_end), ("desk", given_up),
    )  # fmt: skip
    out = [
        RefusedRecord(device_id=x.device_id, desk_name=x.desk_name, seq=int(x.seq), uuid=x.uuid,
                      reason=x.reason, by=by)
        for by, rows in sources for x in rows
    ]  # fmt: skip
    return sorted(out, key=lambda x: (x.device_id, x.seq))[:MAX_REFUSED_LISTED]


def submit(
    platform: Platform, device: Device, number: str, report: ExecutionReport
) -> SubmissionAnswer:
    """Accept the execution report inside the window, only when no desk is incomplete."""
    if device.role != "organizer":
        raise PlatformError(403, "not_organizer", "only an organizer device may submit")
    _check_member(device, number)
    if report.project != number:
        raise PlatformError(
            422, "project_mismatch", f"the report is for {report.project}, not {number}"
        )
    now = platform.now()
    with platform.db.write() as conn:
        lock_project(conn, number)
        project = platform.project(number, conn)
        win = window(platform, project, conn, now=now)
        if win.state == "not_open":
            raise PlatformError(
                409, "submission_not_open",
                "the report is accepted from the end of the project's last session"
                f" ({win.opens_at.isoformat()})",
                opens_at=win.opens_at.isoformat(),
            )  # fmt: skip
        if win.state == "closed":
            raise PlatformError(
                409, "submission_deadline_passed",
                f"the deadline for project {number} was the end of {win.deadline_day.isoformat()}"
                " (Asia/Shanghai)",
                deadline=win.deadline.isoformat(), deadline_day=win.deadline_day.isoformat(),
            )  # fmt: skip
        devs = conn.execute(select(t.devices).where(t.devices.c.project == number)).all()
        blocking = [d for d in completeness_of(conn, [r._mapping for r in devs]) if d.blocking]
        if blocking:
            names = ", ".join(
                f"desk {d.desk_name} ({d.device_id}) "
                + (f"missing {d.missing}" if d.reported else "has never reported")
                for d in blocking
            )
            raise PlatformError(
                409, "desks_incomplete", f"not every desk has delivered its records: {names}",
                desks=[d.model_dump(mode="json") for d in blocking],
            )  # fmt: skip
        _check_attendees(conn, number, report)
        body = report.model_dump_json()
        sid = conn.execute(
            insert(t.submissions).values(
                project=number, device_id=device.id, received_at=now, lines=len(report.lines),
                body=body,
            ).returning(t.submissions.c.id)
        ).scalar_one()  # fmt: skip
        granted = record_grants(conn, project, report, submission_id=int(sid), at=now)
        platform.audit(
            conn, actor=device.id, action="submission", project=number, subject=str(sid),
            detail=f"{len(report.lines)} lines, {granted} grants in the ledger",
        )  # fmt: skip
    return SubmissionAnswer(
        submission_id=int(sid), project=number, accepted_at=now, deadline=win.deadline,
        lines=len(report.lines),
    )  # fmt: skip


def _check_attendees(conn: Connection, number: str, report: ExecutionReport) -> None:
    ids = {line.attendee_id for line in report.lines}
    if len(ids) != len(report.lines):
        raise PlatformError(422, "duplicate_attendee", "an attendee appears twice in the report")
    known = set(
        conn.execute(
            select(t.attendees.c.ref).where(
                t.attendees.c.project == number, t.attendees.c.ref.in_(ids)
            )
        ).scalars()
    ) | set(
        conn.execute(
            select(t.events.c.attendee_id)
            .where(t.events.c.project == number, t.events.c.attendee_id.in_(ids))
            .distinct()
        ).scalars()
    )
    unknown = sorted(ids - known)
    if unknown:
        raise PlatformError(
            422, "unknown_attendee",
            f"{len(unknown)} attendee(s) are neither on the roster nor in any record",
            attendees=unknown[:50],
        )  # fmt: skip
