"""`cme-kiosk organizer …`: review, assessment import, corrections and submission for a project.

The organizer works on the platform's merged records from every desk, pulled through the sync
protocol with an organizer enrollment; results and corrections are kept in the data directory.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.core.credits.review import ReviewTable
    from kiosk.reports.workspace import Workspace
    from sync.client import SyncClient


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the organizer command group."""
    group = sub.add_parser("organizer", help="review, assess, correct and submit a project")
    osub = group.add_subparsers(dest="organizer_command", metavar="ACTION", required=True)

    p = osub.add_parser("enroll", help="enroll this tool with a one-time organizer code")
    p.add_argument("code")
    p.add_argument("--server", required=True, help="platform URL, https://…")
    p.add_argument("--ca-bundle", help="CA certificates (PEM) to trust for the platform")
    p.add_argument("--pin", help="SHA-256 of the platform's certificate (hex)")
    p.set_defaults(handler=enroll)

    p = osub.add_parser("report", help="the review table per attendee")
    p.add_argument("project")
    p.add_argument("--xlsx", help="write the platform export (one row per attendee and session)")
    p.add_argument("--pdf", help="write the attendance sheet for the archive")
    p.add_argument("--json", action="store_true", help="one JSON row per attendee instead")
    p.set_defaults(handler=report)

    p = osub.add_parser("assess", help="import assessment results (CSV or xlsx)")
    p.add_argument("project")
    p.add_argument("file")
    p.add_argument("--pass-mark", help="the pass mark when the file has scores")
    p.set_defaults(handler=assess)

    p = osub.add_parser("correct", help="resolve an anomaly, with who and why (audited)")
    p.add_argument("project")
    p.add_argument("action", choices=["add-checkout", "add-checkin", "void", "merge"])
    p.add_argument("--id", dest="id_number", default="", help="the attendee's ID number")
    p.add_argument("--at", help="time of the added record, with its offset (…T12:00:00+08:00)")
    p.add_argument("--record", default="", help="void: the record's id (uuid)")
    p.add_argument("--into", default="", help="merge: the roster entry's ID number")
    p.add_argument("--by", required=True, help="who makes the correction")
    p.add_argument("--reason", required=True, help="why")
    p.set_defaults(handler=correct)

    p = osub.add_parser("submit", help="submit attendance, assessment and credits to the platform")
    p.add_argument("project")
    p.set_defaults(handler=submit)


def _workspace(args: argparse.Namespace) -> Workspace:
    from kiosk.commands._common import config_from_args
    from kiosk.reports.workspace import Workspace

    return Workspace(config_from_args(args).data_dir / "organizer")


def _client(ws: Workspace, project: str) -> SyncClient:
    from pathlib import Path

    from sync.client import SyncClient

    c = ws.credentials(project)
    return SyncClient(
        c.server_url,
        token=c.token,
        ca_bundle=Path(c.ca_bundle) if c.ca_bundle else None,
        pin_sha256=c.pinned_sha256,
    )


