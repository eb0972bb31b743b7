"""`cme-kiosk server …`: run the reference platform and administer it on the server machine."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.protocol import DeskCompleteness
    from sync.server.admin import ServerAdmin


from kiosk.commands._server_pin import register_pin


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the server command group."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        help="database URL or SQLite file (default: server.sqlite3 in $CME_KIOSK_SERVER_DIR"
        " or the platform data directory); PostgreSQL as postgresql://user@host/db",
    )
    server = sub.add_parser("server", help="the reference platform server and its administration")
    ssub = server.add_subparsers(dest="server_command", metavar="SUBCOMMAND", required=True)

    p = ssub.add_parser("run", parents=[common], help="serve the platform API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8443)
    p.add_argument("--cert", help="TLS certificate chain (PEM); kiosks only speak HTTPS")
    p.add_argument("--key", help="TLS private key (PEM)")
    p.add_argument(
        "--relay",
        action="store_true",
        help="also forward upstream in the background (after `server relay enroll`)",
    )
    p.add_argument("--relay-interval", type=float, default=10.0, help="seconds between passes")
    p.set_defaults(handler=run_server)

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
        ("retire", "retire a desk (lost or done): records scanned before now are still accepted"),
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

    _register_relay(ssub, common)
    register_pin(ssub, common, guard=_guard)

    keys = ssub.add_parser("key", help="ticket-signing keys").add_subparsers(
        dest="key_command", metavar="ACTION", required=True
    )
    p = keys.add_parser("rotate", parents=[common], help="a new ticket-signing key")
    p.add_argument("project")
    p.add_argument("--retire-old", action="store_true", help="old tickets stop verifying")
    p.set_defaults(handler=key_rotate)


def _admin(args: argparse.Namespace) -> ServerAdmin:
    from kiosk.commands._common import fail
    from sync.server.admin import ServerAdmin

    try:
        return ServerAdmin(args.db)
    except Exception as exc:  # noqa: BLE001 - any database/driver error becomes one line
        fail(f"cannot open the platform database: {type(exc).__name__}: {exc}".splitlines()[0])
        raise AssertionError("unreachable") from None


def _guard(fn: Any) -> Any:
    """Platform refusals and bad files become one line on stderr and exit status 1."""

    def wrapped(args: argparse.Namespace) -> int:
        from kiosk.commands._common import fail
        from kiosk.core.project_file import ProjectFileError
        from sync.server.platform import PlatformError
        from sync.server.roster_file import RosterFileError

        try:
            return int(fn(args) or 0)
        except RosterFileError as exc:
            for problem in exc.problems:
                print(f"cme-kiosk: {problem}", file=sys.stderr)
            fail(f"roster not imported: {len(exc.problems)} problem(s), nothing was changed")
        except PlatformError as exc:
            fail(exc.message.replace("\n", "; "))
        except (ProjectFileError, ValueError) as exc:
            fail(str(exc))
        return 1

    wrapped.__doc__ = fn.__doc__
    return wrapped


@_guard
def run_server(args: argparse.Namespace) -> int:
    """Serve the API until interrupted (HTTPS when --cert and --key are given)."""
    from pathlib import Path

    from kiosk.commands._common import fail
    from sync.server.app import create_app
    from sync.server.run import make_server

    if bool(args.cert) != bool(args.key):
        fail("TLS needs both --cert and --key")
    if not args.cert and args.host not in ("127.0.0.1", "localhost", "::1"):
        fail("without --cert/--key the server only listens on loopback (kiosks need HTTPS)")
    admin = _admin(args)
    app = create_app(admin.db)
    if args.relay:
        from sync.server.relay import RelayForwarder

        forwarder = RelayForwarder(admin.db)
        if not forwarder.links():
            fail("not enrolled upstream: run `cme-kiosk server relay enroll` first")
        forwarder.start(interval=args.relay_interval)
        print(f"relaying {', '.join(x.project for x in forwarder.links())} upstream")
    scheme = "https" if args.cert else "http"
    if not args.cert:
        print("warning: no TLS certificate: kiosks refuse plain HTTP", file=sys.stderr)
    print(f"platform API on {scheme}://{args.host}:{args.port}/api/v1/ (database {admin.db.url})")
    server = make_server(
        app, host=args.host, port=args.port,
        cert=Path(args.cert) if args.cert else None, key=Path(args.key) if args.key else None,
    )  # fmt: skip
    server.run()
    admin.close()
    return 0


@_guard
def project_create(args: argparse.Namespace) -> int:
    """Create a project (with its ticket key and HMAC key) from a TOML file."""
    from pathlib import Path

    from kiosk.core.project_file import load_project

    project = load_project(Path(args.file))
    admin = _admin(args)
    new = admin.create_project(project, update=args.update)
    verb = "created" if new else "updated"
    print(f"project {project.number} {verb}: {project.name}, {len(project.days)} day(s)")
    return 0


@_guard
def roster_import(args: argparse.Namespace) -> int:
    """Validate the whole file, then import it in one transaction."""
    from pathlib import Path

    admin = _admin(args)
    counts = admin.import_roster(args.project, Path(args.file))
    print(f"roster {args.project}: {counts['added']} added, {counts['updated']} updated")
    return 0


@_guard
def enroll_code(args: argparse.Namespace) -> int:
    """Print a single-use enrollment code and when it expires."""
    from datetime import timedelta

    from kiosk.core.timeutil import format_local

    if not 0 < args.hours <= 24 * 14:
        raise ValueError("--hours must be between 0 and 336")
    admin = _admin(args)
    if args.organizer and args.relay:
        raise ValueError("--organizer and --relay exclude each other")
    role = "organizer" if args.organizer else "relay" if args.relay else "desk"
    code, expires = admin.enroll_code(args.project, role=role, lifetime=timedelta(hours=args.hours))
    print(code)
    print(
        f"{role} enrollment for {args.project}, single use, valid until"
        f" {format_local(expires, '%Y-%m-%d %H:%M')} (Asia/Shanghai)",
        file=sys.stderr,
    )
    return 0


def _desk_line(d: DeskCompleteness) -> str:
    if d.role == "relay":
        note = f"venue relay, {d.state}: forwards its desks' records (listed as desks)"
    elif d.state != "active":
        note = f"{d.state}: {d.end_reason} — does not block"
    elif not d.reported:
        note = "has never reported its records" + (" — blocks submission" if d.blocking else "")
    elif d.complete:
        note = f"complete (up to seq {d.latest_seq})"
    else:
        note = f"missing {d.missing} (latest {d.latest_seq}, contiguous to {d.highest_contiguous})"
    return f"  {d.desk_name:<10} {d.device_id:<16} {d.role:<9} {note}"


@_guard
def device_list(args: argparse.Namespace) -> int:
    """Every device with its state and completeness."""
    admin = _admin(args)
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


@_guard
def device_end(args: argparse.Namespace) -> int:
    """Retire or revoke a device with an audited reason."""
    admin = _admin(args)
    if args.action == "retire":
        admin.retire(args.device_id, reason=args.reason)
        print(f"{args.device_id} retired: records scanned before now are still accepted")
    else:
        admin.revoke(args.device_id, reason=args.reason)
        print(f"{args.device_id} revoked: everything it sends from now on is refused")
    return 0


@_guard
def project_status(args: argparse.Namespace) -> int:
    """Counts, each desk's completeness, conflicts and the submission window."""
    from kiosk.core.timeutil import format_local

    admin = _admin(args)
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
        "closed": f"closed since the end of {w.deadline_day}",
    }[w.state]
    done = f", submitted {format_local(w.submitted_at, '%Y-%m-%d %H:%M')}" if w.submitted_at else ""
    ready = "all desks complete" if st.complete else "blocked: a desk is incomplete"
    print(f"submission: {when} (Asia/Shanghai){done}; {ready}")
    _print_corrections(admin, args.project)
    return 0


