"""`cme-kiosk server` administration: projects, rosters, enrollment codes, devices, status, keys."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.commands._server_common import guard, open_admin

if TYPE_CHECKING:
    from sync.protocol import DeskCompleteness, RefusedRecord
    from sync.server.admin import ServerAdmin


def register_admin(
    ssub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add the administration subcommands."""
    project = ssub.add_parser("project", help="projects").add_subparsers(
        dest="project_command", metavar="ACTION", required=True
    )
    p = project.add_parser("create", parents=[common], help="create a project from its TOML file")
    p.add_argument("file", help="project file (TOML)")
    p.add_argument("--update", action="store_true", help="replace an existing project's definition")
    p.set_defaults(handler=project_create)

    roster = ssub.add_parser("roster", help="rosters").add_subparsers(
        dest="roster_command", metavar="ACTION", required=True
    )
    p = roster.add_parser(
        "import",
        parents=[common],
        help="import a roster (CSV/XLSX columns: id_type, id_number, name, unit, department,"
        " title, role, card_uid); all rows or none",
    )
    p.add_argument("project")
    p.add_argument("file")
    p.set_defaults(handler=roster_import)

    p = ssub.add_parser("enroll-code", parents=[common], help="a one-time enrollment code")
    p.add_argument("project")
    p.add_argument("--organizer", action="store_true", help="for the organizer's tool, not a desk")
    p.add_argument("--relay", action="store_true", help="for a venue relay server, not a desk")
    p.add_argument(
        "--venue", action="store_true",
        help="a desk code a kiosk may also redeem at a venue relay of the project, offline;"
        " the relay receives it at its next pass",
    )  # fmt: skip
    p.add_argument("--count", type=int, default=1, help="how many codes (default 1, at most 200)")
    p.add_argument("--hours", type=float, default=24.0, help="lifetime (default 24 h)")
    p.set_defaults(handler=enroll_code)

    device = ssub.add_parser("device", help="enrolled devices").add_subparsers(
        dest="device_command", metavar="ACTION", required=True
    )
    p = device.add_parser("list", parents=[common], help="devices and their completeness")
    p.add_argument("project", nargs="?")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=device_list)
    for action, text in (
        (
            "retire",
            "retire a desk (lost or replaced): records up to its last known seq are"
            " still accepted; it can no longer pull or report",
        ),
        ("revoke", "revoke a compromised device: everything it sends from now on is refused"),
    ):
        p = device.add_parser(action, parents=[common], help=text)
        p.add_argument("device_id")
        p.add_argument("--reason", required=True, help="recorded in the audit trail")
        p.set_defaults(handler=device_end, action=action)

    p = ssub.add_parser("status", parents=[common], help="counts, desks' completeness, conflicts")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=project_status)

    ledger = ssub.add_parser("ledger", help="the credit ledger across projects").add_subparsers(
        dest="ledger_command", metavar="ACTION", required=True
    )
    p = ledger.add_parser(
        "exempt", parents=[common],
        help="people the yearly-cap exemption covers (primary-care staff): a file of ID numbers",
    )  # fmt: skip
    p.add_argument("file", help="ID numbers, one a line ('#' starts a comment)")
    p.add_argument("--reason", required=True, help="recorded in the audit trail")
    p.set_defaults(handler=ledger_exempt)

    keys = ssub.add_parser("key", help="ticket-signing keys").add_subparsers(
        dest="key_command", metavar="ACTION", required=True
    )
    p = keys.add_parser("rotate", parents=[common], help="a new ticket-signing key")
    p.add_argument("project")
    p.add_argument("--retire-old", action="store_true", help="old tickets stop verifying")
    p.set_defaults(handler=key_rotate)


@guard
def project_create(args: argparse.Namespace) -> int:
    """Create a project (with its ticket key and HMAC key) from a TOML file."""
    from pathlib import Path

    from kiosk.core.project_file import load_project
    from sync.server.profiles import creation_warnings

    project = load_project(Path(args.file))
    admin = open_admin(args)
    new = admin.create_project(project, update=args.update)  # refuses an unusable profile
    verb = "created" if new else "updated"
    print(f"project {project.number} {verb}: {project.name}, {len(project.days)} day(s)")
    for warning in creation_warnings(project):
        print(f"cme-kiosk: warning: {warning.message}", file=sys.stderr)
    return 0


@guard
def roster_import(args: argparse.Namespace) -> int:
    """Validate the whole file, then import it in one transaction."""
    from pathlib import Path

    admin = open_admin(args)
    counts = admin.import_roster(args.project, Path(args.file))
    print(f"roster {args.project}: {counts['added']} added, {counts['updated']} updated")
    return 0


@guard
def enroll_code(args: argparse.Namespace) -> int:
    """Print a single-use enrollment code and when it expires."""
    from datetime import timedelta

    from kiosk.core.timeutil import format_local

    if not 0 < args.hours <= 24 * 14:
        raise ValueError("--hours must be between 0 and 336")
    if not 1 <= args.count <= 200:
        raise ValueError("--count must be between 1 and 200")
    if sum((args.organizer, args.relay, args.venue)) > 1:
        raise ValueError("--organizer, --relay and --venue exclude each other")
    admin = open_admin(args)
    role = "organizer" if args.organizer else "relay" if args.relay else "desk"
    expires = None
    for _ in range(args.count):
        code, expires = admin.enroll_code(
            args.project, role=role, lifetime=timedelta(hours=args.hours), venue=args.venue
        )
        print(code)
    kind = "venue desk (also at the project's relays)" if args.venue else role
    assert expires is not None
    print(
        f"{kind} enrollment for {args.project}, single use, valid until"
        f" {format_local(expires, '%Y-%m-%d %H:%M')} (Asia/Shanghai)",
        file=sys.stderr,
    )
    return 0


