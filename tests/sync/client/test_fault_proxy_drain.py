"""2,000 check-ins drained by the outbox through a fault-injecting proxy: each stored exactly once."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kiosk.core.model import Method
from kiosk.services.checkin import Credential, Status
from sync.client.worker import Backoff, Hysteresis, SyncWorker
from sync.server.roster import RosterRow, import_roster
from tests.support.fault_proxy import FAULTS, FaultProxy, every_nth
from tests.support.kiosks import make_kiosk, prev_hash_lookup
from tests.support.live_server import LiveServer
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster

N = 2000
NUMBER = "2026-15-01-001"


@pytest.mark.timeout(300)
def test_2000_checkins_through_faults_arrive_exactly_once(
    live_server: LiveServer, tmp_path: Path
) -> None:
    srv = live_server
    srv.clock.set(at(DAY1, 7))
    project = make_project()
    srv.admin.create_project(project)
    people = make_roster(N)
    rows = [
        RosterRow(line=i + 2, id_type=a.document.type.value, id_number=a.document.number,
                  name=a.name)
        for i, a in enumerate(people)
    ]  # fmt: skip
    import_roster(srv.admin.platform, NUMBER, rows, actor="test")
    proxy = FaultProxy(
        ("127.0.0.1", srv.port),
        server_context=srv.tls.server_context(),
        upstream_context=srv.tls.client_context(),
        delay_s=1.2,  # longer than the client's read timeout: the client gives up, the server not
        retry_after="0",
    ).start()
    try:
        clock = FakeClock(at(DAY1, 8))
        kiosk = make_kiosk(tmp_path, srv, project, "A", clock=clock, batch_size=100)
        assert kiosk.store.roster.roster_size(NUMBER) == N
        # From here on everything goes through the proxy, every 2nd request with a fault.
        via = srv.client(url=proxy.url, token=kiosk.client.token, read_timeout=1.0,
                         prev_hash_of=prev_hash_lookup(kiosk.store))  # fmt: skip
        kiosk.outbox.endpoint = via
        for p in people:
            clock.advance(seconds=1)
            assert (
                kiosk.service.present(Credential.id_card(document=p.document)).status
                is Status.ACCEPTED
            )
        for i in range(20):
            kiosk.service.present(Credential.attendee(f"ghost-{i}", method=Method.QR))
        assert kiosk.store.outbox.pending_count() == N + 20
        proxy.plan = every_nth(2, FAULTS)
        worker = SyncWorker(
            kiosk.outbox,
            backoff=Backoff(base_s=0.001, cap_s=0.01, rng=random.Random(7)),
            hysteresis=Hysteresis(),
        )
        steps = 0
        while steps < 400:
            steps += 1
            worker.step()
            assert not kiosk.outbox.status.needs_attention, kiosk.outbox.status
            if kiosk.store.outbox.pending_count() == 0 and not kiosk.outbox.status.last_error:
                break
        assert kiosk.store.outbox.pending_count() == 0, kiosk.outbox.status
    finally:
        proxy.stop()

    stored = srv.admin.stored_events(NUMBER)
    local = {e.event.uuid for e in kiosk.store.records.events()}
    assert len(stored) == N and {e["uuid"] for e in stored} == local
    assert sorted(e["seq"] for e in stored) == list(range(1, N + 1))
    assert len(srv.admin.stored_denied(NUMBER)) == 20
    assert kiosk.store.outbox.dead_letters() == []
    # Every kind of fault actually fired, and lost answers were retried into duplicates.
    assert all(proxy.counts[kind] >= 1 for kind in FAULTS), proxy.counts
    assert via.answer_counts["duplicate"] > 0, via.answer_counts
    # Answers lost on the way were answered "duplicate" on the retry instead of "accepted".
    assert via.answer_counts["accepted"] < N + 20
    assert via.answer_counts["accepted"] + via.answer_counts["duplicate"] >= N + 20
    status = srv.admin.status(NUMBER)
    assert status.complete and status.events == N and status.conflicts == 0
    print(f"faults fired: {dict(proxy.counts)}; answers: {dict(via.answer_counts)}; steps {steps}")
