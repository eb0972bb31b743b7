"""`cme-kiosk server run` serves the platform API; `server migrate` upgrades its schema first."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from kiosk.commands._common import fail
from kiosk.commands._server_common import guard, open_admin

if TYPE_CHECKING:
    from fastapi import FastAPI


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
    p.add_argument(
        "--workers", type=_positive, default=1,
        help="worker processes (PostgreSQL only; about one per core, docs/scale.md)",
    )  # fmt: skip
    p.add_argument(
        "--pool-size", type=_positive, default=20,
        help="database connections each worker keeps open (requests beyond wait for one)",
    )  # fmt: skip
    p.add_argument(
        "--pool-timeout", type=float, default=10.0,
        help="seconds a request waits for a database connection before answering 503",
    )  # fmt: skip
    p.add_argument(
        "--max-connections", type=_positive, default=1024,
        help="open client connections per worker before answering 503 (kiosks keep theirs open)",
    )  # fmt: skip
    p.add_argument(
        "--push-interval", type=_pace, default=0, metavar="S",
        help="ask desks to upload at most every S seconds: fewer, larger uploads at a"
        " province's peak (0: as each desk is set; docs/scale.md)",
    )  # fmt: skip
    p.add_argument(
        "--pull-interval", type=_pace, default=0, metavar="S",
        help="ask desks to pull at most every S seconds (0: as each desk is set)",
    )  # fmt: skip
    p.set_defaults(handler=run_server)
    p = ssub.add_parser(
        "migrate", parents=[common],
        help="upgrade the database schema to this version's (back the database up first)",
    )  # fmt: skip
    p.set_defaults(handler=migrate)


def _pace(text: str) -> int:
    from sync.protocol.pace import MAX_PACE_S

    if text.strip() == "":  # an empty PUSH_INTERVAL= in server.conf: as if unset
        return 0
    digits = len(str(MAX_PACE_S))
    if not (text.isascii() and text.isdigit() and len(text) <= digits and int(text) <= MAX_PACE_S):
        raise argparse.ArgumentTypeError(f"must be whole seconds from 0 to {MAX_PACE_S}")
    return int(text)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


@guard
def run_server(args: argparse.Namespace) -> int:
    """Serve the API until interrupted (HTTPS when --cert and --key are given)."""
    from pathlib import Path

    from sqlalchemy import make_url

    from kiosk.logging_setup import setup_server_logging
    from sync.protocol.pace import Pace
    from sync.server.app import create_app
    from sync.server.db import PoolSettings
    from sync.server.run import Listen, connection_budget, serve, serve_workers

    if bool(args.cert) != bool(args.key):
        fail("TLS needs both --cert and --key")
    if not args.cert and args.host not in ("127.0.0.1", "localhost", "::1"):
        fail("without --cert/--key the server only listens on loopback (kiosks need HTTPS)")
    pool = PoolSettings(size=args.pool_size, timeout_s=args.pool_timeout)
    pace = Pace(push_s=args.push_interval, pull_s=args.pull_interval)
    admin = open_admin(args, pool=pool)
    if args.workers > 1 and admin.db.is_sqlite:
        admin.close()
        fail(
            f"--workers {args.workers} needs PostgreSQL: SQLite lets one process write at a time,"
            " so more workers would only queue (use --db postgresql://… or --workers 1)"
        )
    listen = Listen(
        host=args.host, port=args.port, cert=Path(args.cert) if args.cert else None,
        key=Path(args.key) if args.key else None, max_connections=args.max_connections,
    )  # fmt: skip
    if args.relay:
        from sync.server.relay.upstream import RelayForwarder

        # One forwarder, in this process (the supervisor when there are workers), never one per
        # worker; a second pass elsewhere (`relay sync`) is harmless: answers are kept once.
        forwarder = RelayForwarder(admin.db)
        if not forwarder.links():
            fail("not enrolled upstream: run `cme-kiosk server relay enroll` first")
        forwarder.start(interval=args.relay_interval)
        print(f"relaying {', '.join(x.project for x in forwarder.links())} upstream")
    scheme = "https" if args.cert else "http"
    if not args.cert:
        print("warning: no TLS certificate: kiosks refuse plain HTTP", file=sys.stderr)
    where = make_url(admin.db.url).render_as_string(hide_password=True)
    workers = f", {args.workers} workers" if args.workers > 1 else ""
    print(f"platform API on {scheme}://{args.host}:{args.port}/api/v1/ (database {where}{workers})")
    asked = [f"{what} at most every {s} s" for what, s in
             (("upload", pace.push_s), ("pull", pace.pull_s)) if s]  # fmt: skip
    if asked:
        print(f"desks are asked to {' and to '.join(asked)}")
    # Called once uvicorn has set up its own loggers: their handlers get the scrubbing filter too.
    if args.workers > 1:
        problem = connection_budget(admin.db, workers=args.workers)
        if problem:
            print(f"warning: {problem}", file=sys.stderr)
        serve_workers(
            admin.db.url, workers=args.workers, listen=listen, pool=pool, pace=pace,
            factory=f"{__name__}:worker_app", after_logging=setup_server_logging,
        )  # fmt: skip
    else:
        serve(create_app(admin.db, pace=pace), listen, after_logging=setup_server_logging)
    admin.close()
    return 0


def worker_app() -> FastAPI:
    """One worker process's app (uvicorn imports it by name), its logs scrubbed like the rest."""
    from kiosk.logging_setup import setup_server_logging
    from sync.server import run

    # uvicorn configured this process's logging before importing the app.
    setup_server_logging()
    return run.worker_app()


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
