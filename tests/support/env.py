"""Test prerequisites: under CI=true a missing service is a failure, elsewhere a skip with the reason."""

from __future__ import annotations

import os
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need(ok: bool, what: str) -> None:
    """Fail (CI) or skip (elsewhere) unless `ok`; `what` says what is missing and why."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"CI=true and a required test service is missing: {what}", pytrace=False)
    pytest.skip(what)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