def _register_relay(
    ssub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    relay = ssub.add_parser("relay", help="a venue relay forwarding to the upstream platform")
    rsub = relay.add_subparsers(dest="relay_command", metavar="ACTION", required=True)
    p = rsub.add_parser("enroll", parents=[common], help="enroll this server upstream as a relay")
    p.add_argument("--upstream", required=True, help="the upstream platform, https://…")
    p.add_argument("--code", required=True, help="a code from `server enroll-code PROJECT --relay`")
    p.add_argument("--ca-bundle", help="CA certificates (PEM) to trust for the upstream")
    p.add_argument("--pin", help="SHA-256 of the upstream's certificate (hex)")
    p.add_argument("--name", default="relay", help="this relay's name upstream")
    p.set_defaults(handler=relay_enroll)
    p = rsub.add_parser("status", parents=[common], help="what was forwarded, what is waiting")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=relay_status)
    p = rsub.add_parser("sync", parents=[common], help="one forwarding pass now")
    p.set_defaults(handler=relay_sync)


@_guard
def key_rotate(args: argparse.Namespace) -> int:
    """Add a ticket-signing key; kiosks learn it at their next pull."""
    admin = _admin(args)
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


def _print_link(link: dict[str, Any]) -> None:
    print(f"project {link['project']} → {link['upstream']} as {link['relay_device_id']}")
    print(f"  last success {link['last_success'] or 'never'}; last attempt {link['last_attempt']}")
    if link["last_error"]:
        print(f"  last error: {link['last_error']}")
    answered = ", ".join(f"{k} {v}" for k, v in sorted(link["answered"].items())) or "nothing yet"
    print(
        f"  waiting: {link['pending_events']} record(s), {link['pending_refused']} refused"
        f" here, {link['pending_denied']} refused attempt(s)"
    )
    print(f"  answered upstream: {answered}")
    for r in link["rejected"]:
        print(f"  rejected upstream: {r['kind']} {r['uuid']} of {r['device_id']}: {r['reason']}")
    for k in link["kiosks"]:
        where = f"upstream {k['upstream_state']}" if k["registered"] else "not registered upstream"
        print(f"  desk {k['desk_name']:<10} {k['device_id']:<16} {k['state']}, {where}")


