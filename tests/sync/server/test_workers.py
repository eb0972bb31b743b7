"""Four worker processes on PostgreSQL: 50 desks race across 5 projects through a fault proxy.

`cme-kiosk server run --workers 4` runs as an administrator starts it. Whatever one process
used to keep right by itself must now hold across processes: a code enrolls once, every record
is stored once, change numbers (pull cursors) never skip, every desk's completeness is exact;
and a worker killed with SIGKILL mid-upload loses nothing it answered.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from sync import signing
from sync.client import PermanentError, SyncClient, TransientError
from sync.protocol import EventRecord, Pace
from sync.server import db as t
from sync.server.admin import ServerAdmin
from tests.support.cli import run_cli
from tests.support.desks import WireDesk
from tests.support.fault_proxy import FaultProxy, every_nth
from tests.support.platform_seed import seed_project
from tests.support.postgres import PgCluster
from tests.support.roster import DAY1, at, make_project, make_roster
from tests.support.tls import TlsFiles
from tests.support.workers import (
    PlatformProcess,
    ProjectLock,
    start_platform,
    until_answered,
    waiting_on_lock,
)

pytestmark = [pytest.mark.needs_postgres, pytest.mark.timeout(600)]

PROJECTS = [f"2026-15-01-{i:03d}" for i in range(101, 106)]
KILLED = "2026-15-01-106"  # the project of the worker-kill test
DESKS_PER_PROJECT = 10
RECORDS = 200
BATCH = 25
ROSTER = 60
# Faults that reach the server and lose its answer (so the retry is answered `duplicate`), and
# faults that never reach it; `delay` only slows a request down.
KINDS = ("drop_response", "reset", "truncate", "garbage", "drop_request", "http_503", "delay")


@pytest.fixture(scope="module")
def platform(
    pg_cluster: PgCluster, tls: TlsFiles, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[PlatformProcess, ServerAdmin]]:
    """Five projects with rosters, served by four workers; the admin on the same database."""
    url = pg_cluster.new_database()
    admin = ServerAdmin(url)
    people = make_roster(ROSTER)
    for number in [*PROJECTS, KILLED]:
        seed_project(admin, make_project(number), people)
    server = start_platform(url, tls, tmp_path_factory.mktemp("workers"), workers=4,
                            extra=("--push-interval", "20", "--pull-interval", "90"))  # fmt: skip
    try:
        assert len(server.workers()) == 4
        yield server, admin
    finally:
        server.stop()
        admin.close()
        pg_cluster.drop_database(url)


def test_one_code_enrolls_once_across_workers(
    platform: tuple[PlatformProcess, ServerAdmin], tls: TlsFiles
) -> None:
    server, admin = platform
    code, _ = admin.enroll_code(PROJECTS[0])
    barrier = threading.Barrier(12)

    def attempt(i: int) -> str:
        client = server.client()
        try:
            barrier.wait()
            client.enroll(code, public_key=signing.public_b64(signing.new_private_key()),
                          desk_name=f"R{i}")  # fmt: skip
            return "enrolled"
        except PermanentError as exc:
            return exc.reason
        finally:
            client.close()

    with ThreadPoolExecutor(12) as pool:
        outcomes = Counter(pool.map(attempt, range(12)))
    assert outcomes == {"enrolled": 1, "code_used": 11}, outcomes
    assert sum(d.desk_name.startswith("R") for d in admin.devices(PROJECTS[0])) == 1


def test_every_worker_asks_desks_for_the_pace_it_was_started_with(
    platform: tuple[PlatformProcess, ServerAdmin],
) -> None:
    server, _ = platform
    # Each client is a new connection, spread over the workers; each worker read the pace
    # from the supervisor's environment.
    for _ in range(12):
        client = server.client()
        try:
            assert client.negotiate() == [1]
            assert client.pace == Pace(push_s=20, pull_s=90)
        finally:
            client.close()
    assert "desks are asked to upload at most every 20 s and to pull at most every 90 s" in (
        server.log.read_text(encoding="utf-8")
    )


def test_every_worker_serves_with_uvloop_and_httptools(
    platform: tuple[PlatformProcess, ServerAdmin],
) -> None:
    server, _ = platform
    # `server run` names its event loop and HTTP parser (sync.server.run.SERVING_STACK): each
    # worker has their compiled modules loaded, not asyncio's loop and h11.
    for pid in server.workers():
        maps = Path(f"/proc/{pid}/maps").read_text()
        assert "uvloop/loop." in maps and "httptools/parser/parser." in maps, pid


class RacingDesk:
    """One desk's 200 records, signed up front, uploaded in batches with retries and repeats."""

    def __init__(self, desk: WireDesk, records: list[EventRecord], rng: random.Random):
        self.desk = desk
        self.records = records
        self.rng = rng
        self.answers: Counter[str] = Counter()
        self.repeats_seen: Counter[str] = Counter()

    def send(self, batch: list[EventRecord]) -> dict[str, str]:
        """Upload until the platform answers (transient failures retried); uuid → status."""
        for _ in range(200):
            try:
                got = self.desk.upload(*batch)
            except TransientError:
                time.sleep(0.02)
                continue
            assert [a.uuid for a in got] == [r.uuid for r in batch]
            return {a.uuid: a.status for a in got}
        raise AssertionError(f"{self.desk.device_id}: the platform never answered")

    def report(self, latest: int) -> None:
        """Report the latest sequence number, retrying transient failures."""
        for _ in range(200):
            try:
                self.desk.client.device_status(latest)
                return
            except TransientError:
                time.sleep(0.02)
        raise AssertionError(f"{self.desk.device_id}: status never answered")

    def run(self) -> None:
        """Every batch once, some records of the batch before sent again, a report now and then."""
        sent: list[EventRecord] = []
        for start in range(0, len(self.records), BATCH):
            fresh = self.records[start : start + BATCH]
            repeat = self.rng.sample(sent[-BATCH:], k=min(len(sent), 3)) if sent else []
            answers = self.send(fresh + repeat)
            for r in fresh:
                # A lost answer makes the retry `duplicate`; never anything else.
                assert answers[r.uuid] in ("accepted", "duplicate"), answers[r.uuid]
                self.answers[answers[r.uuid]] += 1
            for r in repeat:
                assert answers[r.uuid] == "duplicate"
                self.repeats_seen["duplicate"] += 1
            sent += fresh
            if self.rng.random() < 0.3:
                self.report(sent[-1].seq)
        self.report(len(self.records))


