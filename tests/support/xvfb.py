"""A private X server (Xvfb) for tests that need real windows and screenshots."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.env import need


def start_xvfb(size: str = "1280x800") -> tuple[subprocess.Popen[bytes], str]:
    """A private X server of `size` (WxH) on a display number the server chose itself.

    Xvfb takes the first free display under its lock files and says which (-displayfd) once it
    accepts connections: two tests starting at once never share one server (a test that found
    the other's socket used its display, and lost it when the other test stopped its server).
    """
    need(shutil.which("Xvfb") is not None, "Xvfb is not installed (apt install xvfb)")
    read, write = os.pipe()
    try:
        proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(write,),
        )
    finally:
        os.close(write)
    said = b""
    try:
        deadline = time.monotonic() + 10
        while not said.endswith(b"\n") and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([read], [], [], left)
            chunk = os.read(read, 16) if ready else b""
            if not chunk:  # the server exited (EOF) or said nothing in time
                break
            said += chunk
    finally:
        os.close(read)
    if said.strip().isdigit():
        return proc, f":{int(said)}"
    proc.kill()
    proc.wait(10)
    need(False, f"Xvfb did not start (it said {said!r})")
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
