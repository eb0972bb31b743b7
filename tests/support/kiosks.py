"""Whole kiosks for tests: the lead's store, check-in service and outbox over the real client."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.core.model import DeskMode, Project
from kiosk.services.checkin import CheckInService
from kiosk.services.platform import pull_project
from sync.client import SyncClient
from sync.client.outbox import Outbox
from sync.protocol import Enrollment
from sync.store import Store
from tests.support.live_server import LiveServer
from tests.support.roster import FakeClock


@dataclass
class Kiosk:
    """One desk: store, service, client, outbox."""

    name: str
    store: Store
    client: SyncClient
    service: CheckInService
    outbox: Outbox
    enrollment: Enrollment
    project: Project

    def pull(self) -> str:
        """Pull the bundle, roster and other desks' records with the kiosk's own code."""
        return pull_project(self.store, self.client, self.project.number).cursor

    def sync(self) -> None:
        """Drain the outbox (raises on failure, like the worker sees it)."""
        self.outbox.drain()


def prev_hash_lookup(store: Store) -> object:
    """The stored hash of a given sequence number (the chain link of the next record)."""

    def lookup(seq: int) -> str | None:
        rows = [r for r in store.records.chain_rows() if r["seq"] == seq]
        return str(rows[0]["hash"]) if rows else None

    return lookup


def make_kiosk(
    tmp_path: Path,
    server: LiveServer,
    project: Project,
    name: str,
    *,
    clock: FakeClock,
    batch_size: int = 500,
    client: SyncClient | None = None,
    code: str | None = None,
) -> Kiosk:
    """Enroll a fresh kiosk store with the platform (with `code`, else a new one) and pull."""
    store = Store.open(tmp_path / f"kiosk-{name}" / "kiosk.sqlite3")
    if code is None:
        code, _ = server.admin.enroll_code(project.number)
    client = client or server.client(prev_hash_of=prev_hash_lookup(store))
    enrollment = client.enroll(code, public_key=store.device_public_key(), desk_name=name)
    store.set_meta("device_id", enrollment.device_id)
    bundle, _ = client.project(project.number)
    assert bundle is not None
    store.roster.save_project(bundle.to_project())
    service = CheckInService(
        store=store, project=bundle.to_project(), device_id=enrollment.device_id, desk_name=name,
        mode=DeskMode.AUTO, clock=clock, denied_key=bundle.hmac_key,
    )  # fmt: skip
    kiosk = Kiosk(
        name=name, store=store, client=client, service=service,
        outbox=Outbox(store.outbox, client, batch_size=batch_size), enrollment=enrollment,
        project=bundle.to_project(),
    )  # fmt: skip
    kiosk.pull()
    return kiosk