class Puller:
    """An organizer device pulling the project's changes while the desks upload."""

    def __init__(self, client: SyncClient, number: str):
        self.client = client
        self.number = number
        self.cursor = "0"
        self.seen: set[str] = set()
        self.stop = threading.Event()

    def pull_once(self) -> None:
        """Follow the cursor to the end once (transient failures: try again next time)."""
        try:
            while True:
                page = self.client.changes(self.number, cursor=self.cursor, limit=200)
                self.seen.update(e.uuid for e in page.events)
                assert int(page.cursor) >= int(self.cursor)
                self.cursor = page.cursor
                if not page.more:
                    return
        except TransientError:
            return

    def run(self) -> None:
        """Pull until stopped."""
        while not self.stop.wait(0.1):
            self.pull_once()


def _enroll(server: PlatformProcess, admin: ServerAdmin, number: str, name: str,
            role: str = "desk") -> WireDesk:  # fmt: skip
    code, _ = admin.enroll_code(number, role=role)
    key = signing.new_private_key()
    client = server.client()
    return WireDesk(client, key, client.enroll(code, public_key=signing.public_b64(key),
                                               desk_name=name))  # fmt: skip


def test_50_desks_race_across_5_projects_each_record_stored_once(
    platform: tuple[PlatformProcess, ServerAdmin], tls: TlsFiles
) -> None:
    server, admin = platform
    rng = random.Random(13)
    proxy = FaultProxy(
        ("127.0.0.1", server.port), server_context=tls.server_context(),
        upstream_context=tls.client_context(), plan=every_nth(9, KINDS), delay_s=0.3,
        retry_after="0",
    ).start()  # fmt: skip
    racers: list[RacingDesk] = []
    pullers: list[Puller] = []
    try:
        people = [f"A{i}" for i in range(1, ROSTER + 1)]
        for number in PROJECTS:
            for d in range(DESKS_PER_PROJECT):
                desk = _enroll(server, admin, number, f"D{d}")
                desk.client = server.client(url=proxy.url, token=desk.enrollment.token)
                records = [
                    desk.record(rng.choice(people), at=at(DAY1, 8) + timedelta(seconds=3 * i),
                                direction=rng.choice(("in", "out")))
                    for i in range(RECORDS)
                ]  # fmt: skip
                racers.append(RacingDesk(desk, records, random.Random(rng.random())))
            organizer = _enroll(server, admin, number, "O", role="organizer")
            pullers.append(Puller(organizer.client, number))
        threads = [threading.Thread(target=p.run, daemon=True) for p in pullers]
        for th in threads:
            th.start()
        started = time.monotonic()
        with ThreadPoolExecutor(len(racers)) as pool:
            for done in [pool.submit(r.run) for r in racers]:
                done.result()
        elapsed = time.monotonic() - started
        for p in pullers:
            p.stop.set()
        for th in threads:
            th.join(30)
    finally:
        proxy.stop()

    total = len(PROJECTS) * DESKS_PER_PROJECT * RECORDS
    ours = t.events.c.project.in_(PROJECTS)
    with admin.db.read() as conn:
        stored = conn.execute(select(func.count()).select_from(t.events).where(ours)).scalar_one()
        pairs = conn.execute(
            select(func.count()).select_from(
                select(t.events.c.device_id, t.events.c.seq).where(ours).distinct().subquery()
            )
        ).scalar_one()
        seqs = conn.execute(
            select(func.count()).select_from(t.device_seqs)
            .join(t.devices, t.devices.c.id == t.device_seqs.c.device_id)
            .where(t.devices.c.project.in_(PROJECTS))
        ).scalar_one()  # fmt: skip
    assert stored == pairs == seqs == total
    for number in PROJECTS:
        events = admin.stored_events(number)
        by_desk = Counter(str(e["device_id"]) for e in events)
        assert sorted(by_desk.values()) == [RECORDS] * DESKS_PER_PROJECT
        assert {e["uuid"] for e in events} == {
            r.uuid for racer in racers if racer.desk.project == number for r in racer.records
        }
        # Change numbers are reserved under the project's lock in whichever worker: unique.
        with admin.db.read() as conn:
            revs = list(conn.execute(select(t.events.c.rev).where(t.events.c.project == number))
                        .scalars())  # fmt: skip
            revs += list(conn.execute(select(t.attendees.c.rev)
                                      .where(t.attendees.c.project == number)).scalars())  # fmt: skip
        assert len(revs) == len(set(revs))
        status = admin.status(number)
        desks = [d for d in status.desks if d.desk_name.startswith("D")]
        assert len(desks) == DESKS_PER_PROJECT
        for d in desks:
            assert (d.latest_seq, d.highest_contiguous, d.missing) == (RECORDS, RECORDS, 0)
            assert d.complete and not d.blocking
        assert status.complete or number == PROJECTS[0]  # the enrollment race's desk sent none
    # A puller following the cursor while 4 workers committed missed nothing.
    for p in pullers:
        p.pull_once()
        everyone = {str(e["uuid"]) for e in admin.stored_events(p.number)}
        assert p.seen == everyone
    answers = sum((r.answers for r in racers), Counter())
    assert answers["accepted"] + answers["duplicate"] == total
    assert answers["duplicate"] > 0, answers  # lost answers were retried
    assert sum(r.repeats_seen["duplicate"] for r in racers) > 0
    for kind in KINDS:
        assert proxy.counts[kind] > 0, proxy.counts
    print(
        f"{total} records in {elapsed:.1f} s; answers {dict(answers)}; faults {dict(proxy.counts)}"
    )


