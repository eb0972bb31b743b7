"""What a desk's pull asks the platform: one request when nothing changed, the bundle only when
the changes page says it changed, and the old two requests from a platform that does not say."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.services.platform import client_for, enroll_kiosk, pull_project
from sync.client import SyncClient, TransientError
from sync.protocol import BUNDLE_ETAG_HEADER
from sync.server.app import Message, Receive, Scope, Send, create_app
from sync.server.run import serve_in_background
from sync.store import Store
from tests.support.fault_proxy import FaultProxy
from tests.support.live_server import LiveServer
from tests.support.platform_kiosk import NUMBER, open_store, write_config

pytestmark = pytest.mark.timeout(90)
BUNDLE = ("GET", f"/api/v1/projects/{NUMBER}")
CHANGES = ("GET", f"/api/v1/projects/{NUMBER}/changes")


def watched(
    srv: LiveServer, port: int, *, break_pages: set[int] | None = None
) -> tuple[FaultProxy, list[tuple[str, str]]]:
    """A proxy in front of `port` that notes each request (method, path without query) and
    resets the changes requests numbered in `break_pages` (from 0, counted from now on)."""
    seen: list[tuple[str, str]] = []
    broken = break_pages if break_pages is not None else set()  # the caller's, changed later

    def note(index: int, method: str, path: str) -> str | None:
        seen.append((method, path.split("?", maxsplit=1)[0]))
        pages = [x for x in seen if x == CHANGES]
        return "reset" if seen[-1] == CHANGES and len(pages) - 1 in broken else None

    proxy = FaultProxy(("127.0.0.1", port), server_context=srv.tls.server_context(),
                       upstream_context=srv.tls.client_context(), plan=note).start()  # fmt: skip
    return proxy, seen


def enrolled(srv: LiveServer, tmp_path: Path, url: str) -> tuple[Store, SyncClient]:
    """A kiosk enrolled, and fully pulled, through `url`: its store and its pull client."""
    cfg = write_config(tmp_path, "A")
    config, store = open_store(cfg)
    code, _ = srv.admin.enroll_code(NUMBER)
    enroll_kiosk(config, store, server_url=url, code=code, ca_bundle=srv.tls.ca_pem)
    client = client_for(load_config(cfg), store)
    assert client is not None
    return store, client


def test_an_idle_pull_is_one_request_and_a_changed_bundle_is_fetched_once(
    srv: LiveServer, tmp_path: Path
) -> None:
    proxy, seen = watched(srv, srv.port)
    try:
        store, client = enrolled(srv, tmp_path, proxy.url)
        seen.clear()
        idle = pull_project(store, client, NUMBER)
        assert seen == [CHANGES] and not idle.bundle_changed
        # A new ticket key: the changes page says the bundle changed, the desk fetches it.
        srv.admin.rotate_ticket_key(NUMBER)
        seen.clear()
        changed = pull_project(store, client, NUMBER)
        assert seen == [CHANGES, BUNDLE] and changed.bundle_changed and changed.ticket_keys == 2
        assert len(store.keys.ticket_keys(NUMBER)) == 2
        seen.clear()
        assert not pull_project(store, client, NUMBER).bundle_changed
        assert seen == [CHANGES]
        client.close()
        store.close()
    finally:
        proxy.stop()


def test_a_changed_bundle_is_applied_even_when_the_changes_fail(
    srv: LiveServer, tmp_path: Path
) -> None:
    broken: set[int] = set()
    proxy, seen = watched(srv, srv.port, break_pages=broken)
    try:
        store, client = enrolled(srv, tmp_path, proxy.url)
        # The first page fails: no page said the bundle's ETag, so it is asked for anyway.
        srv.admin.rotate_ticket_key(NUMBER)
        seen.clear()
        broken.add(0)
        with pytest.raises(TransientError):
            pull_project(store, client, NUMBER)
        assert seen == [CHANGES, BUNDLE] and len(store.keys.ticket_keys(NUMBER)) == 2
        # A later page fails: the first one said the bundle changed, and it was applied first.
        srv.admin.rotate_ticket_key(NUMBER, retire_old=True)
        store.set_meta(f"platform_cursor:{NUMBER}", "0")  # five roster entries: three pages
        seen.clear()
        broken.clear()
        broken.add(1)
        with pytest.raises(TransientError):
            pull_project(store, client, NUMBER, limit=2)
        assert seen == [CHANGES, BUNDLE, CHANGES] and len(store.keys.ticket_keys(NUMBER)) == 1
        client.close()
        store.close()
    finally:
        proxy.stop()


def without_bundle_etag(app: Callable[[Scope, Receive, Send], object]) -> object:
    """The platform as one from before BUNDLE_ETAG_HEADER: its answers never say it."""
    name = BUNDLE_ETAG_HEADER.lower().encode()

    async def older(scope: Scope, receive: Receive, send: Send) -> None:
        async def strip(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != name]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, strip)  # type: ignore[misc]

    return older


def test_a_platform_that_does_not_say_the_bundle_etag_is_asked_for_the_bundle_each_pull(
    srv: LiveServer, tmp_path: Path
) -> None:
    older = serve_in_background(
        without_bundle_etag(create_app(srv.db_url, clock=srv.clock)),  # type: ignore[arg-type]
        cert=srv.tls.cert_pem, key=srv.tls.key_pem, name="older-platform",
    )  # fmt: skip
    proxy, seen = watched(srv, older.port)
    try:
        store, client = enrolled(srv, tmp_path, proxy.url)
        seen.clear()
        idle = pull_project(store, client, NUMBER)
        assert seen == [CHANGES, BUNDLE] and not idle.bundle_changed  # answered 304
        srv.admin.rotate_ticket_key(NUMBER)
        assert pull_project(store, client, NUMBER).ticket_keys == 2
        client.close()
        store.close()
    finally:
        proxy.stop()
        older.stop()
