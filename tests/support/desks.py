"""Protocol-level desks for tests: an enrolled key, a sequence counter and a hash chain."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.core.model import Project, new_uuid
from kiosk.core.timeutil import offset_minutes, to_utc
from sync import signing
from sync.client import RecordAnswer, SyncClient
from sync.protocol import DeniedRecord, Enrollment, EventRecord
from sync.server.roster import RosterRow, import_roster
from tests.support.live_server import LiveServer
from tests.support.roster import DAY1, at, make_project, make_roster


def seed_platform(server: LiveServer, project: Project, *, roster_size: int) -> None:
    """Create the project and import a roster of valid people (refs A1…An)."""
    server.admin.create_project(project)
    rows = [
        RosterRow(line=i + 2, id_type=a.document.type.value, id_number=a.document.number,
                  name=a.name, unit=a.unit, role=a.role.value, card_uids=a.card_uids)
        for i, a in enumerate(make_roster(roster_size))
    ]  # fmt: skip
    import_roster(server.admin.platform, project.number, rows, actor="test")


@pytest.fixture
def srv(live_server: LiveServer) -> Iterator[LiveServer]:
    """The live server with the test project (two days) and a roster of 5, clock on day 1 07:00."""
    live_server.clock.set(at(DAY1, 7))
    seed_platform(live_server, make_project(), roster_size=5)
    yield live_server


class WireDesk:
    """An enrolled device speaking the protocol directly (no kiosk store)."""

    def __init__(self, client: SyncClient, key: Ed25519PrivateKey, enrollment: Enrollment):
        self.client = client
        self.key = key
        self.enrollment = enrollment
        self.device_id = enrollment.device_id
        self.project = enrollment.project
        self.seq = 0
        self.prev = signing.GENESIS

    def record(
        self,
        attendee_id: str,
        *,
        at: datetime,
        direction: str = "in",
        server_offset_ms: int | None = None,
        **override: Any,
    ) -> EventRecord:
        """The next record of this desk, chained and signed (overrides change signed fields)."""
        self.seq += 1
        fields: dict[str, Any] = {
            "uuid": new_uuid(), "seq": self.seq, "project": self.project,
            "attendee_id": attendee_id, "direction": direction, "method": "id_card",
            "device_id": self.device_id, "scanned_at": to_utc(at).isoformat(),
            "utc_offset_minutes": offset_minutes(at), "server_offset_ms": server_offset_ms,
            "evidence_ref": None, "flags": [],
        }  # fmt: skip
        fields.update(override)
        key = fields.pop("key", self.key)
        rec = signing.signed_record(key, fields, prev_hash=self.prev)
        self.prev = rec.hash
        return rec

    def upload(self, *records: EventRecord) -> list[RecordAnswer]:
        """Upload records in one batch."""
        return self.client.upload(list(records))

    def denied(
        self, *, at: datetime, reason: str = "bad_signature", hmac: str | None = None
    ) -> DeniedRecord:
        """A refused attempt of this desk."""
        return DeniedRecord(
            uuid=new_uuid(), project=self.project, method="qr", reason=reason, detail="test",
            credential_hmac=hmac, device_id=self.device_id, scanned_at=to_utc(at).isoformat(),
            utc_offset_minutes=offset_minutes(at),
        )  # fmt: skip


def enroll(
    server: LiveServer, project: str, name: str = "A", *, role: str = "desk",
    code: str | None = None,
) -> WireDesk:  # fmt: skip
    """Enroll a fresh key with `code` (else a new code of `role`), return the desk."""
    if code is None:
        code, _ = server.admin.enroll_code(project, role=role)
    key = signing.new_private_key()
    client = server.client()
    enrollment = client.enroll(code, public_key=signing.public_b64(key), desk_name=name)
    return WireDesk(client, key, enrollment)


def statuses(answers: Sequence[RecordAnswer]) -> list[tuple[str, str]]:
    """(status, reason) per answer."""
    return [(a.status, a.reason) for a in answers]
