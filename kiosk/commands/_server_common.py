"""What every `cme-kiosk server …` handler shares: opening the database, one-line errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.commands._common import fail

if TYPE_CHECKING:
    from sync.server.admin import ServerAdmin
    from sync.server.db import PoolSettings

# The server extra's packages: a desk-only install has none of them.
SERVER_PACKAGES = frozenset({"fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg"})
INSTALL_SERVER = "install the cme-kiosk-server package, or pip install 'cme-kiosk[server]'"
NOT_INSTALLED = f"the platform server is not installed here (desk-only install): {INSTALL_SERVER}"


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """The --db option every server subcommand takes."""
    parser.add_argument(
        "--db",
        help="database URL or SQLite file (default: server.sqlite3 in $CME_KIOSK_SERVER_DIR"
        " or the platform data directory); PostgreSQL as postgresql://user@host/db",
    )


def open_admin(args: argparse.Namespace, *, pool: PoolSettings | None = None) -> ServerAdmin:
    """The platform's administration over --db; any failure to open it is one line and exit 1."""
    from sync.server.admin import ServerAdmin
    from sync.server.schema import SchemaOutOfDate

    try:
        return ServerAdmin(args.db, pool=pool)
    except SchemaOutOfDate as exc:
        fail(str(exc))
        raise AssertionError("unreachable") from None
    except Exception as exc:  # noqa: BLE001 - any database/driver error becomes one line
        fail(f"cannot open the platform database: {type(exc).__name__}: {exc}".splitlines()[0])
        raise AssertionError("unreachable") from None


def guard(fn: Callable[[argparse.Namespace], int | None]) -> Callable[[argparse.Namespace], int]:
    """Platform refusals, bad files and a missing server extra become one line and exit 1."""

    def wrapped(args: argparse.Namespace) -> int:
        try:
            return _refusals_as_lines(fn, args)
        except ModuleNotFoundError as exc:
            if exc.name not in SERVER_PACKAGES:
                raise
            fail(NOT_INSTALLED)
            return 1

    wrapped.__doc__ = fn.__doc__
    return wrapped


def _refusals_as_lines(
    fn: Callable[[argparse.Namespace], int | None], args: argparse.Namespace
) -> int:
    """Run the handler; what the platform or a file refuses is printed as one line."""
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
