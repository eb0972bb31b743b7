"""Faults of the platform's database: PostgreSQL restarted under load, a pool exhausted.

Each runs `cme-kiosk server run` as a process. The pool test holds the project's row lock from
its own connection (tests.support.workers.ProjectLock), so two uploads provably hold the pool's
two connections while the others wait for one. (A worker killed mid-upload: test_workers.py.)
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from kiosk.services.checkin import Credential
from sync import signing
from sync.client import SyncClient, TransientError
from sync.client.errors import TransientSyncError
from sync.client.http import error_for
from sync.client.worker import Backoff, SyncWorker
from sync.protocol import API_PREFIX, EventBatch, EventRecord
from sync.server.admin import ServerAdmin
from sync.server.roster import RosterRow, import_roster
from tests.support.desks import WireDesk
from tests.support.kiosks import make_kiosk
from tests.support.postgres import PgCluster
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster
from tests.support.tls import TlsFiles
from tests.support.workers import PlatformProcess, ProjectLock, start_platform, until_answered

pytestmark = [pytest.mark.needs_postgres, pytest.mark.timeout(300)]
NUMBER = "2026-15-01-001"
ROSTER = 40


def _seed(url: str) -> ServerAdmin:
    admin = ServerAdmin(url)
    admin.create_project(make_project(NUMBER))
    rows = [
        RosterRow(line=i + 2, id_type=a.document.type.value, id_number=a.document.number,
                  name=a.name)
        for i, a in enumerate(make_roster(ROSTER))
    ]  # fmt: skip
    import_roster(admin.platform, NUMBER, rows, actor="test")
    return admin


def _desk(admin: ServerAdmin, server: PlatformProcess, name: str) -> WireDesk:
    code, _ = admin.enroll_code(NUMBER)
    key = signing.new_private_key()
    client = server.client()
    return WireDesk(client, key, client.enroll(code, public_key=signing.public_b64(key),
                                               desk_name=name))  # fmt: skip


def _records(desk: WireDesk, n: int, rng: random.Random) -> list[EventRecord]:
    return [
        desk.record(f"A{rng.randint(1, ROSTER)}", at=at(DAY1, 8) + timedelta(seconds=2 * i),
                    direction=rng.choice(("in", "out")))
        for i in range(n)
    ]  # fmt: skip


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> Iterator[str]:
    url = pg_cluster.new_database(migrated=True)
    yield url
    pg_cluster.drop_database(url)


def test_exhausted_pool_answers_typed_503_not_a_hang(
    pg_url: str, tls: TlsFiles, tmp_path: Path
) -> None:
    admin = _seed(pg_url)
    # One worker, two connections, one second to wait for one.
    server = start_platform(pg_url, tls, tmp_path, workers=1,
                            extra=("--pool-size", "2", "--pool-timeout", "1"))  # fmt: skip
    rng = random.Random(6)
    try:
        desks = [_desk(admin, server, f"S{i}") for i in range(6)]
        batches = {d.device_id: _records(d, 10, rng) for d in desks}
        barrier = threading.Barrier(len(desks))

        def once(d: WireDesk) -> tuple[float, httpx.Response]:
            body = EventBatch(records=batches[d.device_id]).model_dump_json()
            with httpx.Client(verify=tls.client_context(), timeout=60) as http:
                barrier.wait()
                started = time.monotonic()
                answer = http.post(
                    f"{server.url}{API_PREFIX}/events", content=body,
                    headers={"Authorization": f"Bearer {d.enrollment.token}",
                             "Content-Type": "application/json"},
                )  # fmt: skip
                return time.monotonic() - started, answer

        lock: ProjectLock | None = ProjectLock(pg_url, NUMBER)
        try:
            with ThreadPoolExecutor(len(desks)) as pool:
                futures = [pool.submit(once, d) for d in desks]
                deadline = time.monotonic() + 60
                while sum(f.done() for f in futures) < len(desks) - 2:
                    assert time.monotonic() < deadline, "requests hung on the exhausted pool"
                    time.sleep(0.05)
                # Two uploads hold both connections (waiting on the lock); the others were
                # answered 503 after the pool timeout instead of waiting with them.
                refused = [f.result() for f in futures if f.done()]
                assert len(refused) == len(desks) - 2
                assert lock is not None
                lock.release()
                lock = None
                results = [f.result(timeout=60) for f in futures]
        finally:
            if lock is not None:
                lock.release()
        codes = sorted(answer.status_code for _, answer in results)
        assert codes == [200, 200, 503, 503, 503, 503], codes
        for took, answer in refused:
            assert answer.status_code == 503 and took < 20
            assert answer.headers["retry-after"] == "2"
            assert answer.json() == {
                "error": "platform_busy", "message": "the platform is busy; try again shortly",
                "retry_after": 2,
            }  # fmt: skip
            # What the kiosk makes of it: try again later, after at least 2 s; not a refusal.
            typed = error_for(answer, now=datetime.now(UTC))
            assert type(typed) is TransientError and typed.retry_after == 2.0
        for d in desks:
            assert set(until_answered(d, batches[d.device_id]).values()) <= {
                "accepted", "duplicate"
            }  # fmt: skip
        assert len(admin.stored_events(NUMBER)) == 60
    finally:
        server.stop()
        admin.close()


@dataclass
class _Venue:
    """What tests.support.kiosks.make_kiosk needs of a server: the admin and a client factory."""

    admin: ServerAdmin
    server: PlatformProcess

    def client(self, **kw: object) -> SyncClient:
        return self.server.client(**kw)


def test_postgres_restart_under_load_is_an_outage_not_a_poison_record(
    pg_cluster: PgCluster, pg_url: str, tls: TlsFiles, tmp_path: Path
) -> None:
    # The session's cluster is restarted: nothing else holds a connection to it between tests.
    admin = _seed(pg_url)
    server = start_platform(pg_url, tls, tmp_path / "platform", workers=2)
    try:
        _restart_under_load(pg_cluster, admin, server, tls, tmp_path)
    finally:
        server.stop()
        admin.close()


def _restart_under_load(
    cluster: PgCluster, admin: ServerAdmin, server: PlatformProcess, tls: TlsFiles,
    tmp_path: Path,
) -> None:  # fmt: skip
    rng = random.Random(8)
    venue = _Venue(admin, server)
    clock = FakeClock(at(DAY1, 8))
    kiosk = make_kiosk(tmp_path, venue, make_project(NUMBER), "A", clock=clock)  # type: ignore[arg-type]
    for person in make_roster(ROSTER):
        clock.advance(seconds=5)
        kiosk.service.present(Credential.id_card(document=person.document))
    pending = kiosk.store.outbox.pending_count()
    assert pending == ROSTER
    # Load: three protocol-level desks uploading in a loop through the restart.
    desks = [_desk(admin, server, f"L{i}") for i in range(3)]
    loads = {d.device_id: _records(d, 200, rng) for d in desks}
    stop = threading.Event()
    outcomes: list[int] = []

    def load(d: WireDesk) -> None:
        for start in range(0, 200, 10):
            until_answered(d, loads[d.device_id][start : start + 10])
            outcomes.append(start)
            if stop.is_set():
                time.sleep(0.05)

    with ThreadPoolExecutor(len(desks)) as pool:
        running = [pool.submit(load, d) for d in desks]
        deadline = time.monotonic() + 60
        while len(outcomes) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        cluster.pause()
        try:
            # While PostgreSQL is down: a typed 503, Retry-After honoured, records stay queued.
            with pytest.raises(TransientSyncError) as err:
                kiosk.outbox.drain()
            assert err.value.retry_after == 5.0
            assert "HTTP 503" in str(err.value)
            worker = SyncWorker(kiosk.outbox, backoff=Backoff(base_s=0.01, cap_s=0.05))
            assert worker.step() >= 5.0  # waits at least what the platform asked
            assert kiosk.outbox.status.last_error and not kiosk.outbox.status.needs_attention
            assert kiosk.store.outbox.pending_count() == pending
            assert kiosk.store.outbox.dead_letters() == []
            raw = httpx.post(
                f"{server.url}/api/v1/devices/me/status", json={"latest_seq": 0},
                headers={"Authorization": f"Bearer {desks[0].enrollment.token}"},
                verify=tls.client_context(), timeout=30,
            )  # fmt: skip
            assert raw.status_code == 503 and raw.headers["retry-after"] == "5"
            assert raw.json()["error"] == "platform_unavailable"
        finally:
            cluster.resume()
        # Pre-ping: the pooled connections PostgreSQL cut are replaced, not handed out dead.
        for _ in range(8):
            desks[0].client.device_status(0)
        stop.set()
        for f in running:
            f.result(timeout=180)
    kiosk.outbox.drain()
    assert kiosk.store.outbox.pending_count() == 0
    assert kiosk.store.outbox.dead_letters() == []
    stored = admin.stored_events(NUMBER)
    assert len(stored) == ROSTER + 600 == len({e["uuid"] for e in stored})
