"""The `cme-kiosk` command: each module in kiosk/commands adds its own subcommands."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

import kiosk.commands


def build_parser() -> argparse.ArgumentParser:
    """Collect every command module's `register(subparsers)` into one parser."""
    parser = argparse.ArgumentParser(
        prog="cme-kiosk", description="CME (继续医学教育) check-in kiosk and reference platform"
    )
    parser.add_argument("--config", help="configuration file (default: platform config dir)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(kiosk.commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"kiosk.commands.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the chosen command; return the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    from kiosk.core.errors import KioskError

    try:
        return int(handler(args) or 0)
    except KioskError as exc:
        # A field tool never ends in a traceback: the error says what to do (keys missing, …).
        print(f"cme-kiosk: {exc.detail}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `cme-kiosk … | head` closing the pipe early is not an error.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
