"""The systemd units start commands that exist, with arguments the CLI accepts."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from kiosk.cli import build_parser

UNITS = sorted((Path(__file__).resolve().parents[2] / "packaging" / "systemd").glob("*.service"))


def exec_start(unit: Path) -> list[str]:
    """The ExecStart command line, continuation lines joined."""
    text = unit.read_text(encoding="utf-8").replace("\\\n", " ")
    [line] = [x for x in text.splitlines() if x.startswith("ExecStart=")]
    return shlex.split(line.removeprefix("ExecStart="))


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_exec_start_parses(unit: Path) -> None:
    argv = exec_start(unit)
    assert argv[0] == "/opt/cme-kiosk/venv/bin/cme-kiosk"  # where install-kiosk.sh puts it
    args = build_parser().parse_args(argv[1:])
    assert callable(getattr(args, "handler", None))


def test_desk_unit_runs_the_desk_full_screen_and_does_not_loop_on_bad_setup() -> None:
    [desk] = [u for u in UNITS if u.name == "cme-kiosk.service"]
    args = build_parser().parse_args(exec_start(desk)[1:])
    assert (args.command, args.fullscreen) == ("run", True)
    text = desk.read_text(encoding="utf-8")
    assert "RestartPreventExitStatus=2" in text and "KillSignal=SIGTERM" in text
