"""Administration on the server machine: projects, rosters, enrollment codes, devices, keys."""

from __future__ import annotations

import getpass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from kiosk.core.model import Project
from kiosk.core.timeutil import Clock, utc_now
from sync.protocol import DeskCompleteness, ProjectStatus
from sync.server import db as t
from sync.server import roster
from sync.server.completeness import completeness_of
from sync.server.db import PoolSettings
from sync.server.platform import CODE_LIFETIME, Platform, PlatformError
from sync.server.reports import status
from sync.server.roster_file import read_roster
from sync.server.run import default_db_url
from sync.server.schema import open_database

__all__ = ["PlatformError", "ServerAdmin"]


def _actor() -> str:
    try:
        return f"admin:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry in a container
        return "admin"


class ServerAdmin:
    """The administrator's view of the platform database (the CLI and `qr make` use it)."""

    def __init__(
        self, db_url: str | None = None, *, clock: Clock = utc_now, pool: PoolSettings | None = None
    ):
        self.db = open_database(db_url or default_db_url(), pool=pool)
        self.platform = Platform(self.db, clock=clock)
        self.actor = _actor()

    def close(self) -> None:
        """Release database connections."""
        self.db.dispose()

    # ---- projects, roster, keys --------------------------------------------------------------

    def create_project(self, project: Project, *, update: bool = False) -> bool:
        """Create (or with update=True replace the definition of) a project; True if new."""
        return self.platform.create_project(project, actor=self.actor, update_existing=update)

    def project(self, number: str) -> Project:
        """A project's definition (PlatformError if unknown)."""
        return self.platform.project(number)

    def projects(self) -> list[str]:
        """Every project number."""
        return self.platform.project_numbers()

    def import_roster(self, number: str, path: Path) -> dict[str, int]:
        """Validate the whole file, then import it in one transaction (else RosterFileError)."""
        self.platform.project(number)
        rows = read_roster(path)
        return roster.import_roster(self.platform, number, rows, actor=self.actor)

    def ticket_signing_key(self, project_number: str) -> tuple[str, bytes]:
        """(key id, raw 32-byte Ed25519 private key) that signs this project's QR tickets."""
        return self.platform.ticket_signing_key(project_number)

    def rotate_ticket_key(self, project_number: str, *, retire_old: bool = False) -> str:
        """A new ticket-signing key; kiosks learn its public key at their next pull."""
        return self.platform.rotate_ticket_key(
            project_number, actor=self.actor, retire_old=retire_old
        )

    def attendee_qr_secret(self, project_number: str, attendee_ref: str) -> bytes:
        """The attendee's 32-byte rotating-code secret."""
        return roster.attendee_qr_secret(self.platform, project_number, attendee_ref)

    def attendee_ref(self, project_number: str, ref_or_id_number: str) -> str:
        """An attendee's reference from the reference itself or the document number."""
        return roster.attendee_ref(self.platform, project_number, ref_or_id_number)

    def denied_hmac_key(self, project_number: str) -> bytes:
        """The key of the HMACs in refused-attempt records (to match a credential later)."""
        return self.platform.denied_hmac_key(project_number)

    # ---- devices -------------------------------------------------------------------------

    def enroll_code(
        self, project_number: str, *, role: str = "desk", lifetime: timedelta = CODE_LIFETIME,
        venue: bool = False,
    ) -> tuple[str, datetime]:  # fmt: skip
        """A single-use enrollment code and its expiry (`venue`: redeemable at a relay too)."""
        return self.platform.enroll_code(
            project_number, actor=self.actor, role=role, lifetime=lifetime, venue=venue
        )

    def devices(self, project_number: str | None = None) -> list[DeskCompleteness]:
        """Every device (of one project) with its state and completeness."""
        query = select(t.devices).order_by(t.devices.c.project, t.devices.c.enrolled_at)
        if project_number is not None:
            query = query.where(t.devices.c.project == project_number)
        with self.db.read() as conn:
            return completeness_of(conn, [r._mapping for r in conn.execute(query)])

    def device_project(self, device_id: str) -> str:
        """The project a device is enrolled in."""
        with self.db.read() as conn:
            return self.platform.device(device_id, conn).project

    def retire(self, device_id: str, *, reason: str, at: datetime | None = None) -> None:
        """Retire a desk (lost or replaced): its seq is frozen; it can no longer pull or report."""
        self.platform.end_device(device_id, state="retired", reason=reason, actor=self.actor, at=at)

    def revoke(self, device_id: str, *, reason: str) -> None:
        """Revoke a compromised device: its token is refused from now on, the reason recorded."""
        self.platform.end_device(device_id, state="revoked", reason=reason, actor=self.actor)

    def set_cap_exempt(self, numbers: list[str], *, reason: str) -> int:
        """Mark people the yearly-cap exemption covers (primary-care staff); how many were new."""
        from sync.server.ledger import set_exempt

        return set_exempt(self.platform, numbers, reason=reason, actor=self.actor)

    # ---- status --------------------------------------------------------------------------

    def status(self, project_number: str) -> ProjectStatus:
        """Counts, desks' completeness, conflicts and the submission window."""
        return status(self.platform, project_number)

    def audit_log(self, project_number: str | None = None) -> list[dict[str, object]]:
        """The audit trail (enrollments, retirements with reasons, submissions, …)."""
        return self.platform.audit_log(project_number)

    def stored_events(self, project_number: str) -> list[dict[str, object]]:
        """Every stored record of a project (uuid, device, seq, attendee, conflict…)."""
        c = t.events.c
        with self.db.read() as conn:
            rows = conn.execute(
                select(t.events).where(c.project == project_number).order_by(c.device_id, c.seq)
            )
            return [dict(r._mapping) for r in rows]

    def stored_denied(self, project_number: str) -> list[dict[str, object]]:
        """Every refused attempt uploaded for a project."""
        with self.db.read() as conn:
            rows = conn.execute(select(t.denied).where(t.denied.c.project == project_number))
            return [dict(r._mapping) for r in rows]
