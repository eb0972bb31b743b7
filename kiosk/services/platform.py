"""The kiosk and its platform: enrollment, the project/roster pull, and what staff are told.

`enroll_kiosk` exchanges a one-time code for a device id and token and prepares the kiosk with a
first full pull (kiosk.services.platform_pull); `start_sync` (kiosk.services.platform_sync) runs
uploads and pulls in the background; kiosk.services.platform_problems says what went wrong.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import Config
from kiosk.services.platform_problems import PlatformProblem, explain
from kiosk.services.platform_pull import (
    META_CURSOR,
    META_ETAG,
    PullResult,
    client_for,
    pull_project,
)
from kiosk.services.platform_state import EnrollmentState, read_state, save_token, write_state
from kiosk.services.platform_sync import start_sync
from sync.client import SyncClient
from sync.client.errors import (
    PermanentError,
    PermanentSyncError,
    TransientError,
    TransientSyncError,
)
from sync.client.outbox import Outbox
from sync.store import Store

__all__ = [
    "Enrollment",
    "EnrollmentState",
    "PlatformProblem",
    "PullResult",
    "client_for",
    "enroll_kiosk",
    "explain",
    "pull_project",
    "read_state",
    "start_sync",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Enrollment:
    """A completed enrollment of this kiosk and its first pull."""

    device_id: str
    project: str
    role: str
    desk_name: str
    server_url: str
    token_store: str  # "keyring" or the token file's path (never the token)
    pulled: PullResult
    pending_before: int  # records recorded before this enrollment that are still unsent


def enroll_kiosk(
    config: Config,
    store: Store,
    *,
    server_url: str,
    code: str,
    ca_bundle: Path | None = None,
    force: bool = False,
    page_size: int = 500,
) -> Enrollment:
    """Enroll this kiosk with a one-time code, save the state and token, then pull everything."""
    use_keyring = config.privacy.key_store == "keyring"
    previous = read_state(store)
    if previous.enrolled and not force:
        raise PlatformProblem(
            f"本机已注册（设备 {previous.device_id}，项目 {previous.project}），"
            "如需重新注册请加 --force",
            f"this kiosk is already enrolled (device {previous.device_id}, project"
            f" {previous.project}); use --force to enroll it again",
            reason="already_enrolled",
        )
    if previous.enrolled:
        _drain_old_identity(config, store)
    ca = ca_bundle or config.sync.ca_bundle
    try:
        client = SyncClient(
            server_url, ca_bundle=ca, pin_sha256=config.sync.pinned_sha256,
            connect_timeout=config.sync.connect_timeout_s, read_timeout=config.sync.read_timeout_s,
        )  # fmt: skip
    except (ValueError, OSError) as exc:
        raise PlatformProblem(
            "平台地址或证书文件无效", f"bad platform URL or CA bundle: {exc}", reason="bad_setting"
        ) from None
    with client:
        try:
            client.negotiate()
            answer = client.enroll(
                code, public_key=store.device_public_key(),
                desk_name=config.kiosk.desk_name, seq_start=store.records.last_seq() + 1,
            )  # fmt: skip
        except (TransientError, PermanentError) as exc:
            log.error("enrollment failed: %s", exc)
            raise explain(exc) from None
        where = save_token(store, answer.token, use_keyring=use_keyring)
        state = EnrollmentState(
            device_id=answer.device_id, server_url=server_url, project=answer.project,
            ca_bundle=ca.resolve() if ca else None, role=answer.role, desk_name=answer.desk_name,
        )  # fmt: skip
        write_state(store, state)
        # A new device starts its pull from scratch: the old cursor belonged to another identity.
        store.set_meta(META_CURSOR.format(answer.project), "0")
        store.set_meta(META_ETAG.format(answer.project), "")
        log.info("kiosk enrolled as %s for project %s", answer.device_id, answer.project)
        try:
            pulled = pull_project(store, client, answer.project, limit=page_size)
        except (TransientError, PermanentError) as exc:
            problem = explain(exc)
            raise PlatformProblem(
                f"已注册，但首次下载名单失败：{problem.zh}，请稍后运行 cme-kiosk sync",
                f"enrolled, but the first pull failed: {problem.en}; run `cme-kiosk sync` later",
                reason=f"first_pull_{problem.reason}",
            ) from None
    return Enrollment(
        device_id=answer.device_id, project=answer.project, role=answer.role,
        desk_name=answer.desk_name, server_url=server_url, token_store=where, pulled=pulled,
        pending_before=store.outbox.pending_count() if previous.enrolled else 0,
    )  # fmt: skip


def _drain_old_identity(config: Config, store: Store) -> None:
    """Before a forced re-enrollment: upload what the old identity recorded, while it still can."""
    if not store.outbox.pending_count():
        return
    client = client_for(config, store)
    if client is None or not client.token:
        return
    with client:
        try:
            Outbox(store.outbox, client, batch_size=config.sync.batch_size).drain()
        except (TransientSyncError, PermanentSyncError) as exc:
            # Not fatal: what stays pending is refused later as another device's and dead-lettered.
            log.warning("records of the old identity not uploaded before re-enrollment: %s", exc)
