"""`cme-kiosk demo`: a desk with simulated devices and a local platform: a window, else a script."""

from __future__ import annotations

import argparse
import os


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the demo command."""
    p = sub.add_parser(
        "demo", help="run a desk against simulated devices and a local reference platform"
    )
    p.add_argument(
        "--headless", action="store_true", help="print a scripted run even with a display"
    )
    p.add_argument("--seconds", type=float, default=0, help="window mode: quit after this long")
    p.add_argument("--steps", type=int, help="window mode: quit after this many steps")
    p.add_argument("--screenshot", help="window mode: save the window as PNG before quitting")
    p.add_argument(
        "--screenshots", metavar="DIR", help="window mode: save one PNG per step in DIR, then quit"
    )
    p.add_argument(
        "--interactive", action="store_true",
        help="window mode: no script; a control panel taps cards, shows codes, faces the camera",
    )  # fmt: skip
    p.add_argument("--data-dir", help="where the demo keeps its data (default: a new temp dir)")
    p.set_defaults(handler=run)


def has_display() -> bool:
    """Whether a window can be shown (X11 or Wayland)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args: argparse.Namespace) -> int:
    """Window when possible, otherwise the scripted run; the stage is always closed."""
    import sys
    import tempfile
    from pathlib import Path

    from kiosk.commands._common import fail
    from kiosk.commands._server_common import INSTALL_SERVER, SERVER_PACKAGES

    try:
        from kiosk.demo.stage import open_stage
    except ModuleNotFoundError as exc:
        if exc.name not in SERVER_PACKAGES:
            raise
        # The demo plays against a local platform; a desk-only install (the desk .deb) has none.
        fail(f"the demo runs a local platform, which is not installed here: {INSTALL_SERVER}")
        return 1

    headless = args.headless or not has_display()
    if headless and (args.screenshots or args.interactive):
        print("cme-kiosk demo: --screenshots and --interactive need a display", file=sys.stderr)
        return 2
    root = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="cme-demo-"))
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    stage = open_stage(root)  # the desk service and devices: no Qt
    try:
        if headless:
            from kiosk.demo.script import run_scripted

            return run_scripted(stage)
        from PySide6.QtWidgets import QApplication

        from kiosk.demo.window import run_window

        app = QApplication.instance() or QApplication(sys.argv)
        assert isinstance(app, QApplication)

        return run_window(
            stage, app, seconds=args.seconds, steps_limit=args.steps,
            screenshot=args.screenshot, interactive=args.interactive,
            screenshots=Path(args.screenshots) if args.screenshots else None,
        )  # fmt: skip
    finally:
        stage.close()