@_guard
def relay_enroll(args: argparse.Namespace) -> int:
    """Enroll this server upstream as a relay, then pull the project and roster."""
    from pathlib import Path

    from kiosk.commands._common import fail
    from sync.server.relay import RelayError, RelayForwarder

    if not args.upstream.startswith("https://"):
        fail("--upstream must be an https:// URL", code=2)
    ca = str(Path(args.ca_bundle).resolve()) if args.ca_bundle else None
    admin = _admin(args)
    try:
        link, result = RelayForwarder(admin.db).enroll(
            args.upstream, args.code, ca_bundle=ca, pin=args.pin, name=args.name
        )
    except RelayError as exc:
        fail(str(exc))
        raise AssertionError("unreachable") from None
    print(f"relay enrolled upstream as {link.device_id} for project {link.project}")
    if result.error:
        print(f"warning: first pull failed: {result.error}", file=sys.stderr)
    else:
        print(f"pulled the project and {result.roster} roster entr(ies) from upstream")
    return 0


@_guard
def relay_status(args: argparse.Namespace) -> int:
    """What the relay forwarded, what the platform answered, what is still waiting."""
    import json

    from sync.server.relay_status import relay_status as status

    links = status(_admin(args).db)
    if args.json:
        for link in links:
            print(json.dumps(link, ensure_ascii=False))
        return 0
    if not links:
        print("not a relay: run `cme-kiosk server relay enroll` first")
    for link in links:
        _print_link(link)
    return 0


@_guard
def relay_sync(args: argparse.Namespace) -> int:
    """One forwarding pass now; exit 1 when upstream could not be reached or refused."""
    from sync.server.relay import RelayForwarder

    forwarder = RelayForwarder(_admin(args).db)
    failed = 0
    for r in forwarder.cycle():
        answered = ", ".join(f"{k} {v}" for k, v in sorted(r.answers.items())) or "nothing new"
        print(f"{r.project}: roster {r.roster}, registered {r.registered}, {answered}")
        if r.error:
            failed += 1
            print(f"cme-kiosk: {r.project}: upstream: {r.error}", file=sys.stderr)
    return 1 if failed else 0
