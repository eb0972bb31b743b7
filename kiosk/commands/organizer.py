"""`cme-kiosk organizer …`: review, assessment import, corrections and submission for a project.

The organizer works on the platform's merged records from every desk, pulled through the sync
protocol with an organizer enrollment; results and corrections are kept in the data directory.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.core.credits.review import ReviewTable
    from kiosk.reports.organizer_data import Pulled
    from kiosk.reports.workspace import Workspace
    from sync.client import SyncClient


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the organizer command group."""
    group = sub.add_parser(
        "organizer",
        help="review, assess, correct and submit a project (no ACTION: the workspace window)",
    )
    group.add_argument(
        "--project", help="the workspace's project (default: the one this tool is enrolled for)"
    )
    group.add_argument(
        "--offline", action="store_true", help="open on the last pulled data without connecting"
    )
    group.set_defaults(handler=workspace)
    osub = group.add_subparsers(dest="organizer_command", metavar="ACTION", required=False)

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
    p.add_argument(
        "--full-ids",
        action="store_true",
        help="the PDF shows full ID numbers (the copy for the platform); masked by default",
    )
    p.add_argument(
        "--ledger",
        help="CSV of earlier grants for the yearly caps (docs/credits.md): id_number,"
        "credit_year,kind,credits,activity_date",
    )
    p.add_argument(
        "--cap-exempt", help="file of ID numbers the profile's yearly-cap exemption covers"
    )
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


def _pull(client: SyncClient, ws: Workspace, number: str) -> Pulled:
    """The project, its people and every desk's records (kiosk.reports.organizer_data.pull)."""
    from kiosk.reports.organizer_data import pull

    return pull(client, ws, number)


def _review(
    args: argparse.Namespace, ws: Workspace, client: SyncClient
) -> tuple[ReviewTable, Pulled]:
    """Pull, apply the saved corrections and results, and build the review table."""
    from kiosk.commands._common import config_from_args
    from kiosk.commands._organizer_view import cap_inputs
    from kiosk.core.rules import checked_dirs
    from kiosk.reports.organizer_data import build, profile_for

    dirs = checked_dirs(
        config_from_args(args).credits.rules_dirs, source="[credits] rules_dirs"
    )  # checked before the pull: a typo in the config must not wait for the network
    pulled = _pull(client, ws, args.project)
    profile = profile_for(pulled.project, dirs)
    grants, exempt = cap_inputs(args, profile)
    # The platform's clock at the pull decides deadlines.
    table = build(pulled, ws, profile, now=pulled.pulled_at, ledger=grants, exempt=exempt)
    return table, pulled


@_guard
def workspace(args: argparse.Namespace) -> int:
    """Open the organizer's workspace window on the enrolled project (offline: the last pull)."""
    from kiosk.commands._common import config_from_args, fail
    from kiosk.core.rules import checked_dirs
    from kiosk.ui.organizer.app import run_workspace

    ws = _workspace(args)
    projects = ws.projects()
    number = args.project or (projects[0] if len(projects) == 1 else None)
    if number is None:
        if not projects:
            fail("not enrolled for any project: run `cme-kiosk organizer enroll CODE --server URL`")
        fail(f"enrolled for several projects ({', '.join(projects)}): choose one with --project")
        return 2
    ws.credentials(number)  # a clear message when not enrolled for it
    config = config_from_args(args)
    dirs = checked_dirs(config.credits.rules_dirs, source="[credits] rules_dirs")
    return run_workspace(
        ws, number, rules_dirs=dirs, language=config.kiosk.language, online=not args.offline
    )


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


@_guard
def report(args: argparse.Namespace) -> int:
    """Print the review table (ID numbers masked) and write the exports asked for."""
    import json
    from pathlib import Path

    from kiosk.commands._common import config_from_args
    from kiosk.commands._organizer_view import cap_inputs, print_staff_notes, print_table
    from kiosk.core.credits.exports import execution_report_rows
    from kiosk.core.rules import checked_dirs
    from kiosk.core.timeutil import utc_now
    from kiosk.reports.organizer_data import pull_changes
    from kiosk.services.organizer_cache import kept_review

    ws = _workspace(args)
    dirs = checked_dirs(
        config_from_args(args).credits.rules_dirs, source="[credits] rules_dirs"
    )  # checked before the pull: a typo in the config must not wait for the network
    with _client(ws, args.project) as client:
        pull_changes(client, ws, args.project)
        not_held = client.project_status(args.project).refused_records
    # Kept from the last report when neither the data nor its inputs changed since.
    table, staff = kept_review(
        ws, args.project, dirs=dirs, caps=lambda profile: cap_inputs(args, profile)
    )
    if args.json:
        for warning in table.warnings:
            print(f"cme-kiosk: warning: {warning}", file=sys.stderr)
        for row in execution_report_rows(table):
            print(json.dumps(row, ensure_ascii=False))
    else:
        print_table(table)
        print_staff_notes(staff)
        for r in not_held:  # records the platform does not hold: the organizer must know
            why = "refused: desk ended" if r.by == "platform" else "given up by the desk"
            print(f"record not held: desk {r.desk_name} seq {r.seq} ({why}: {r.reason})")
    # openpyxl (with numpy) and reportlab take a second to import: only when a file is asked for.
    if args.xlsx:
        from kiosk.reports.xlsx import write_review_xlsx

        print(f"wrote {write_review_xlsx(table, Path(args.xlsx), generated_at=utc_now())}")
    if args.pdf:
        from kiosk.reports.pdf import write_attendance_pdf

        sheet = write_attendance_pdf(
            table, Path(args.pdf), generated_at=utc_now(), mask_ids=not args.full_ids
        )
        print(f"wrote {sheet}" + (" (full ID numbers)" if args.full_ids else ""))
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
        pulled = _pull(client, ws, args.project)
    _, _, audit = apply_corrections(
        pulled.records, pulled.people, [*ws.corrections(args.project), correction]
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
    from kiosk.core.credits.exports import submission_lines
    from kiosk.core.credits.submission import WindowState
    from kiosk.core.ids import mask_number
    from kiosk.core.timeutil import format_local
    from sync.client.errors import SubmissionRefused
    from sync.protocol import ExecutionReport

    ws = _workspace(args)
    with _client(ws, args.project) as client:
        table, pulled = _review(args, ws, client)
        refs = pulled.refs
        window, deadline = table.window, table.deadline
        if window is not None:
            print(window.message())
        if deadline is not None and deadline.days_left >= 0 and deadline.level != "open":
            print(f"cme-kiosk: warning: {deadline.message(lang='en')}", file=sys.stderr)
        open_items = [a for a in table.anomalies() if a.blocking]
        if open_items:
            for a in open_items:
                print(f"to resolve: {a.kind.value}: {a.name or '?'} ({mask_number(a.id_number)})")
            fail(f"not submitted: {len(open_items)} anomaly(ies) to resolve first"
                 " (cme-kiosk organizer correct / assess)")  # fmt: skip
        if window is not None and window.state is WindowState.NOT_OPEN:
            fail(f"not submitted: the window opens at {window.opens_at:%Y-%m-%d %H:%M}, when the"
                 f" last session ends ({window.source})")  # fmt: skip
        if window is not None and window.state is WindowState.CLOSED:
            fail(f"not submitted: the deadline {window.deadline_day} has passed"
                 f" ({window.source}); the platform refuses late reports")  # fmt: skip
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
