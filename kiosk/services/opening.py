"""Opening a desk: configuration → store → the project's check-in service (no devices, no Qt)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from kiosk.config import Config
from kiosk.core.checkin import CheckInPolicy, ExpiredDocumentPolicy
from kiosk.core.model import DeskMode, Project
from kiosk.core.timeutil import Clock, utc_now
from kiosk.services.checkin import CheckInService
from sync.store import Store

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Desk:
    """Everything one desk needs that is not Qt: the store and its service."""

    config: Config
    store: Store
    service: CheckInService

    def close(self) -> None:
        """Close the store."""
        self.store.close()


def policy_from(config: Config, project: Project) -> CheckInPolicy:
    """The desk policy: the project's setting for expired documents wins over the local default."""
    expired = project.checkin.expired_document or config.desk.expired_document
    return CheckInPolicy(
        duplicate_window=timedelta(minutes=config.desk.duplicate_window_minutes),
        auto_min_interval=timedelta(minutes=config.desk.auto_min_interval_minutes),
        expired_document=ExpiredDocumentPolicy(expired),
    )


def open_desk(
    config: Config,
    *,
    project_number: str | None = None,
    db: Path | None = None,
    clock: Clock = utc_now,
) -> Desk:
    """Open the store and build the service for the desk's project (the only one, or the named)."""
    store = Store.open(
        db or config.data_dir / "kiosk.sqlite3", use_keyring=config.privacy.key_store == "keyring"
    )
    numbers = store.roster.project_numbers()
    number = project_number or (numbers[0] if len(numbers) == 1 else None)
    if number is None:
        store.close()
        raise LookupError(
            "no project on this kiosk yet: enroll it with the platform first"
            if not numbers
            else f"several projects here ({', '.join(numbers)}): name one"
        )
    project = store.roster.load_project(number)
    if project is None:
        store.close()
        raise LookupError(f"project {number} is not on this kiosk (or was purged)")
    device_id = store.get_meta("device_id") or f"local-{config.kiosk.desk_name}"
    denied_key = store.keys.denied_key(number)
    service = CheckInService(
        store=store,
        project=project,
        device_id=device_id,
        desk_name=config.kiosk.desk_name,
        mode=DeskMode(config.desk.mode),
        policy=policy_from(config, project),
        denied_key=denied_key,
        clock=clock,
    )
    return Desk(config=config, store=store, service=service)
