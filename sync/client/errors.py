"""How a sync failure is typed: try again later, or staff must act (and which kind).

The outbox and the pull loop know only TransientSyncError and PermanentSyncError; the HTTP client
raises their kinds: TransientError (network, timeout, 5xx, 429, an unreadable answer),
PermanentError and its kinds UpdateNeeded, DeviceRevoked and SubmissionRefused.
"""

from __future__ import annotations

from typing import Any


class TransientSyncError(Exception):
    """Try again later: network down, timeout, 5xx, 429. `retry_after` is the server's hint.

    `status` is the HTTP status when the platform answered (None: no answer, e.g. network down)
    and `code` its error code: the outbox tells an outage from a record it keeps failing on.
    """

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = None,
        code: str = "",
    ):  # fmt: skip
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status
        self.code = code


class PermanentSyncError(Exception):
    """Retrying cannot help (revoked device, protocol mismatch): staff must act."""

    def __init__(self, message: str, *, reason: str, status: int | None = None):
        super().__init__(message)
        self.reason = reason
        self.status = status


class TransientError(TransientSyncError):
    """Try again later (network down, timeout, 5xx, 429, garbage answer); `retry_after` in s."""


class PermanentError(PermanentSyncError):
    """Retrying cannot help; `reason` is the machine code (e.g. unauthorized, tls_untrusted)."""


class UpdateNeeded(PermanentError):
    """The platform does not speak our protocol version: the kiosk needs an update."""

    def __init__(self, message: str, *, supported: list[int]):
        super().__init__(message, reason="update_needed")
        self.supported = supported


class DeviceRevoked(PermanentError):
    """The platform revoked this device; `detail` is the administrator's recorded reason."""

    def __init__(self, message: str, *, detail: str):
        super().__init__(message, reason="device_revoked")
        self.detail = detail


class SubmissionRefused(PermanentError):
    """A submission the platform refused (409): window not open, deadline passed, desks missing."""

    def __init__(self, message: str, *, reason: str, body: dict[str, Any]):
        super().__init__(message, reason=reason)
        self.body = body
        self.deadline: str | None = body.get("deadline")
        self.desks: list[dict[str, Any]] = list(body.get("desks", []))
