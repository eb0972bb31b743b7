"""The platform's pace: a running desk uploads and pulls no more often than the platform asks.

The real desk (`start_sync`, its sync worker and pull loop) against the real server over
loopback, started with `pace` as `cme-kiosk server run --push-interval/--pull-interval` does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.core.model import Session
from kiosk.core.timeutil import local_day, utc_now
from kiosk.services.checkin import Credential, Status
from kiosk.services.opening import open_desk
from kiosk.services.platform import enroll_kiosk, start_sync
from sync.client.status import SyncStatus
from sync.protocol import Pace
from tests.support.desks import seed_platform
from tests.support.live_server import LiveServer, start_live_server
from tests.support.platform_kiosk import NUMBER, open_store, wait_for, write_config
from tests.support.roster import at, make_project, make_roster
from tests.support.tls import TlsFiles

pytestmark = pytest.mark.timeout(120)
FAST = "pull_interval_s = 0.3\npush_interval_s = 0.2\n"


@pytest.fixture
def paced(served_db: tuple[str, str], tls: TlsFiles) -> Iterator[LiveServer]:
    """The live server asking desks to upload at most every 30 s and pull every 45 s."""
    backend, url = served_db
    server = start_live_server(url, tls, backend=backend, pace=Pace(push_s=30, pull_s=45))
    # The project runs today, on real time: the desk's clock and the platform's agree (and a
    # test running over local midnight still finds its day).
    today = local_day(utc_now())
    days = (today - timedelta(days=1), today, today + timedelta(days=1))
    project = replace(make_project(), days=days,
                      sessions=(Session("all-day", at(today, 0), at(today, 23, 59), "全天"),))  # fmt: skip
    seed_platform(server, project, roster_size=5)
    try:
        yield server
    finally:
        server.stop()


def test_a_desk_waits_as_long_as_the_platform_asks_and_staff_can_still_sync_now(
    paced: LiveServer, tmp_path: Path
) -> None:
    srv = paced
    cfg = write_config(tmp_path, "A", extra=FAST)
    config, store = open_store(cfg)
    code, _ = srv.admin.enroll_code(NUMBER)
    enroll_kiosk(config, store, server_url=srv.url, code=code, ca_bundle=srv.tls.ca_pem)
    store.close()
    config = load_config(cfg)
    desk = open_desk(config)
    seen: list[SyncStatus] = []  # appended on the sync thread, read here
    handle = start_sync(config, desk.store, project=NUMBER, on_status=seen.append)
    people = make_roster(5)

    def tap(i: int) -> None:
        # The desk's clock is real time: the offset its reports measured puts the record on day 1.
        out = desk.service.present(Credential.id_card(document=people[i].document))
        assert out.status is Status.ACCEPTED

    try:
        worker, puller = handle.worker, handle.puller
        assert worker is not None and puller is not None
        # The desk comes online at its own pace (two good drains, 0.2 s apart), not the
        # platform's: a paced desk is never shown offline while it uploads fine.
        wait_for(lambda: seen and seen[-1].online, timeout=10.0)
        # Then it drains and pulls at the platform's pace; its own settings are 0.2 and 0.3 s.
        wait_for(lambda: worker.paced_interval() == 30.0)
        wait_for(lambda: puller.paced_interval() == 45.0)
        # Staff see why records wait (the status bar and `cme-kiosk status`).
        wait_for(lambda: seen and seen[-1].paced_s == 30)
        assert "the platform asks for uploads every 30 s" in seen[-1].line()
        assert "平台要求每 30 秒上传" in seen[-1].line()
        # A record made now waits for the paced drain: 0.2 s drains would have sent it at once.
        tap(0)
        time.sleep(1.0)
        assert srv.admin.stored_events(NUMBER) == []
        assert desk.store.outbox.pending_count() == 1
        # Staff's "sync now" is never held back: the record arrives, once.
        handle.sync_now()
        wait_for(lambda: len(srv.admin.stored_events(NUMBER)) == 1)
        wait_for(lambda: desk.store.outbox.pending_count() == 0)
        tap(1)
        handle.sync_now()
        wait_for(lambda: len(srv.admin.stored_events(NUMBER)) == 2)
    finally:
        handle.stop()
        desk.close()
    stored = srv.admin.stored_events(NUMBER)
    assert len({e["uuid"] for e in stored}) == len(stored) == 2