def _guard(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn platform, file and correction errors into one line and a non-zero exit."""

    def run(args: argparse.Namespace) -> int:
        from kiosk.commands._common import fail
        from kiosk.core.credits.corrections import CorrectionError
        from kiosk.core.project_file import ProjectFileError
        from kiosk.core.rules import ProfileError
        from kiosk.reports.workspace import WorkspaceError
        from sync.client.errors import PermanentSyncError, TransientSyncError

        try:
            return fn(args)
        except (WorkspaceError, CorrectionError, ProfileError, ProjectFileError) as exc:
            fail(str(exc))
        except TransientSyncError as exc:
            fail(f"platform unreachable, try again: {exc}")
        except PermanentSyncError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"{exc.filename or 'file'}: {exc.strerror or exc}")
        return 1

    run.__doc__ = fn.__doc__
    return run


def _pull(client: SyncClient, number: str) -> dict[str, Any]:
    """The project, its people and every desk's records from the platform."""
    from dataclasses import replace
    from datetime import datetime

    from kiosk.core.credits import AttendanceRecord, Person, person_from_attendee
    from kiosk.core.credits.records import drop_voided
    from kiosk.core.model import Direction, Flag, Method
    from kiosk.core.project_file import project_from_dict
    from sync.protocol import ChangesPage

    bundle, _ = client.project(number)
    assert bundle is not None
    project = project_from_dict(bundle.project, source=f"platform project {number}")
    pages: list[ChangesPage] = []
    client.pull(number, on_page=pages.append)
    roster = {a.id: a.to_attendee() for page in pages for a in page.attendees}
    walk_ins = {w.attendee_id: w for w in client.walk_ins(number)}
    people = {a.document.number: person_from_attendee(a) for a in roster.values()}
    refs = {a.document.number: ref for ref, a in roster.items()}
    known = {f.value for f in Flag}
    records = []
    for page in pages:
        for e in page.events:
            if e.kind != "checkin":
                continue  # a void, dispute or dismissal: the staff section, never credited
            attendee = roster.get(e.attendee_id)
            walk_in = walk_ins.get(e.attendee_id)
            # A walk-in is credited under the ID number its desk uploaded, still flagged
            # provisional for review; a reference the platform knows nothing of stays as it is.
            if attendee is not None:
                number_ = attendee.document.number
            elif walk_in is not None:
                number_ = walk_in.id_number
                people.setdefault(number_, Person(number_, name=walk_in.name, unit=walk_in.unit,
                                                  provisional=True))  # fmt: skip
                refs.setdefault(number_, e.attendee_id)
            else:
                number_ = e.attendee_id
                people.setdefault(number_, Person(number_, provisional=True))
                refs[number_] = e.attendee_id
            flags = {Flag(f) for f in e.flags if f in known}
            if e.conflict:
                flags.add(Flag.CONFLICT)
            if Flag.EXPIRED_DOCUMENT in flags:
                people[number_] = replace(people[number_], document_expired=True)
            records.append(
                AttendanceRecord(
                    id_number=number_,
                    direction=Direction(e.direction),
                    at=datetime.fromisoformat(e.scanned_at),
                    method=Method(e.method),
                    desk=e.desk_name,
                    record_id=e.uuid,
                    flags=frozenset(flags),
                )
            )
    voided = {e.refers_to for p in pages for e in p.events if e.kind == "void" and e.refers_to}
    records = drop_voided(records, voided)
    notes = _staff_notes(client, number, pages, roster=roster, walk_ins=walk_ins,
                         staff=bundle.staff)  # fmt: skip
    return {"project": project, "records": records, "people": people, "refs": refs,
            "staff": notes}  # fmt: skip


def _staff_notes(client: SyncClient, number: str, pages: list[Any], *, roster: dict[str, Any],
                 walk_ins: dict[str, Any], staff: list[Any]) -> list[Any]:  # fmt: skip
    """The desks' voids, disputes and manual records for the review's staff section."""
    from kiosk.reports.staff_review import staff_notes
    from sync.protocol import b64_bytes

    def person(ref: str) -> tuple[str, str]:
        if ref in roster:
            return roster[ref].name, roster[ref].document.number
        if ref in walk_ins:
            return walk_ins[ref].name, walk_ins[ref].id_number
        return "", ""

    return staff_notes(
        (e for page in pages for e in page.events), person=person,
        staff_names={m.staff_id: m.name for m in staff},
        desk_keys=lambda: {d.device_id: b64_bytes(d.public_key, size=32)
                           for d in client.desk_keys(number)},
    )  # fmt: skip


def _review(
    args: argparse.Namespace, ws: Workspace, client: SyncClient
) -> tuple[ReviewTable, dict[str, str]]:
    """Pull, apply the saved corrections and results, and build the review table."""
    from kiosk.commands._common import config_from_args
    from kiosk.core.credits.corrections import apply_corrections
    from kiosk.core.credits.review import build_review
    from kiosk.core.rules import checked_dirs, load_profile

    dirs = checked_dirs(
        config_from_args(args).credits.rules_dirs, source="[credits] rules_dirs"
    )  # checked before the pull: a typo in the config must not wait for the network
    pulled = _pull(client, args.project)
    records, people, _ = apply_corrections(
        pulled["records"], pulled["people"], ws.corrections(args.project)
    )
    project = pulled["project"]
    now = client.server_time().server_time  # the platform's clock decides deadlines
    table = build_review(
        project,
        load_profile(project.profile, extra_dirs=dirs),
        records,
        people=people,
        assessments=ws.assessments(args.project),
        now=now,
    )
    args.staff_notes = pulled["staff"]  # printed by `report` after the table
    return table, pulled["refs"]


@_guard
def enroll(args: argparse.Namespace) -> int:
    """Exchange a one-time organizer code for a token kept in the data directory (0600)."""
    from pathlib import Path

    from kiosk.commands._common import config_from_args, fail
    from kiosk.reports.workspace import Credentials
    from sync.client import SyncClient
    from sync.store.key_files import device_key, public_key_b64

    if not args.server.startswith("https://"):
        fail("--server must be an https:// URL: the organizer tool only speaks TLS", code=2)
    ws = _workspace(args)
    key = device_key(config_from_args(args).data_dir / "organizer" / "keys")
    ca = str(Path(args.ca_bundle).resolve()) if args.ca_bundle else None
    with SyncClient(args.server, ca_bundle=Path(ca) if ca else None, pin_sha256=args.pin) as client:
        client.negotiate()
        answer = client.enroll(args.code, public_key=public_key_b64(key), desk_name="organizer")
    if answer.role != "organizer":
        fail("this code enrolls a desk, not the organizer tool: ask for an --organizer code")
    ws.save_credentials(
        Credentials(args.server, answer.device_id, answer.token, answer.project, ca, args.pin)
    )
    print(f"enrolled as organizer {answer.device_id} for project {answer.project}")
    return 0


def _print_table(table: ReviewTable) -> None:
    from kiosk.core.credits.amounts import show
    from kiosk.core.credits.records import FLAG_LABELS_ZH
    from kiosk.core.ids import mask_number

    p = table.project
    print(f"{p.number} {p.name} ({table.profile.name})")
    if table.deadline is not None:
        print(table.deadline.message())
    print(f"{'证件号':<18} {'姓名':<6} {'学时':>6} {'学分':>5}  场次  考核  标记")
    for row in table.rows:
        a = row.assessment
        verdict = "—" if a is None else a.label_zh()
        marks = "、".join(FLAG_LABELS_ZH[f] for f in sorted(row.flags)) or "—"
        sessions = ", ".join(f"{ln.piece.session.id} {show(ln.hours)}" for ln in row.lines)
        print(
            f"{mask_number(row.person.id_number):<18} {row.person.name or '?':<6}"
            f" {show(row.hours):>6} {show(row.credits):>5}  {sessions or '—'}  {verdict}  {marks}"
        )
    for person in table.absent:
        print(f"{mask_number(person.id_number):<18} {person.name:<6}  (absent)")
    print(f"total credits {show(table.total_credits)}, {len(table.rows)} attendees")
    for blocker in table.blockers():
        print(f"to resolve before submitting: {_masked(blocker)}")


def _print_staff_notes(notes: list[Any]) -> None:
    from kiosk.reports.staff_review import lines

    if notes:
        print(f"desk staff records ({len(notes)}; ! = to look at):")
        for line in lines(notes):
            print(f"  {line}")


def _masked(text: str) -> str:
    """Mask the ID number a blocker line ends with (screens never show full numbers)."""
    from kiosk.core.ids import mask_number

    head, _, tail = text.rpartition(" (")
    return f"{head} ({mask_number(tail.rstrip(')'))})" if head else text


@_guard
def report(args: argparse.Namespace) -> int:
    """Print the review table (ID numbers masked) and write the exports asked for."""
    import json
    from pathlib import Path

    from kiosk.core.credits.review import execution_report_rows
    from kiosk.core.timeutil import utc_now
    from kiosk.reports.pdf import write_attendance_pdf
    from kiosk.reports.xlsx import write_review_xlsx

    ws = _workspace(args)
    with _client(ws, args.project) as client:
        table, _ = _review(args, ws, client)
    if args.json:
        for row in execution_report_rows(table):
            print(json.dumps(row, ensure_ascii=False))
    else:
        _print_table(table)
        _print_staff_notes(getattr(args, "staff_notes", []))
    if args.xlsx:
        print(f"wrote {write_review_xlsx(table, Path(args.xlsx), generated_at=utc_now())}")
    if args.pdf:
        print(f"wrote {write_attendance_pdf(table, Path(args.pdf), generated_at=utc_now())}")
    return 0


@_guard
def assess(args: argparse.Namespace) -> int:
    """Import results; every bad row is reported with its line and nothing is kept."""
    from decimal import Decimal, InvalidOperation
    from pathlib import Path

    from kiosk.commands._common import fail
    from kiosk.reports.assessment_file import read_assessment_file

    try:
        mark = Decimal(args.pass_mark) if args.pass_mark is not None else None
    except InvalidOperation:
        fail(f"--pass-mark {args.pass_mark!r} is not a number", code=2)
    imported = read_assessment_file(Path(args.file), pass_mark=mark)
    for e in imported.errors:
        print(f"cme-kiosk: {args.file}: {e}", file=sys.stderr)
    if imported.errors:
        fail(f"{args.file}: {len(imported.errors)} bad row(s); nothing imported")
    ws = _workspace(args)
    ws.credentials(args.project)  # only for a project this tool is enrolled for
    ws.save_assessments(args.project, imported.results, str(Path(args.file).resolve()))
    passed = sum(a.passed for a in imported.results.values())
    print(f"{len(imported.results)} results imported: {passed} passed, "
          f"{len(imported.results) - passed} failed")  # fmt: skip
    return 0


_KINDS = {
    "add-checkout": "add_checkout",
    "add-checkin": "add_checkin",
    "void": "void_record",
    "merge": "merge_provisional",
}


@_guard
def correct(args: argparse.Namespace) -> int:
    """Check a correction against the platform's records, then add it to the audited log."""
    from datetime import datetime

    from kiosk.commands._common import fail
    from kiosk.core.credits.corrections import Correction, CorrectionKind, apply_corrections
    from kiosk.core.ids import normalise
    from kiosk.core.model import new_uuid
    from kiosk.core.timeutil import utc_now

    kind = CorrectionKind(_KINDS[args.action])
    if len(args.by) > 100 or len(args.reason) > 500:
        fail("--by is at most 100 characters and --reason at most 500", code=2)
    adding = kind in (CorrectionKind.ADD_CHECKIN, CorrectionKind.ADD_CHECKOUT)
    moment = None
    if adding:
        if not args.at:
            fail(f"{args.action} needs --at with the time and its offset", code=2)
        try:
            moment = datetime.fromisoformat(args.at)
        except ValueError:
            fail(f"--at {args.at!r} is not an ISO 8601 date-time", code=2)
        if moment is None or moment.tzinfo is None:
            fail("--at needs its UTC offset, e.g. 2026-11-24T12:00:00+08:00", code=2)
    correction = Correction(
        kind=kind,
        by=args.by,
        at=utc_now(),
        reason=args.reason,
        id_number=normalise(args.id_number),
        moment=moment,
        record_id=args.record if kind is CorrectionKind.VOID_RECORD else new_uuid(),
        into=normalise(args.into),
    )
    ws = _workspace(args)
    with _client(ws, args.project) as client:
        pulled = _pull(client, args.project)
    _, _, audit = apply_corrections(
        pulled["records"], pulled["people"], [*ws.corrections(args.project), correction]
    )
    ws.append_correction(args.project, audit[-1])
    print(f"recorded: {audit[-1].describe()}")
    return 0


def _upload_corrections(ws: Workspace, project: str, refs: dict[str, str]) -> None:
    """Send the correction log before the report (idempotent by id); stop if one is refused."""
    from kiosk.commands._common import fail
    from kiosk.reports.corrections_upload import CorrectionUploadError, upload_corrections

    try:
        counts = upload_corrections(ws.credentials(project), ws.audit(project), refs)
    except CorrectionUploadError as exc:
        fail(f"{exc}; not submitted")
        return
    if counts:
        print(f"corrections sent: {counts.get('accepted', 0)} new,"
              f" {counts.get('duplicate', 0)} already on the platform")  # fmt: skip


@_guard
def submit(args: argparse.Namespace) -> int:
    """Submit unless an anomaly is unresolved; the platform's refusal is shown as it says it."""
    from kiosk.commands._common import fail
    from kiosk.core.credits.calendar import DeadlineLevel
    from kiosk.core.credits.review import submission_lines
    from kiosk.core.ids import mask_number
    from kiosk.core.timeutil import format_local
    from sync.client.errors import SubmissionRefused
    from sync.protocol import ExecutionReport

    ws = _workspace(args)
    with _client(ws, args.project) as client:
        table, refs = _review(args, ws, client)
        deadline = table.deadline
        if deadline is not None:
            print(deadline.message())
            if deadline.level in (DeadlineLevel.WARNING, DeadlineLevel.URGENT):
                print(f"cme-kiosk: warning: {deadline.message(lang='en')}", file=sys.stderr)
        open_items = [a for a in table.anomalies() if a.blocking]
        if open_items:
            for a in open_items:
                print(f"to resolve: {a.kind.value}: {a.name or '?'} ({mask_number(a.id_number)})")
            fail(f"not submitted: {len(open_items)} anomaly(ies) to resolve first"
                 " (cme-kiosk organizer correct / assess)")  # fmt: skip
        _upload_corrections(ws, args.project, refs)
        report_ = ExecutionReport.model_validate(
            {
                "project": table.project.number,
                "profile": table.profile.name,
                "lines": submission_lines(table, refs),
            }
        )
        try:
            answer = client.submit(report_)
        except SubmissionRefused as exc:
            fail(f"the platform refused the submission ({exc.reason}): {exc}")
    print(
        f"submitted {answer.lines} line(s), receipt {answer.submission_id},"
        f" accepted {format_local(answer.accepted_at, '%Y-%m-%d %H:%M')} (Asia/Shanghai)"
    )
    return 0
