"""The project and roster pull: the bundle (ETag-cached) and change pages, applied resumably."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.config import Config
from kiosk.core.model import Attendee
from kiosk.logging_setup import protect_names
from kiosk.services.pins import PinGuard
from kiosk.services.platform_problems import PlatformProblem
from kiosk.services.platform_state import load_token, read_state
from sync.client import SyncClient
from sync.protocol import ChangesPage, ProjectBundle, b64_bytes
from sync.store import Store
from sync.store.staff import DeskStaff

log = logging.getLogger(__name__)

META_ETAG = "platform_etag:{}"
META_CURSOR = "platform_cursor:{}"


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
    store.roster.save_project(project)
    store.keys.save_project_keys(number, ticket_keys=keys, denied_hmac_key=bundle.hmac_key)
    signers = [
        DeskStaff(m.staff_id, m.name, m.role, m.pin_hash)
        for m in bundle.staff
        if m.pin_hash is not None
    ]
    if len(signers) < len(bundle.staff):
        # A desk is always sent the hashes; a member without one could never sign in here.
        log.warning("%d staff member(s) came without a PIN hash and cannot sign in here",
                    len(bundle.staff) - len(signers))  # fmt: skip
    store.staff.replace(number, signers)
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


def _bundle_anyway(fetch: Callable[[], None], number: str) -> None:
    """Fetch the bundle though the changes failed; its own failure is logged, not raised."""
    try:
        fetch()
    except Exception as exc:  # noqa: BLE001 - the changes' failure is the one to report
        log.warning("bundle of %s not refreshed either: %s", number, type(exc).__name__)


def pull_project(store: Store, client: SyncClient, number: str, *, limit: int = 500) -> PullResult:
    """Every change page after the stored cursor, in order; the bundle when they say it changed.

    A desk with no bundle yet asks for it first; one whose pages fail still asks for it.

    The cursor is stored after each page is applied: an interrupted pull resumes there, and a
    page applied twice changes nothing. Raises the client's TransientError/PermanentError.
    """
    etag_key, cursor_key = META_ETAG.format(number), META_CURSOR.format(number)
    have = store.roster.load_project(number) is not None and bool(store.keys.ticket_keys(number))
    etag = (store.get_meta(etag_key) or None) if have else None
    bundle: ProjectBundle | None = None
    n_keys = 0
    checked = etag is None  # a new desk (or one missing its keys) asks for the bundle first

    def fetch_bundle() -> None:
        nonlocal bundle, n_keys, checked
        checked = True
        bundle, new_etag = client.project(number, etag=etag)
        if bundle is not None:
            n_keys = _apply_bundle(store, bundle, number)
            store.set_meta(etag_key, new_etag)  # last: a crash before it only means a re-fetch

    if etag is None:
        fetch_bundle()
    counts = {"pages": 0, "attendees": 0, "secrets": 0, "events": 0, "invalid": 0}

    def apply(page: ChangesPage) -> None:
        # The first page says the bundle's ETag: a changed bundle (new ticket keys, staff, PINs)
        # is applied before the pages, as it was when the bundle came first; a platform that
        # does not say it is asked, conditionally, every pull.
        if not checked and client.bundle_etag != etag:
            fetch_bundle()
        if page.project != number:
            raise PlatformProblem(
                "平台发来了其他项目的名单", f"the platform sent changes of {page.project}",
                reason="bad_page",
            )  # fmt: skip
        people, secrets, bad = _readable(page)
        protect_names(p.name for p in people)  # masked in every log line from now on
        counts["attendees"] += store.roster.save_roster(number, people)
        counts["secrets"] += store.keys.save_attendee_secrets(number, secrets)
        counts["events"] += store.outbox.add_remote_events([e.store_row() for e in page.events])
        counts["invalid"] += bad
        counts["pages"] += 1
        store.set_meta(cursor_key, page.cursor)

    try:
        cursor = client.pull(
            number, cursor=store.get_meta(cursor_key) or "0", on_page=apply, limit=limit
        )
    except Exception:
        # No page came: the bundle still gets its chance, as when it came first.
        if not checked:
            _bundle_anyway(fetch_bundle, number)
        raise
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
