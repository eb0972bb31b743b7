"""A private X server (Xvfb) for tests that need real windows and screenshots."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.env import need


def start_xvfb(size: str = "1280x800") -> tuple[subprocess.Popen[bytes], str]:
    """A private X server of `size` (WxH) on a free display number."""
    need(shutil.which("Xvfb") is not None, "Xvfb is not installed (apt install xvfb)")
    for n in range(91, 140):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            break
    proc = subprocess.Popen(
        ["Xvfb", f":{n}", "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if Path(f"/tmp/.X11-unix/X{n}").exists():
            return proc, f":{n}"
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    need(False, f"Xvfb :{n} did not start")
    raise AssertionError("unreachable")


@contextmanager
def xvfb(size: str = "1280x800") -> Iterator[str]:
    """An X display for the block; the server is stopped after it."""
    proc, display = start_xvfb(size)
    try:
        yield display
    finally:
        proc.terminate()
        proc.wait(10)
