"""When a desk asks the platform: reports on change or heartbeat, uploads carrying the report.

The real kiosk (store, check-in service, client, worker steps) against the real server over
loopback, through the fault proxy only to see every request on the wire (and to take the
platform away). The outbox's heartbeat runs on a hand-moved monotonic clock: no sleeping.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kiosk.services.checkin import Credential, Status
from sync.client.outbox import Outbox
from sync.client.worker import Backoff, Hysteresis, SyncWorker
from sync.server.roster import RosterRow, import_roster
from tests.support.fault_proxy import FaultProxy, always
from tests.support.kiosks import Kiosk, make_kiosk, prev_hash_lookup
from tests.support.live_server import LiveServer
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster

pytestmark = pytest.mark.timeout(120)
NUMBER = "2026-15-01-001"
STATUS = ("POST", "/api/v1/devices/me/status")
EVENTS = ("POST", "/api/v1/events")


class Monotonic:
    """The outbox's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _seed(srv: LiveServer, people: int) -> None:
    srv.clock.set(at(DAY1, 7))
    srv.admin.create_project(make_project())
    rows = [
        RosterRow(line=i + 2, id_type=a.document.type.value, id_number=a.document.number,
                  name=a.name)
        for i, a in enumerate(make_roster(people))
    ]  # fmt: skip
    import_roster(srv.admin.platform, NUMBER, rows, actor="test")


def _tap(kiosk: Kiosk, clock: FakeClock, index: int) -> None:
    clock.advance(seconds=30)
    person = make_roster(8)[index]
    result = kiosk.service.present(Credential.id_card(document=person.document))
    assert result.status is Status.ACCEPTED


def test_idle_drains_ask_nothing_until_the_heartbeat_and_an_upload_is_the_report(
    live_server: LiveServer, tmp_path: Path
) -> None:
    srv = live_server
    _seed(srv, 8)
    seen: list[tuple[str, str]] = []

    def watch(index: int, method: str, path: str) -> str | None:
        seen.append((method, path.split("?", maxsplit=1)[0]))
        return None

    proxy = FaultProxy(("127.0.0.1", srv.port), server_context=srv.tls.server_context(),
                       upstream_context=srv.tls.client_context(), plan=watch).start()  # fmt: skip
    try:
        clock = FakeClock(at(DAY1, 8))
        kiosk = make_kiosk(tmp_path, srv, make_project(), "A", clock=clock)
        via = srv.client(url=proxy.url, token=kiosk.client.token, clock=clock,
                         prev_hash_of=prev_hash_lookup(kiosk.store))  # fmt: skip
        mono = Monotonic()
        outbox = Outbox(kiosk.store.outbox, via, heartbeat_s=60.0, monotonic=mono)
        worker = SyncWorker(outbox, interval_s=5.0, hysteresis=Hysteresis(),
                            backoff=Backoff(base_s=0.001, cap_s=0.01, rng=random.Random(5)))  # fmt: skip

        # Not yet online: every drain asks (two good answers make the desk online).
        assert worker.step() == 5.0 and not outbox.status.online
        worker.step()
        assert seen == [STATUS, STATUS] and outbox.status.online
        answered = outbox.status.last_success

        # Idle, nothing changed: no request, and the indicator keeps its state (no news).
        seen.clear()
        for _ in range(11):
            mono.now += 5.0
            worker.step()
        assert seen == [] and outbox.status.online
        assert outbox.status.last_success == answered  # nothing new was heard

        # A tap: its upload carries the report; no status request follows it.
        _tap(kiosk, clock, 0)
        mono.now += 1.0
        worker.step()
        assert seen == [EVENTS] and outbox.status.online
        assert via.last_desk is not None and via.last_desk.complete
        assert (via.last_desk.latest_seq, via.last_desk.head_seq) == (1, 1)
        desk = srv.admin.status(NUMBER).desks[0]
        assert desk.complete and desk.latest_seq == 1 and desk.head_seq == 1

        # Three taps in one drain, in two batches: both carry it, nothing more is sent.
        outbox.batch_size = 2
        for i in (1, 2, 3):
            _tap(kiosk, clock, i)
        seen.clear()
        worker.step()
        assert seen == [EVENTS, EVENTS]
        assert srv.admin.status(NUMBER).desks[0].latest_seq == 4
        assert srv.admin.status(NUMBER).complete

        # Idle until the heartbeat: one report 60 s after the last acknowledged one.
        seen.clear()
        for _ in range(11):
            mono.now += 5.0
            worker.step()
        assert seen == []
        mono.now += 5.0
        worker.step()
        assert seen == [STATUS] and outbox.status.online

        # Right after it: quiet again.
        seen.clear()
        mono.now += 5.0
        worker.step()
        assert seen == []
        assert kiosk.store.outbox.pending_count() == 0
        assert srv.admin.status(NUMBER).complete
        assert kiosk.store.outbox.dead_letters() == []
        assert len(srv.admin.stored_events(NUMBER)) == 4
    finally:
        proxy.stop()


def test_a_platform_that_went_away_is_seen_offline_within_the_heartbeat(
    live_server: LiveServer, tmp_path: Path
) -> None:
    srv = live_server
    _seed(srv, 8)
    proxy = FaultProxy(("127.0.0.1", srv.port), server_context=srv.tls.server_context(),
                       upstream_context=srv.tls.client_context()).start()  # fmt: skip
    try:
        clock = FakeClock(at(DAY1, 8))
        kiosk = make_kiosk(tmp_path, srv, make_project(), "A", clock=clock)
        via = srv.client(url=proxy.url, token=kiosk.client.token, clock=clock, connect_timeout=1.0,
                         read_timeout=2.0, prev_hash_of=prev_hash_lookup(kiosk.store))  # fmt: skip
        mono = Monotonic()
        outbox = Outbox(kiosk.store.outbox, via, heartbeat_s=60.0, monotonic=mono)
        worker = SyncWorker(outbox, interval_s=5.0, hysteresis=Hysteresis(),
                            backoff=Backoff(base_s=0.001, cap_s=0.01, rng=random.Random(9)))  # fmt: skip
        worker.step()
        worker.step()
        assert outbox.status.online
        before = proxy.requests

        # The platform is gone: every request from here on is dropped unanswered.
        proxy.plan = always("drop_request")
        # Before the heartbeat is due nothing is asked: the desk still shows what it last heard.
        for _ in range(11):
            mono.now += 5.0
            worker.step()
        assert outbox.status.online and proxy.requests == before
        # The heartbeat fails; the retry right after it (backoff, not the heartbeat) confirms it.
        mono.now += 5.0
        worker.step()
        assert outbox.status.last_error
        mono.now += 0.01
        worker.step()
        assert not outbox.status.online, outbox.status

        # Records made while it is away stay pending; none is lost.
        _tap(kiosk, clock, 0)
        worker.step()
        assert kiosk.store.outbox.pending_count() == 1 and not outbox.status.online
        assert proxy.counts["drop_request"] == 3
    finally:
        proxy.stop()
