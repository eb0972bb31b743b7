"""`cme-kiosk server staff add|list|remove`: a project's named desk staff (audited).

A member's PIN is typed twice at a prompt (not echoed), or read from standard input with
`--pin-stdin` for scripts, hashed with argon2id here; the PIN and its hash are never printed.
"""

from __future__ import annotations

import argparse
import sys

from kiosk.commands._server_common import guard, open_admin


def register_staff(
    ssub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `server staff …` to the server command group."""
    staff = ssub.add_parser("staff", help="named desk staff of a project").add_subparsers(
        dest="staff_command", metavar="ACTION", required=True
    )
    p = staff.add_parser("add", parents=[common], help="add a member with their own PIN")
    p.add_argument("project")
    p.add_argument("--name", required=True, help="the member's name, as desks show it")
    p.add_argument("--role", choices=("staff", "lead"), default="staff")
    p.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
    p.set_defaults(handler=guard(staff_add))
    p = staff.add_parser("list", parents=[common], help="members (never their PINs)")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=guard(staff_list))
    p = staff.add_parser("remove", parents=[common], help="take a member off the desks")
    p.add_argument("project")
    p.add_argument("staff_id")
    p.set_defaults(handler=guard(staff_remove))


def _read_pin(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().strip()
    if not sys.stdin.isatty():
        raise ValueError(
            "no terminal to ask for the PIN: give it on standard input with --pin-stdin"
        )
    import getpass

    first = getpass.getpass("the member's PIN: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two PINs differ: nobody was added")
    return first


def staff_add(args: argparse.Namespace) -> int:
    """Validate and hash the PIN, then add the member; print their reference."""
    from kiosk.services.pins import PinError, hash_pin, pin_matches
    from sync.server.staff import add_member

    pin = _read_pin(args.pin_stdin)
    try:
        pin_hash = hash_pin(pin)
    except PinError as exc:
        raise ValueError(f"nobody added: {exc}") from None
    admin = open_admin(args)
    try:
        staff_id = add_member(
            admin.platform, args.project, name=args.name, role=args.role, pin_hash=pin_hash,
            same_pin=lambda other: pin_matches(other, pin), actor=admin.actor,
        )  # fmt: skip
    finally:
        admin.close()
    print(
        f"{staff_id} {args.name} ({args.role}) added to {args.project};"
        " desks learn it at their next pull"
    )
    return 0


def staff_list(args: argparse.Namespace) -> int:
    """Every member with role and state; never a PIN or hash."""
    import json

    from kiosk.core.timeutil import format_local
    from sync.server.staff import listing

    admin = open_admin(args)
    try:
        members = listing(admin.platform, args.project)
    finally:
        admin.close()
    for m in members:
        if args.json:
            print(json.dumps({"staff_id": m.staff_id, "name": m.name, "role": m.role,
                              "added_at": m.added_at.isoformat(),
                              "removed_at": m.removed_at.isoformat() if m.removed_at else None},
                             ensure_ascii=False))  # fmt: skip
            continue
        state = (
            f"removed {format_local(m.removed_at, '%Y-%m-%d %H:%M')}" if m.removed_at else "active"
        )
        print(f"{m.staff_id:<5} {m.name:<12} {m.role:<6} {state}")
    if not members and not args.json:
        print(f"no named staff in {args.project}: desks open staff mode with the shared PIN only")
    return 0


def staff_remove(args: argparse.Namespace) -> int:
    """Take a member off the desks' list (their records keep naming them)."""
    from sync.server.staff import remove_member

    admin = open_admin(args)
    try:
        remove_member(admin.platform, args.project, args.staff_id, actor=admin.actor)
    finally:
        admin.close()
    print(f"{args.staff_id} removed from {args.project}; desks drop it at their next pull")
    return 0
