"""The kiosk and its platform: enrollment, the project/roster pull, and what staff are told.

`enroll_kiosk` exchanges a one-time code for a device id and token and prepares the kiosk with a
first full pull; `pull_project` applies the bundle and change pages resumably; `start_sync`
(kiosk.services.platform_sync) runs uploads and pulls in the background.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import Config
from kiosk.core.errors import KioskError
from kiosk.core.model import Attendee
from kiosk.services.pins import PinGuard
from kiosk.services.platform_state import (
    EnrollmentState,
    load_token,
    read_state,
    save_token,
    write_state,
)
from sync.client import SyncClient
from sync.client_http import PermanentError, TransientError
from sync.outbox import Outbox, PermanentSyncError, TransientSyncError, attention_text
from sync.protocol import ChangesPage, ProjectBundle, b64_bytes
from sync.store import Store

if TYPE_CHECKING:
    from collections.abc import Callable

    from kiosk.services.platform_sync import SyncHandle
    from sync.outbox import SyncStatus

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

META_ETAG = "platform_etag:{}"
META_CURSOR = "platform_cursor:{}"

# Enrollment refusals staff can act on; the rest go through sync.outbox.attention_text.
_ENROLL_REASONS: dict[str, tuple[str, str]] = {
    "invalid_code": (
        "注册码无效，请向管理员重新申请",
        "unknown enrollment code: ask for a new one",
    ),
    "code_used": ("注册码已被使用，请向管理员重新申请", "this enrollment code was already used"),
    "code_expired": ("注册码已过期，请向管理员重新申请", "this enrollment code has expired"),
    "invalid_public_key": ("本机密钥无效", "the kiosk's device key was refused"),
}


class PlatformProblem(Exception):
    """A failure staff must read: a Chinese and an English sentence and a machine reason."""

    def __init__(self, zh: str, en: str, *, reason: str):
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en
        self.reason = reason


def explain(exc: BaseException) -> PlatformProblem:  # noqa: PLR0911 - one sentence per kind
    """Any sync failure as a bilingual sentence for staff (detail stays in English)."""
    if isinstance(exc, PlatformProblem):
        return exc
    if isinstance(exc, TransientError):
        return PlatformProblem(
            "暂时无法连接平台，记录已保存在本机，稍后自动重试",
            f"cannot reach the platform now ({exc}); records are kept here and retried",
            reason="transient",
        )
    if isinstance(exc, PermanentSyncError):
        if exc.reason in _ENROLL_REASONS:
            zh, en = _ENROLL_REASONS[exc.reason]
            return PlatformProblem(zh, en, reason=exc.reason)
        zh, _, en = attention_text(exc.reason).partition(" / ")
        if not en:  # a reason without a sentence of its own
            zh, en = "平台拒绝了请求，请联系管理员", f"the platform refused ({exc.reason})"
        return PlatformProblem(zh, f"{en}: {exc}", reason=exc.reason)
    if isinstance(exc, KioskError):  # e.g. StorageUnavailable: the disk is full
        return PlatformProblem(exc.screen_zh, f"{exc.screen_en} ({exc.detail})", reason="local")
    if isinstance(exc, OSError):
        return PlatformProblem(
            "本机存储或文件错误", f"local storage or file error: {exc}", reason="local_io"
        )
    return PlatformProblem("同步失败", f"sync failed: {type(exc).__name__}: {exc}", reason="error")


@dataclass(frozen=True, slots=True)
class PullResult:
    """What one pull brought: bundle changed or not, and counts per kind."""

    project: str
    bundle_changed: bool = False
    ticket_keys: int = 0
    pages: int = 0
    attendees: int = 0
    secrets: int = 0
    events: int = 0  # other desks' records newly stored here
    invalid: int = 0  # roster entries this kiosk could not read (logged, counted, skipped)
    cursor: str = "0"

    def line(self) -> str:
        """One summary line for staff."""
        bundle = (
            "项目已更新 project updated" if self.bundle_changed else "项目未变 project unchanged"
        )
        text = (
            f"{self.project}: {bundle} · 名单 roster {self.attendees} · 其他签到台记录"
            f" other desks' records {self.events}"
        )
        if self.invalid:
            text += f" · 无法读取 unreadable {self.invalid}"
        return text


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


def client_for(
    config: Config, store: Store, *, token: str | None = None, **kw: Any
) -> SyncClient | None:
    """A client for this kiosk's platform with its token; None when it is not enrolled."""
    state = read_state(store)
    url = config.sync.server_url or state.server_url
    if not url:
        return None
    token = token or load_token(store, use_keyring=config.privacy.key_store == "keyring")
    return SyncClient(
        url, token=token, ca_bundle=config.sync.ca_bundle or state.ca_bundle,
        pin_sha256=config.sync.pinned_sha256, connect_timeout=config.sync.connect_timeout_s,
        read_timeout=config.sync.read_timeout_s, **kw,
    )  # fmt: skip


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
                desk_name=config.kiosk.desk_name, seq_start=store.last_seq() + 1,
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
        pending_before=store.pending_count() if previous.enrolled else 0,
    )  # fmt: skip


