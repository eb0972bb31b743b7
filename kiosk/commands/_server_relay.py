"""`cme-kiosk server relay …`: enroll this server upstream as a venue relay, its status, a pass."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kiosk.commands._common import fail
from kiosk.commands._server_common import guard, open_admin


def register_relay(
    ssub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `server relay enroll|status|sync`."""
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


@guard
def relay_enroll(args: argparse.Namespace) -> int:
    """Enroll this server upstream as a relay, then pull the project and roster."""
    from pathlib import Path

    from sync.server.relay import RelayError, RelayForwarder

    if not args.upstream.startswith("https://"):
        fail("--upstream must be an https:// URL", code=2)
    ca = str(Path(args.ca_bundle).resolve()) if args.ca_bundle else None
    admin = open_admin(args)
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


@guard
def relay_status(args: argparse.Namespace) -> int:
    """What the relay forwarded, what the platform answered, what is still waiting."""
    import json

    from sync.server.relay.status import relay_status as status

    links = status(open_admin(args).db)
    if args.json:
        for link in links:
            print(json.dumps(link, ensure_ascii=False))
        return 0
    if not links:
        print("not a relay: run `cme-kiosk server relay enroll` first")
    for link in links:
        _print_link(link)
    return 0


@guard
def relay_sync(args: argparse.Namespace) -> int:
    """One forwarding pass now; exit 1 when upstream could not be reached or refused."""
    from sync.server.relay import RelayForwarder

    forwarder = RelayForwarder(open_admin(args).db)
    failed = 0
    for r in forwarder.cycle():
        answered = ", ".join(f"{k} {v}" for k, v in sorted(r.answers.items())) or "nothing new"
        print(f"{r.project}: roster {r.roster}, registered {r.registered}, {answered}")
        if r.error:
            failed += 1
            print(f"cme-kiosk: {r.project}: upstream: {r.error}", file=sys.stderr)
    return 1 if failed else 0