def test_worker_killed_mid_upload_loses_nothing_answered(
    platform: tuple[PlatformProcess, ServerAdmin], tls: TlsFiles
) -> None:
    server, admin = platform
    rng = random.Random(5)
    desks = [_enroll(server, admin, KILLED, f"K{i}") for i in range(6)]
    people = [f"A{i}" for i in range(1, ROSTER + 1)]
    records = {
        d.device_id: [
            d.record(rng.choice(people), at=at(DAY1, 8) + timedelta(seconds=2 * i))
            for i in range(100)
        ]
        for d in desks
    }
    answered: set[str] = set()
    for d in desks:  # the first half answered before anything goes wrong
        got = until_answered(d, records[d.device_id][:50])
        assert set(got.values()) == {"accepted"}
        answered |= set(got)
    lock = ProjectLock(server.db_url, KILLED)
    try:
        with ThreadPoolExecutor(len(desks)) as pool:
            pending = [pool.submit(until_answered, d, records[d.device_id][50:]) for d in desks]
            # A worker whose upload waits inside its transaction on the lock: kill it there.
            victim = sorted(waiting_on_lock(server))[0]
            assert victim in server.workers()
            os.kill(victim, signal.SIGKILL)
            # Nothing answered is lost: every answered record is committed.
            assert answered <= lock.stored()
            lock.release()
            second = [f.result(timeout=180) for f in pending]
    finally:
        lock.release()
    # uvicorn's supervisor replaced the worker.
    replaced = server.wait_workers(4)
    assert victim not in replaced and len(replaced) == 4
    for d, got in zip(desks, second, strict=True):
        assert set(got.values()) <= {"accepted", "duplicate"}
        d.client.device_status(100)
    stored = admin.stored_events(KILLED)
    assert len(stored) == 600
    assert {e["uuid"] for e in stored} == {r.uuid for rs in records.values() for r in rs}
    status = admin.status(KILLED)
    assert status.complete and all(d.missing == 0 for d in status.desks)
    assert f"Child process [{victim}] died" in server.log.read_text()


def test_every_worker_scrubs_its_logs(
    platform: tuple[PlatformProcess, ServerAdmin], tls: TlsFiles
) -> None:
    server, _ = platform
    number = make_roster(1)[0].document.number
    with httpx.Client(verify=tls.client_context()) as c:
        # Separate connections: uvicorn's workers share the socket, so these spread over them.
        for _ in range(40):
            got = c.get(f"{server.url}/api/v1/people/{number}", headers={"Connection": "close"})
            assert got.status_code == 404
    text = server.log.read_text(encoding="utf-8")
    # Each worker's access log (uvicorn configures it in the worker) masks the ID number.
    assert number[:3] + "*" * 11 + number[-4:] in text
    assert number not in text


def test_sqlite_refuses_workers_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "server", "run", "--db", str(tmp_path / "p.sqlite3"), "--workers", "2"
    )
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("cme-kiosk: --workers 2 needs PostgreSQL: ")
