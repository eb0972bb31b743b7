"""`cme-kiosk demo`: the desk with simulated devices: a window on a display, else a script."""

from __future__ import annotations

import argparse
import os


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the demo command."""
    p = sub.add_parser("demo", help="run the desk with simulated devices")
    p.add_argument(
        "--headless", action="store_true", help="print a scripted run even with a display"
    )
    p.add_argument("--seconds", type=float, default=0, help="window mode: quit after this long")
    p.add_argument("--screenshot", help="window mode: save the window as PNG before quitting")
    p.add_argument("--data-dir", help="where the demo keeps its data (default: a new temp dir)")
    p.set_defaults(handler=run)


def has_display() -> bool:
    """Whether a window can be shown (X11 or Wayland)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args: argparse.Namespace) -> int:
    """Window when possible, otherwise the scripted run."""
    from pathlib import Path

    from kiosk.demo.scenario import build_desk

    desk = build_desk(Path(args.data_dir) if args.data_dir else None)
    if args.headless or not has_display():
        from kiosk.demo.script import run_scripted

        return run_scripted(desk)
    from kiosk.demo.window import run_window

    return run_window(desk, seconds=args.seconds, screenshot=args.screenshot)
