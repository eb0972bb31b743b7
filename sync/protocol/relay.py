"""What a venue relay sends the platform about its kiosks (docs/protocol.md "Venue relay")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from sync.protocol.devices import ChainHead, DeskCompleteness
from sync.protocol.wire import (
    MAX_BATCH,
    DeviceState,
    EnrollmentCode,
    Hex64,
    Ident,
    Key32,
    LatestSeq,
    Seq,
    Wire,
    plain,
)


class RelayDevice(Wire):
    """POST /api/v1/relay/devices: a kiosk enrolled with the relay, registered upstream by it."""

    device_id: Ident  # the id the relay gave the kiosk: its records are signed with it
    public_key: Key32
    desk_name: Annotated[str, plain(40, 1)]
    seq_start: Seq = 1
    # The desk code this platform issued and the kiosk enrolled with at the relay: a desk
    # exists upstream only through an enrollment the platform issued.
    enrollment_code: EnrollmentCode


class RelayDeviceAnswer(Wire):
    """The kiosk as the platform now knows it."""

    device_id: str
    status: Literal["registered", "already_registered"]
    state: DeviceState
    end_reason: str = ""


class RelayCode(Wire):
    """One open desk code of the project, as a verifier the relay checks a code against."""

    verifier: Hex64  # sync.server.codes.relay_verifier(project, code)
    expires_at: datetime


class RelayCodes(Wire):
    """GET /api/v1/relay/codes: the project's open desk codes, so kiosks can enroll offline."""

    project: str
    codes: list[RelayCode]


class RelayDeskReport(Wire):
    """One relayed kiosk's latest sequence number, as it reported it to the relay."""

    device_id: Ident
    latest_seq: LatestSeq
    head: ChainHead | None = None  # the kiosk's own signed head, verified upstream with its key


class RelayStatusReport(Wire):
    """POST /api/v1/relay/status: the relayed kiosks' reports."""

    desks: Annotated[list[RelayDeskReport], Field(min_length=1, max_length=MAX_BATCH)]


class RelayStatusAnswer(Wire):
    """Each relayed kiosk's completeness on the platform (its state tells a revocation)."""

    desks: list[DeskCompleteness]
    server_time: datetime
