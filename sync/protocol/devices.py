"""Versions, time, enrollment, and a device's status report and completeness."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from sync.protocol.wire import (
    DeviceRole,
    DeviceState,
    EnrollmentCode,
    Hex64,
    Key32,
    LatestSeq,
    Seq,
    Signature,
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

    code: EnrollmentCode
    public_key: Key32  # the device's raw Ed25519 public key, base64
    desk_name: Annotated[str, plain(40, 1)]
    seq_start: Seq = 1  # the first sequence number this device will use


class Enrollment(Wire):
    """The answer to an enrollment; the token is shown once and stored hashed by the server."""

    device_id: str
    token: str
    project: str
    role: DeviceRole
    desk_name: str
    server_time: datetime


class ChainHead(Wire):
    """The device's signed checkpoint of its log's end (sync.chain.SignedHead on the wire)."""

    seq: Seq
    hash: Hex64
    signature: Signature  # Ed25519 by the device key over sync.chain.head_message(seq, hash)


class DeviceReport(Wire):
    """POST /api/v1/devices/me/status: the device's latest sequence number and signed head."""

    latest_seq: LatestSeq
    head: ChainHead | None = None  # None only before the first record


class HeadAnswer(Wire):
    """GET /api/v1/devices/me/head: the newest signed head the platform holds for the device."""

    device_id: str
    state: DeviceState
    head: ChainHead | None
    frozen_seq: int | None  # retired or revoked: records above it are refused


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
    frozen_seq: int | None = None  # retired or revoked: records above it are refused
    head_seq: int | None = None  # the newest chain head the device signed and reported


class DeviceStatus(Wire):
    """The answer to a device report."""

    desk: DeskCompleteness
    server_time: datetime
