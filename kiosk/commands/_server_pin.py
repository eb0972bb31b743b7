"""`cme-kiosk server pin set PROJECT --role ROLE`: a new desk PIN from the administration.

The recovery path for a forgotten PIN: the PIN is typed here (twice, not echoed) or read from
standard input, hashed with argon2id on this machine; kiosks install the hash at their next pull.
"""

from __future__ import annotations

import argparse
import sys

from kiosk.commands._server_common import guard, open_admin


def register_pin(
    ssub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `server pin set` to the server command group."""
    pin = ssub.add_parser("pin", help="desk PINs (staff, organizer)").add_subparsers(
        dest="pin_command", metavar="ACTION", required=True
    )
    p = pin.add_parser(
        "set", parents=[common],
        help="set a new desk PIN (6-12 digits); kiosks install it at their next pull",
    )  # fmt: skip
    p.add_argument("project")
    p.add_argument("--role", choices=("staff", "organizer"), default="staff")
    p.set_defaults(handler=guard(pin_set))


def read_new_pin() -> str:
    """Twice at a terminal without echo; one line from standard input otherwise (scripts)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().strip()
    import getpass

    first = getpass.getpass("new PIN: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two PINs differ: nothing was changed")
    return first


def pin_set(args: argparse.Namespace) -> int:
    """Validate, hash and store the PIN; print only what happened (never the PIN or its hash)."""
    from kiosk.services.pins import PinError, hash_pin
    from sync.server.pins import set_pin_hash

    pin = read_new_pin()
    try:
        pin_hash = hash_pin(pin)
    except PinError as exc:
        raise ValueError(f"PIN not set: {exc}") from None
    admin = open_admin(args)
    try:
        set_pin_hash(admin.platform, args.project, role=args.role, pin_hash=pin_hash,
                     actor=admin.actor)  # fmt: skip
    finally:
        admin.close()
    print(f"{args.role} PIN of project {args.project} set; desks install it at their next pull")
    return 0
