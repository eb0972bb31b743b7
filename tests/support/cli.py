"""`cme-kiosk ARGV` run in the test process, as a field engineer would type it."""

from __future__ import annotations

import pytest

from kiosk.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of one command; SystemExit is an exit status, not an error."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
