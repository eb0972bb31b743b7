"""Poison never blocks the queue: a server that fails on one chosen record, and real outages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.services.checkin import Credential, Status
from sync.client.errors import PermanentSyncError, TransientSyncError
from sync.client.poison import REPEATS
from sync.server.roster import RosterRow, import_roster
from tests.support.fault_proxy import FaultProxy, always, every_nth
from tests.support.kiosks import Kiosk, make_kiosk, prev_hash_lookup
from tests.support.live_server import LiveServer
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster

pytestmark = pytest.mark.timeout(180)
NUMBER = "2026-15-01-001"
N = 40


@pytest.fixture
def desk(live_server: LiveServer, tmp_path: Path) -> Iterator[tuple[Kiosk, FaultProxy]]:
    """A kiosk with N check-ins waiting, syncing through a fault proxy to the real server."""
    srv = live_server
    srv.clock.set(at(DAY1, 7))
    project = make_project()
    srv.admin.create_project(project)
    people = make_roster(N)
    import_roster(srv.admin.platform, NUMBER, [
        RosterRow(line=i + 2, id_type=a.document.type.value, id_number=a.document.number,
                  name=a.name)
        for i, a in enumerate(people)
    ], actor="test")  # fmt: skip
    proxy = FaultProxy(
        ("127.0.0.1", srv.port),
        server_context=srv.tls.server_context(),
        upstream_context=srv.tls.client_context(),
        retry_after="1",
    ).start()
    try:
        clock = FakeClock(at(DAY1, 8))
        kiosk = make_kiosk(tmp_path, srv, project, "A", clock=clock)
        kiosk.outbox.endpoint = srv.client(url=proxy.url, token=kiosk.client.token,
                                           prev_hash_of=prev_hash_lookup(kiosk.store))  # fmt: skip
        for p in people:
            clock.advance(seconds=20)
            status = kiosk.service.present(Credential.id_card(document=p.document)).status
            assert status is Status.ACCEPTED
        yield kiosk, proxy
    finally:
        proxy.stop()


def drains(kiosk: Kiosk, times: int) -> list[str]:
    """Drain like the worker does, `times` attempts at most; the failures' kinds."""
    failures: list[str] = []
    for _ in range(times):
        try:
            kiosk.outbox.drain()
        except (TransientSyncError, PermanentSyncError) as exc:
            failures.append(type(exc).__name__)
        else:
            break
    return failures


def test_one_record_the_server_fails_on_is_given_up_alone(
    desk: tuple[Kiosk, FaultProxy], live_server: LiveServer
) -> None:
    kiosk, proxy = desk
    poison = kiosk.store.records.events()[16]  # seq 17
    proxy.poison = poison.event.uuid.encode()
    failures = drains(kiosk, REPEATS + 2)
    assert failures == ["TransientError"] * (REPEATS - 1)  # the third time it bisects
    dead = kiosk.store.outbox.dead_letters()
    assert [(d["uuid"], d["kind"]) for d in dead] == [(poison.event.uuid, "event")]
    assert str(dead[0]["reason"]).startswith("poison: platform fails on it (500:")
    assert kiosk.store.outbox.pending_count() == 0
    stored = live_server.admin.stored_events(NUMBER)
    assert sorted(e["seq"] for e in stored) == [s for s in range(1, N + 1) if s != 17]
    # The signed stub reached the platform: the desk is complete, the organizer sees why.
    status = live_server.admin.status(NUMBER)
    assert status.complete and status.desks[0].missing == 0
    assert [(r.seq, r.uuid, r.by) for r in status.refused_records] == [
        (17, poison.event.uuid, "desk")
    ]
    assert proxy.counts["http_500"] >= REPEATS + 5  # bisecting 40 down to 1


@pytest.mark.parametrize(
    "outage",
    ["http_503", "http_429", "drop_request", "reset", "everything_500"],
)
def test_outages_are_waited_out_never_bisected(
    desk: tuple[Kiosk, FaultProxy], live_server: LiveServer, outage: str
) -> None:
    kiosk, proxy = desk
    if outage == "everything_500":  # the status call fails too: the platform is down
        proxy.plan = always("http_500")
    else:
        proxy.plan = every_nth(1, (outage,), path_prefix="/api/v1/events")
    failures = drains(kiosk, REPEATS * 3)
    assert len(failures) == REPEATS * 3
    assert kiosk.store.outbox.dead_letters() == []
    assert kiosk.store.outbox.pending_count() == N
    proxy.plan = always(None)  # the outage ends: everything goes, nothing was given up
    assert drains(kiosk, 2) == []
    assert len(live_server.admin.stored_events(NUMBER)) == N
    assert live_server.admin.status(NUMBER).refused_records == []
