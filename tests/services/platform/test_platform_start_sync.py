"""start_sync end to end: desk records reach the server in the background, status flows, stop ends."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.core.timeutil import utc_now
from kiosk.services.checkin import Credential, Status
from kiosk.services.opening import open_desk
from kiosk.services.platform import enroll_kiosk, read_state, start_sync
from sync.client.status import SyncStatus
from tests.support.live_server import LiveServer
from tests.support.platform_kiosk import NUMBER, cli, open_store, wait_for, write_config
from tests.support.roster import DAY1, at, make_roster

pytestmark = pytest.mark.timeout(120)
FAST = "pull_interval_s = 0.3\npush_interval_s = 0.2\n"


class Statuses:
    """A thread-safe on_status listener."""

    def __init__(self) -> None:
        self.seen: list[SyncStatus] = []
        self._lock = threading.Lock()

    def __call__(self, status: SyncStatus) -> None:
        with self._lock:
            self.seen.append(status)

    def last(self) -> SyncStatus:
        with self._lock:
            return self.seen[-1]

    def __len__(self) -> int:
        with self._lock:
            return len(self.seen)


def enrolled_config(srv: LiveServer, tmp_path: Path, name: str) -> Path:
    cfg = write_config(tmp_path, name, extra=FAST)
    config, store = open_store(cfg)
    code, _ = srv.admin.enroll_code(NUMBER)
    enroll_kiosk(config, store, server_url=srv.url, code=code, ca_bundle=srv.tls.ca_pem)
    store.close()
    return cfg


def test_records_committed_at_the_desk_reach_the_server_and_status_is_published(
    srv: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg_a = enrolled_config(srv, tmp_path, "A")
    cfg_b = enrolled_config(srv, tmp_path, "B")
    config = load_config(cfg_a)
    desk = open_desk(config)
    statuses = Statuses()
    started = time.monotonic()
    handle = start_sync(config, desk.store, project=NUMBER, on_status=statuses)
    assert time.monotonic() - started < 1.0  # the desk is never held up by sync
    try:
        assert handle.running
        people = make_roster(5)
        for i, person in enumerate(people[:3]):
            out = desk.service.present(
                Credential.id_card(document=person.document), now=at(DAY1, 8, 20 + i)
            )
            assert out.status is Status.ACCEPTED
        handle.sync_now()
        wait_for(lambda: len(srv.admin.stored_events(NUMBER)) == 3)
        wait_for(lambda: statuses.last().pending == 0 and statuses.last().online)
        last = statuses.last()
        assert last.last_success is not None and not last.last_error
        assert "在线 online" in last.line() and "待上传 0" in last.line()
        # The test server's clock is months away from ours: the warning says so in both languages.
        assert last.clock_warning and "时钟偏差" in last.line() and "clock off" in last.line()
        assert (
            abs((last.clock_offset_ms or 0) - (srv.clock() - utc_now()).total_seconds() * 1000)
            < 5000
        )

        # `cme-kiosk status` (another process in real life) sees the latest snapshot.
        def saved() -> dict[str, object]:
            return dict(json.loads(desk.store.get_meta("sync_status") or "{}"))

        wait_for(lambda: saved().get("pending") == 0 and saved().get("online"))
        code, out, _ = cli(capsys, "--config", str(cfg_a), "status", "--json")
        meta = json.loads(out)["meta"]
        assert code == 0 and meta["online"] and "在线 online" in meta["line"]
        # Desk B's record reaches desk A through the background pull loop.
        desk_b = open_desk(load_config(cfg_b))
        assert desk_b.service.present(
            Credential.id_card(document=people[4].document), now=at(DAY1, 8, 30)
        ).status is Status.ACCEPTED  # fmt: skip
        desk_b.close()
        assert cli(capsys, "--config", str(cfg_b), "sync", "--push-only")[0] == 0
        wait_for(
            lambda: (
                desk.store.records.history(NUMBER, "A5", desk_name="A")
                and desk.store.records.history(NUMBER, "A5", desk_name="A")[0].desk == "B"
            )
        )
        again = desk.service.present(
            Credential.id_card(document=people[4].document), now=at(DAY1, 8, 33)
        )
        assert again.status is Status.ALREADY and "desk B" in again.message_en
    finally:
        handle.stop()
    assert not handle.running
    assert handle.worker is not None and not handle.worker.is_alive()
    assert handle.puller is not None and not handle.puller.is_alive()
    count = len(statuses)
    # Stopped means stopped: a record made now stays pending and no status arrives.
    person = make_roster(5)[3]
    assert desk.service.present(
        Credential.id_card(document=person.document), now=at(DAY1, 8, 40)
    ).status is Status.ACCEPTED  # fmt: skip
    handle.sync_now()
    time.sleep(0.5)
    assert len(statuses) == count and desk.store.outbox.pending_count() == 1
    assert {e["uuid"] for e in srv.admin.stored_events(NUMBER)} >= {
        e.event.uuid for e in desk.store.records.events() if e.sync_state == "synced"
    }
    desk.close()


def test_revoked_and_retired_devices_are_shown_to_staff_and_records_kept(
    srv: LiveServer, tmp_path: Path
) -> None:
    cfg = enrolled_config(srv, tmp_path, "A")
    config = load_config(cfg)
    desk = open_desk(config)
    device = read_state(desk.store).device_id
    assert device is not None
    statuses = Statuses()
    handle = start_sync(config, desk.store, project=NUMBER, on_status=statuses)
    try:
        person = make_roster(5)[0]
        desk.service.present(Credential.id_card(document=person.document), now=at(DAY1, 8, 5))
        wait_for(lambda: len(srv.admin.stored_events(NUMBER)) == 1)
        srv.admin.retire(device, reason="desk moved to the other hall")
        handle.sync_now()
        wait_for(lambda: statuses.last().needs_attention == "device_retired")
        line = statuses.last().line()
        assert "本机已停用" in line and "device retired" in line
        srv.admin.revoke(device, reason="stolen")
        other = make_roster(5)[1]
        desk.service.present(Credential.id_card(document=other.document), now=at(DAY1, 8, 6))
        handle.sync_now()
        # The pull loop may report the revocation first; wait for the upload's own answer.
        wait_for(lambda: handle.worker is not None and handle.worker.outbox.status.needs_attention)
        wait_for(lambda: statuses.last().needs_attention == "device_revoked")
        last = statuses.last()
        assert "吊销" in last.line() and "revoked" in last.line() and not last.online
        # Kept, not dropped; the handle counts from the store once the outbox has stopped (the
        # snapshot pushed when it stopped may predate this record).
        assert handle.status().pending == 1 and desk.store.outbox.pending_count() == 1
    finally:
        handle.stop()
    assert not handle.running
    desk.close()


def test_a_kiosk_that_is_not_enrolled_gets_an_idle_handle_that_says_so(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, "A")
    config, store = open_store(cfg)
    statuses = Statuses()
    handle = start_sync(config, store, project=NUMBER, on_status=statuses)
    assert not handle.running and handle.worker is None and handle.puller is None
    status = handle.status()
    assert status.needs_attention == "not_enrolled" and not status.online
    assert "未注册" in status.line() and "not enrolled" in status.line()
    assert statuses.last() == status
    assert json.loads(store.get_meta("sync_status") or "{}")["needs_attention"] == "not_enrolled"
    handle.sync_now()  # harmless
    handle.stop()
    store.close()


def test_enrolled_for_another_project_is_not_started(srv: LiveServer, tmp_path: Path) -> None:
    cfg = enrolled_config(srv, tmp_path, "A")
    config, store = open_store(cfg)
    handle = start_sync(config, store, project="2099-00-00-000", on_status=lambda s: None)
    assert not handle.running
    assert "未注册此项目" in handle.status().line()
    store.close()
