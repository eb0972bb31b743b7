"""The organizer's workspace over a real platform: a server, a desk's records, an enrolled tool."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kiosk.reports.workspace import Credentials, Workspace
from kiosk.services.organizer import OrganizerService
from kiosk.services.organizer_view import ActionResult, WorkspaceView
from sync import signing
from tests.support.desks import WireDesk, enroll, seed_platform
from tests.support.live_server import LiveServer, start_live_server
from tests.support.roster import DAY1, DAY2, at, make_project
from tests.support.tls import TlsFiles

NUMBER = make_project().number


def enroll_organizer(server: LiveServer, ws: Workspace, number: str = NUMBER) -> Credentials:
    """What `cme-kiosk organizer enroll` does: a one-time code for a key, kept in the workspace."""
    code, _ = server.admin.enroll_code(number, role="organizer")
    client = server.client()
    key = signing.new_private_key()
    answer = client.enroll(code, public_key=signing.public_b64(key), desk_name="organizer")
    creds = Credentials(server.url, answer.device_id, answer.token, answer.project,
                        str(server.tls.ca_pem), None)  # fmt: skip
    ws.save_credentials(creds)
    return creds


def attend(desk: WireDesk, ref: str, *spans: tuple[datetime, datetime | None]) -> None:
    """A person's check-ins and check-outs at one desk (None: no check-out)."""
    records = []
    for start, end in spans:
        records.append(desk.record(ref, at=start, method="face"))
        if end is not None:
            records.append(desk.record(ref, at=end, direction="out", method="qr"))
    desk.upload(*records)


def seed_event(server: LiveServer) -> WireDesk:
    """The test project (2 days, 3 sessions), a roster of 5 and one desk's complete records.

    A1 forgot to check out on day 1 in the morning; A2 and A3 (the speaker) came to everything.
    """
    server.clock.set(at(DAY1, 7))
    seed_platform(server, make_project(), roster_size=5)
    desk = enroll(server, NUMBER, "A")
    attend(desk, "A1", (at(DAY1, 8, 20), None))
    for ref in ("A2", "A3"):
        attend(desk, ref, (at(DAY1, 8, 25), at(DAY1, 12, 5)), (at(DAY1, 13, 50), at(DAY1, 17, 2)),
               (at(DAY2, 8, 20), at(DAY2, 11, 40)))  # fmt: skip
    desk.client.device_status(desk.seq)
    return desk


@dataclass
class Collected:
    """Every view and answer the bridge delivered on the GUI thread."""

    views: list[WorkspaceView] = field(default_factory=list)
    results: list[ActionResult] = field(default_factory=list)

    def last(self, action: str) -> ActionResult | None:
        """The newest answer to `action`."""
        return next((r for r in reversed(self.results) if r.action == action), None)


@contextmanager
def live_platform(tmp_path: Path, tls: TlsFiles) -> Iterator[LiveServer]:
    """The real server on SQLite for one test."""
    server = start_live_server(f"sqlite:///{tmp_path / 'server.sqlite3'}", tls, backend="sqlite")
    try:
        yield server
    finally:
        server.stop()


def workspace_service(ws_root: Path, number: str = NUMBER) -> OrganizerService:
    """The workspace service over the enrolled directory."""
    return OrganizerService(Workspace(ws_root), number)
