"""The running desk: devices built from the configuration, their events routed to the bridge."""

from __future__ import annotations

from kiosk.runtime.cards import credential_for
from kiosk.runtime.devices import DeskPort, Device, StatusBoard
from kiosk.runtime.runtime import Runtime

__all__ = ["DeskPort", "Device", "Runtime", "StatusBoard", "credential_for"]
