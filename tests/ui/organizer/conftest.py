"""The workspace flows run against the real platform: the test CA and its server."""

from __future__ import annotations

from tests.support.tls import tls  # noqa: F401
