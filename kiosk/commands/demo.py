"""`cme-kiosk demo`: a desk with simulated devices and a local platform: a window, else a script."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.demo.stage import Stage


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


# Where the cme-kiosk-server package keeps its libraries (dh-virtualenv's layout).
SERVER_VENV = "/opt/venvs/cme-kiosk-server"


def lend_server_libraries() -> bool:
    """On a desk installed from the .deb beside the server package: use the platform's libraries.

    Both virtualenvs are built from the same pinned constraints for the same Python; the desk's
    own packages stay first on the path, the server's come after them (and reach the demo's own
    `cme-kiosk server` subprocesses through PYTHONPATH). False when the server is not installed.
    """
    import site
    import sys
    from pathlib import Path

    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    libraries = Path(os.environ.get("CME_KIOSK_SERVER_VENV", SERVER_VENV)) / "lib" / version
    packages = libraries / "site-packages"
    if not (packages / "fastapi").is_dir():
        return False
    site.addsitedir(str(packages))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (os.environ.get("PYTHONPATH", ""), str(packages)) if p
    )
    return True


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
        if not lend_server_libraries():
            # The demo plays against a local platform; a desk-only install (the desk .deb) has none.
            fail(f"the demo runs a local platform, which is not installed here: {INSTALL_SERVER}")
        from kiosk.demo.stage import open_stage

    headless = args.headless or not has_display()
    if headless and (args.screenshots or args.interactive):
        print("cme-kiosk demo: --screenshots and --interactive need a display", file=sys.stderr)
        return 2
    root = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="cme-demo-"))
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not headless:  # the scripted run sets up its own log and prints where it is
        from kiosk.logging_setup import setup_logging

        print(f"cme-kiosk demo: log {setup_logging(root / 'kiosk')}", flush=True)
    stage = open_stage(root)  # the desk service and devices: no Qt
    try:
        if headless:
            from kiosk.demo.script import run_scripted

            return run_scripted(stage)
        return _windowed(stage, args)
    finally:
        stage.close()


def _windowed(stage: Stage, args: argparse.Namespace) -> int:
    """The desk window: the day played by the player, or the control panel (--interactive)."""
    import sys
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from kiosk.demo.controls import DemoControls
    from kiosk.demo.player import STEP_PAUSE_S, DayPlayer, show_devices
    from kiosk.ui.demo.window import Options, run_window

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    shots = Path(args.screenshots) if args.screenshots else None
    options = Options(
        seconds=args.seconds, steps_limit=args.steps, screenshot=args.screenshot,
        screenshots=shots, hold_ms=int(STEP_PAUSE_S * 900),
    )  # fmt: skip
    controls = DemoControls(stage) if args.interactive else None
    player = None if args.interactive else DayPlayer(stage, limit=args.steps, shots=bool(shots))
    try:
        return run_window(stage.service, app, player=player, controls=controls, options=options,
                          on_open=lambda: show_devices(stage),
                          sounds=stage.runtime.sounds)  # fmt: skip
    finally:
        if controls is not None:
            controls.join()
