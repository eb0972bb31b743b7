"""Helpers shared by command modules: config loading and one-line errors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.config import Config, ConfigError, load_config


def config_from_args(args: argparse.Namespace) -> Config:
    """Load the configuration named by --config (or the default); exit 2 with the message if bad."""
    path = Path(args.config) if getattr(args, "config", None) else None
    try:
        return load_config(path)
    except ConfigError as exc:
        fail(str(exc), code=2)
        raise AssertionError("unreachable") from None


def fail(message: str, *, code: int = 1) -> None:
    """Print one line to stderr and exit: field tools never show a traceback for bad input."""
    print(f"cme-kiosk: {message}", file=sys.stderr)
    raise SystemExit(code)