def start_sync(
    config: Config, store: Store, *, project: str, on_status: Callable[[SyncStatus], None]
) -> SyncHandle:
    """Start uploads and pulls in the background (kiosk.services.platform_sync); never blocks."""
    from kiosk.services.platform_sync import start_sync as start

    return start(config, store, project=project, on_status=on_status)


def _drain_old_identity(config: Config, store: Store) -> None:
    """Before a forced re-enrollment: upload what the old identity recorded, while it still can."""
    if not store.pending_count():
        return
    client = client_for(config, store)
    if client is None or not client.token:
        return
    with client:
        try:
            Outbox(store, client, batch_size=config.sync.batch_size).drain()
        except (TransientSyncError, PermanentSyncError) as exc:
            # Not fatal: what stays pending is refused later as another device's and dead-lettered.
            log.warning("records of the old identity not uploaded before re-enrollment: %s", exc)


def _apply_bundle(store: Store, bundle: ProjectBundle, number: str) -> int:
    try:
        project = bundle.to_project()
        keys = {k.key_id: b64_bytes(k.public_key, size=32) for k in bundle.ticket_keys}
    except ValueError as exc:
        log.error("the platform sent an unreadable project definition for %s: %s", number, exc)
        raise PlatformProblem(
            "平台发来的项目定义无法读取，请联系管理员",
            f"the platform's project definition cannot be read: {exc}",
            reason="bad_bundle",
        ) from None
    if project.number != number:
        raise PlatformProblem(
            "平台发来了其他项目的数据", f"the platform sent project {project.number}, not {number}",
            reason="bad_bundle",
        )  # fmt: skip
    store.save_project(project)
    store.save_project_keys(number, ticket_keys=keys, denied_hmac_key=bundle.hmac_key)
    for role, pin_hash in bundle.pin_hashes.items():
        # A PIN the administration set (a forgotten one replaced) reaches the desk here.
        if PinGuard(store, role).install(pin_hash):
            log.info("installed the %s PIN set by the platform", role)
    return len(keys)


def _readable(page: ChangesPage) -> tuple[list[Attendee], dict[str, bytes], int]:
    """The page's roster entries and secrets this kiosk can read; the count it cannot."""
    people: list[Attendee] = []
    secrets: dict[str, bytes] = {}
    bad = 0
    for wire in page.attendees:
        try:
            person = wire.to_attendee()
            secret = wire.secret
        except ValueError as exc:
            bad += 1
            log.error("roster entry %s skipped: %s", wire.id, type(exc).__name__)
            continue
        people.append(person)
        secrets[wire.id] = secret
    return people, secrets, bad


def pull_project(store: Store, client: SyncClient, number: str, *, limit: int = 500) -> PullResult:
    """The bundle (ETag-cached) and every change page after the stored cursor, applied in order.

    The cursor is stored after each page is applied: an interrupted pull resumes there, and a
    page applied twice changes nothing. Raises the client's TransientError/PermanentError.
    """
    etag_key, cursor_key = META_ETAG.format(number), META_CURSOR.format(number)
    have = store.load_project(number) is not None and bool(store.ticket_keys(number))
    etag = (store.get_meta(etag_key) or None) if have else None
    bundle, new_etag = client.project(number, etag=etag)
    n_keys = 0
    if bundle is not None:
        n_keys = _apply_bundle(store, bundle, number)
        store.set_meta(etag_key, new_etag)  # last: a crash before it only means a re-fetch
    counts = {"pages": 0, "attendees": 0, "secrets": 0, "events": 0, "invalid": 0}

    def apply(page: ChangesPage) -> None:
        if page.project != number:
            raise PlatformProblem(
                "平台发来了其他项目的名单", f"the platform sent changes of {page.project}",
                reason="bad_page",
            )  # fmt: skip
        people, secrets, bad = _readable(page)
        counts["attendees"] += store.save_roster(number, people)
        counts["secrets"] += store.save_attendee_secrets(number, secrets)
        counts["events"] += store.add_remote_events([e.store_row() for e in page.events])
        counts["invalid"] += bad
        counts["pages"] += 1
        store.set_meta(cursor_key, page.cursor)

    cursor = client.pull(
        number, cursor=store.get_meta(cursor_key) or "0", on_page=apply, limit=limit
    )
    result = PullResult(
        project=number, bundle_changed=bundle is not None, ticket_keys=n_keys, cursor=cursor,
        **counts,
    )  # fmt: skip
    log.info(
        "pulled %s: bundle %s, %d roster entries, %d other desks' records, %d unreadable",
        number, "changed" if bundle else "unchanged", result.attendees, result.events,
        result.invalid,
    )  # fmt: skip
    return result