def _desk_line(d: DeskCompleteness) -> str:
    if d.role == "relay":
        note = f"venue relay, {d.state}: forwards its desks' records (listed as desks)"
    elif d.state != "active":
        note = f"{d.state} at seq {d.frozen_seq}: {d.end_reason} — does not block"
    elif not d.reported:
        note = "has never reported its records" + (" — blocks submission" if d.blocking else "")
    elif d.complete:
        note = f"complete (up to seq {d.latest_seq})"
    else:
        note = f"missing {d.missing} (latest {d.latest_seq}, contiguous to {d.highest_contiguous})"
    return f"  {d.desk_name:<10} {d.device_id:<16} {d.role:<9} {note}"


@guard
def device_list(args: argparse.Namespace) -> int:
    """Every device with its state and completeness."""
    admin = open_admin(args)
    devices = admin.devices(args.project)
    if args.json:
        for d in devices:
            print(d.model_dump_json())
        return 0
    if not devices:
        print("no devices enrolled")
    for d in devices:
        print(_desk_line(d))
    return 0


@guard
def device_end(args: argparse.Namespace) -> int:
    """Retire or revoke a device with an audited reason."""
    admin = open_admin(args)
    if args.action == "retire":
        admin.retire(args.device_id, reason=args.reason)
        frozen = next((d.frozen_seq for d in admin.devices() if d.device_id == args.device_id), 0)
        print(
            f"{args.device_id} retired: its records up to seq {frozen} are still accepted, later"
            " ones refused; it can no longer pull or report"
        )
    else:
        admin.revoke(args.device_id, reason=args.reason)
        print(f"{args.device_id} revoked: everything it sends from now on is refused")
    return 0


@guard
def project_status(args: argparse.Namespace) -> int:
    """Counts, each desk's completeness, conflicts and the submission window."""
    from kiosk.core.timeutil import format_local

    admin = open_admin(args)
    st = admin.status(args.project)
    if args.json:
        print(st.model_dump_json())
        return 0
    project = admin.project(args.project)
    print(f"project {st.project} {project.name}")
    print(
        f"attendees {st.attendees} · records {st.events} · refused attempts {st.denied}"
        f" · conflicts {st.conflicts}"
    )
    print("desks:")
    for d in st.desks:
        print(_desk_line(d))
    if not st.desks:
        print("  none enrolled")
    w = st.window
    when = {
        "not_open": f"opens {format_local(w.opens_at, '%Y-%m-%d %H:%M')}",
        "open": f"open until the end of {w.deadline_day} ({w.days_left} day(s) left)",
        "closing": f"closing: open until the end of {w.deadline_day} ({w.days_left} day(s) left)",
        "closed": f"closed since the end of {w.deadline_day}",
    }[w.state]
    done = f", submitted {format_local(w.submitted_at, '%Y-%m-%d %H:%M')}" if w.submitted_at else ""
    ready = "all desks complete" if st.complete else "blocked: a desk is incomplete"
    print(f"submission: {when} (Asia/Shanghai){done}; {ready}")
    _print_refused(st.refused_records)
    _print_corrections(admin, args.project)
    return 0


def _print_refused(found: list[RefusedRecord]) -> None:
    """Records the platform does not hold but the organizer must know of."""
    if not found:
        return
    print(f"records not held ({len(found)}):")
    for r in found:
        who = "refused: its desk had ended" if r.by == "platform" else "given up by the desk"
        print(f"  desk {r.desk_name} ({r.device_id}) seq {r.seq} {r.uuid}: {who} — {r.reason}")


@guard
def ledger_exempt(args: argparse.Namespace) -> int:
    """Mark people exempt from the yearly caps where their profile says so."""
    from pathlib import Path

    from kiosk.commands._common import fail
    from kiosk.reports.ledger_file import read_id_list

    listed = read_id_list(Path(args.file))
    for e in listed.errors:
        print(f"cme-kiosk: {args.file}: {e}", file=sys.stderr)
    if listed.errors:
        fail(f"{args.file}: {len(listed.errors)} bad line(s); nothing recorded")
    admin = open_admin(args)
    new = admin.set_cap_exempt(sorted(listed.numbers), reason=args.reason)
    print(f"{new} new exemption(s), {len(listed.numbers) - new} already recorded")
    return 0


@guard
def key_rotate(args: argparse.Namespace) -> int:
    """Add a ticket-signing key; kiosks learn it at their next pull."""
    admin = open_admin(args)
    kid = admin.rotate_ticket_key(args.project, retire_old=args.retire_old)
    print(f"project {args.project}: new ticket key {kid}")
    return 0


def _print_corrections(admin: ServerAdmin, number: str) -> None:
    from kiosk.core.timeutil import format_local
    from sync.server.corrections import listing

    found = listing(admin.platform, number).corrections
    print(f"organizer corrections: {len(found)}")
    for c in found:
        e = c.entry
        who = e.attendee_id or e.record_id
        made = format_local(datetime.fromisoformat(e.made_at), "%Y-%m-%d %H:%M")
        print(f"  {made} {e.by}: {e.kind} {who} — {e.reason}")
