"""Versions, time, enrollment, and a device's status report and completeness."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from sync.protocol.wire import (
    DeviceRole,
    DeviceState,
    Key32,
    Wire,
    plain,
)


class Versions(Wire):
    """GET /api/versions: what the server speaks (unversioned path, so any client can ask)."""

    supported: list[int]
    server_time: datetime


class ServerTime(Wire):
    """GET /api/v1/time."""

    server_time: datetime


class EnrollRequest(Wire):
    """POST /api/v1/enroll: exchange a one-time code for a device id and bearer token."""

    code: Annotated[str, Field(min_length=4, max_length=64, pattern=r"^[A-Za-z0-9 -]+$")]
    public_key: Key32  # the device's raw Ed25519 public key, base64
    desk_name: Annotated[str, plain(40, 1)]
    seq_start: Annotated[int, Field(ge=1)] = 1  # the first sequence number this device will use


class Enrollment(Wire):
    """The answer to an enrollment; the token is shown once and stored hashed by the server."""

    device_id: str
    token: str
    project: str
    role: DeviceRole
    desk_name: str
    server_time: datetime


class DeviceReport(Wire):
    """POST /api/v1/devices/me/status: the device's latest sequence number."""

    latest_seq: Annotated[int, Field(ge=0)]


class DeskCompleteness(Wire):
    """What the platform knows of one device's records, by sequence number."""

    device_id: str
    desk_name: str
    role: DeviceRole
    state: DeviceState
    highest_contiguous: int  # every seq from the device's first up to this one was received
    latest_seq: int  # the higher of the device's report and the highest seq received
    missing: int  # sequence numbers up to latest_seq not received
    reported: bool  # whether the device ever reported its latest seq
    complete: bool
    blocking: bool  # an active desk that is incomplete holds up the submission
    end_reason: str = ""


class DeviceStatus(Wire):
    """The answer to a device report."""

    desk: DeskCompleteness
    server_time: datetime
