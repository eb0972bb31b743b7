"""`cme-kiosk run`: the check-in desk with its window, devices and sync (systemd runs this)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the run command."""
    p = sub.add_parser("run", help="run the check-in desk: window, card readers, scanners, camera")
    p.add_argument("--project", help="project number (default: the only project on this kiosk)")
    p.add_argument("--fullscreen", action="store_true", help="fill the screen")
    p.add_argument(
        "--kiosk",
        action="store_true",
        help="kiosk mode: frameless full screen; closing or leaving needs a staff PIN",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Open the store, start the desk; exit 0 on window close or SIGTERM, 2 without a project."""
    if not args.kiosk:
        return _run(args)
    code: object = 1
    try:
        code = _run(args)
        return int(code)
    except SystemExit as exc:
        code = exc.code
        raise
    finally:
        # cage exits 0 whatever its child did: a crashed desk tells systemd itself. Status 2 is a
        # setup problem (no project, bad config, another desk running) a restart cannot fix.
        if code not in (0, 2):
            from kiosk.runtime.heartbeat import report_failure

            report_failure()


def _run(args: argparse.Namespace) -> int:
    from kiosk.commands._common import config_from_args, fail
    from kiosk.core.errors import KioskError
    from kiosk.logging_setup import setup_logging
    from kiosk.services.opening import open_desk

    config = config_from_args(args)
    log_file = setup_logging(config.data_dir, level=config.kiosk.log_level, console=True)
    from kiosk.runtime.instance import AlreadyRunning, CrashReports, DeskLock

    lock = DeskLock(config.data_dir)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        fail(str(exc), code=2)
    crashes = CrashReports(log_file.parent)
    crashes.install()
    try:
        desk = open_desk(config, project_number=args.project)
    except LookupError as exc:
        fail(str(exc.args[0]) if exc.args else str(exc), code=2)
        raise AssertionError("unreachable") from None
    except KioskError as exc:
        fail(f"cannot open the store: {exc.detail} (log: {log_file})")
        raise AssertionError("unreachable") from None
    from kiosk.app import run_desk
    from kiosk.logging_setup import protect_names

    # The roster's names are masked in every log line, whatever slips into one.
    protect_names(p.name for p in desk.store.roster.attendees(desk.service.project.number))
    try:
        return run_desk(desk, fullscreen=args.fullscreen, kiosk=args.kiosk)
    finally:
        desk.close()
        crashes.close()
        lock.release()
