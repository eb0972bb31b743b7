"""`cme-kiosk server run` serves the platform API; `server migrate` upgrades its schema first."""

from __future__ import annotations

import argparse
import sys

from kiosk.commands._common import fail
from kiosk.commands._server_common import guard, open_admin


def register_run(
    ssub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `server run` and `server migrate`."""
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
    p = ssub.add_parser(
        "migrate", parents=[common],
        help="upgrade the database schema to this version's (back the database up first)",
    )  # fmt: skip
    p.set_defaults(handler=migrate)


@guard
def run_server(args: argparse.Namespace) -> int:
    """Serve the API until interrupted (HTTPS when --cert and --key are given)."""
    from pathlib import Path

    from sqlalchemy import make_url

    from kiosk.logging_setup import setup_server_logging
    from sync.server.app import create_app
    from sync.server.run import make_server

    if bool(args.cert) != bool(args.key):
        fail("TLS needs both --cert and --key")
    if not args.cert and args.host not in ("127.0.0.1", "localhost", "::1"):
        fail("without --cert/--key the server only listens on loopback (kiosks need HTTPS)")
    admin = open_admin(args)
    app = create_app(admin.db)
    if args.relay:
        from sync.server.relay.upstream import RelayForwarder

        forwarder = RelayForwarder(admin.db)
        if not forwarder.links():
            fail("not enrolled upstream: run `cme-kiosk server relay enroll` first")
        forwarder.start(interval=args.relay_interval)
        print(f"relaying {', '.join(x.project for x in forwarder.links())} upstream")
    scheme = "https" if args.cert else "http"
    if not args.cert:
        print("warning: no TLS certificate: kiosks refuse plain HTTP", file=sys.stderr)
    where = make_url(admin.db.url).render_as_string(hide_password=True)
    print(f"platform API on {scheme}://{args.host}:{args.port}/api/v1/ (database {where})")
    server = make_server(
        app, host=args.host, port=args.port,
        cert=Path(args.cert) if args.cert else None, key=Path(args.key) if args.key else None,
    )  # fmt: skip
    # After uvicorn set up its own loggers: their handlers get the scrubbing filter too.
    setup_server_logging()
    server.run()
    admin.close()
    return 0


@guard
def migrate(args: argparse.Namespace) -> int:
    """Bring the schema to the newest revision (creating it in an empty database); say how."""
    from sqlalchemy import make_url

    from sync.server import schema
    from sync.server.db import Database
    from sync.server.run import default_db_url

    db = Database(args.db or default_db_url())
    where = make_url(db.url).render_as_string(hide_password=True)
    try:
        before, head = schema.upgrade(db)
    except Exception as exc:  # noqa: BLE001 - any database/driver error becomes one line
        fail(f"cannot migrate {where}: {type(exc).__name__}: {exc}".splitlines()[0])
        return 1
    finally:
        db.dispose()
    if before.revision == head:
        print(f"platform schema already at revision {head} ({where})")
    elif before.empty:
        print(f"platform schema created at revision {head} ({where})")
    else:
        print(f"platform schema upgraded from {before.describe()} to revision {head} ({where})")
    return 0
