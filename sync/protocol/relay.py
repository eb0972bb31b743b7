"""What a venue relay sends the platform about its kiosks (docs/protocol.md "Venue relay")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from sync.protocol.devices import DeskCompleteness
from sync.protocol.wire import (
    MAX_BATCH,
    DeviceState,
    Ident,
    Key32,
    Wire,
    plain,
)


class RelayDevice(Wire):
    """POST /api/v1/relay/devices: a kiosk enrolled with the relay, registered upstream by it."""

    device_id: Ident  # the id the relay gave the kiosk: its records are signed with it
    public_key: Key32
    desk_name: Annotated[str, plain(40, 1)]
    seq_start: Annotated[int, Field(ge=1)] = 1


class RelayDeviceAnswer(Wire):
    """The kiosk as the platform now knows it."""

    device_id: str
    status: Literal["registered", "already_registered"]
    state: DeviceState
    end_reason: str = ""


class RelayDeskReport(Wire):
    """One relayed kiosk's latest sequence number, as it reported it to the relay."""

    device_id: Ident
    latest_seq: Annotated[int, Field(ge=0)]


class RelayStatusReport(Wire):
    """POST /api/v1/relay/status: the relayed kiosks' reports."""

    desks: Annotated[list[RelayDeskReport], Field(min_length=1, max_length=MAX_BATCH)]


class RelayStatusAnswer(Wire):
    """Each relayed kiosk's completeness on the platform (its state tells a revocation)."""

    desks: list[DeskCompleteness]
    server_time: datetime
