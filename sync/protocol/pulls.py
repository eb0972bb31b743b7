"""What a device pulls: the project bundle with its keys and PINs, roster and change pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from kiosk.core.ids import DocumentType, IdentityDocument
from kiosk.core.model import Attendee, Project, Role
from kiosk.core.project_file import project_from_dict
from sync.protocol.wire import (
    Key32,
    MethodName,
    Wire,
    b64_bytes,
)

PinRole = Literal["staff", "organizer"]
PinHash = Annotated[str, Field(max_length=200, pattern=r"^\$argon2id?\$[ -~]+$")]


def _unset(value: object) -> bool:
    return value is None


class TicketKey(Wire):
    """A public key that verifies the platform's signed QR tickets (several during rotation)."""

    key_id: str
    public_key: Key32


class StaffMember(Wire):
    """A named member of the project's desk staff: who signs in, with which PIN (argon2 hash)."""

    staff_id: Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]
    name: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]
    role: Literal["staff", "lead"]
    # Only desks get the hash (they check sign-ins offline); an organizer's device gets the name.
    pin_hash: PinHash | None = Field(None, exclude_if=_unset)


class ProjectBundle(Wire):
    """GET /api/v1/projects/{number}: definition and verification keys (ETag-cached)."""

    project: dict[str, Any]  # kiosk.core.project_file.project_to_dict
    ticket_keys: list[TicketKey]
    denied_hmac_key: Key32  # keys the HMAC of refused credentials (raw 32 bytes, base64)
    # Desk PINs set by the administration (argon2 hashes): how a forgotten PIN is recovered.
    pin_hashes: dict[PinRole, PinHash] = Field(default_factory=dict)
    # The project's named staff (docs/protocol.md "Named staff"); empty: the shared PIN only.
    staff: list[StaffMember] = Field(default_factory=list, exclude_if=lambda v: not v)

    def to_project(self) -> Project:
        """The kiosk's model of the project; ValueError if the definition is not valid."""
        return project_from_dict(self.project, source="platform bundle")

    @property
    def hmac_key(self) -> bytes:
        """The denied-credential HMAC key as raw bytes."""
        return b64_bytes(self.denied_hmac_key, size=32)


class WireAttendee(Wire):
    """One roster entry as shipped to enrolled kiosks (with its rotating-code secret)."""

    id: str
    id_type: str
    id_number: str
    name: str
    unit: str
    department: str
    title: str
    role: Literal["participant", "speaker"]
    card_uids: list[str]
    qr_secret: Key32  # 32 random bytes, base64: the attendee's rotating-code secret

    def to_attendee(self) -> Attendee:
        """The kiosk's model of this roster entry."""
        return Attendee(
            id=self.id,
            document=IdentityDocument(DocumentType(self.id_type), self.id_number),
            name=self.name,
            unit=self.unit,
            department=self.department,
            title_series=self.title,
            role=Role(self.role),
            card_uids=tuple(self.card_uids),
        )

    @property
    def secret(self) -> bytes:
        """The rotating-code secret as raw bytes."""
        return b64_bytes(self.qr_secret, size=32)


class RemoteEvent(Wire):
    """A record another desk uploaded (organizers receive every desk's), as the server holds it."""

    uuid: str
    project: str
    attendee_id: str
    direction: Literal["in", "out"]
    method: MethodName
    device_id: str
    desk_name: str
    scanned_at: str
    utc_offset_minutes: int
    server_offset_ms: int | None
    received_at: datetime
    flags: list[str]
    conflict: bool
    # Staff records: left off the wire when unset (desks from before them read the rest).
    kind: str = Field("checkin", exclude_if=lambda v: v == "checkin")
    staff_id: str | None = Field(None, exclude_if=_unset)
    note: str | None = Field(None, exclude_if=_unset)
    refers_to: str | None = Field(None, exclude_if=_unset)
    receipt: str | None = Field(None, exclude_if=_unset)  # a dispute: the receipt it showed
    voided_by: str | None = Field(None, exclude_if=_unset)  # the void that undid this one

    def store_row(self) -> dict[str, object]:
        """The row shape the store's `store.outbox.add_remote_events` takes."""
        return self.model_dump(mode="json")


class ChangesPage(Wire):
    """GET /api/v1/projects/{number}/changes?cursor=…: one page, resume from `cursor`."""

    project: str
    cursor: str
    more: bool
    attendees: list[WireAttendee]
    events: list[RemoteEvent]
