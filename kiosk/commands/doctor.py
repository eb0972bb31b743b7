"""`cme-kiosk doctor`: which devices, libraries, fonts and models are available, and why not."""

from __future__ import annotations

import argparse

from kiosk.config import ConfigError, load_config


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the doctor command."""
    p = sub.add_parser("doctor", help="check configuration, libraries, fonts, models and devices")
    p.add_argument("--no-face", action="store_true", help="skip loading the face models (slow)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print one line per check; exit 2 for a bad configuration, 1 if a required check fails."""
    from pathlib import Path

    from kiosk.diagnostics import run_checks

    try:
        config = load_config(Path(args.config) if args.config else None)
    except ConfigError as exc:
        print(f"[FAIL] configuration: {exc}")
        return 2
    checks = run_checks(config, with_face=not args.no_face)
    for c in checks:
        mark = "ok  " if c.ok else ("FAIL" if c.required else "off ")
        print(f"[{mark}] {c.name}: {c.detail}")
    return 1 if any(c.required and not c.ok for c in checks) else 0
