"""The platform under province-scale load: `cme-kiosk server run` on PostgreSQL over TLS, 1 and 2 workers.

200 simulated desks over 20 projects (tests.support.load: async httpx, one connection per desk)
enroll and pull their project, then two phases, everything uploaded signed before the clock
starts. The herd: every desk uploads 500 records in batches of 50 with a status report after each
batch, all at once and back to back (desks catching up after an outage): throughput and CPU per
record. The peak: the province's busiest half hour (docs/scale.md) as open-loop traffic from the
same 200 desks: taps arrive at random on random desks, desks drain and pull on the kiosk's
schedule: upload latency, and the CPU that peak takes. CPU is read from /proc for the server's
worker processes and for PostgreSQL's; every run checks that no record was lost or stored twice.
1 and 2 workers alternate, BENCH_REPEATS times (default 3); medians are printed. PostgreSQL is
durable (fsync on).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from sync import signing  # noqa: E402
from sync.client import SyncClient  # noqa: E402
from sync.server import db as t  # noqa: E402
from sync.server.admin import ServerAdmin  # noqa: E402
from sync.server.roster import RosterRow, import_roster  # noqa: E402
from tests.support.load import LoadDesk, Timings, each  # noqa: E402
from tests.support.peak import PeakDesk, taps  # noqa: E402
from tests.support.postgres import PgCluster  # noqa: E402
from tests.support.roster import DAY1, at, make_project, make_roster  # noqa: E402
from tests.support.tls import TlsFiles, make_tls  # noqa: E402
from tests.support.workers import PlatformProcess, children, cpu_seconds, start_platform  # noqa: E402

DESKS = int(os.environ.get("BENCH_PLATFORM_DESKS", "200"))
PROJECTS = 20
RECORDS = 500
BATCH = 50
ROSTER = 500
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))

# ---- the province's peak (docs/scale.md, "The peak") ------------------------------------------
PEAK_PROJECTS = 300
PEAK_ATTENDEES = 500
PEAK_RUSH_S = 30 * 60  # every attendee checks in within the half hour before the session
PEAK_DESKS_PER_PROJECT = 4
DRAIN_S = 5.0  # kiosk [sync] push_interval_s: a drain (ending with a report) at least this often
PULL_S = 60.0  # kiosk [sync] pull_interval_s: bundle (304) + changes
PEAK_RECORDS_S = PEAK_PROJECTS * PEAK_ATTENDEES / PEAK_RUSH_S  # 83.3 taps/s
PEAK_DESKS = PEAK_PROJECTS * PEAK_DESKS_PER_PROJECT  # 1,200
PEAK_PHASE_S = float(os.environ.get("BENCH_PEAK_SECONDS", "60"))
PEAK_PREPARED = 100  # signed records per desk for the peak phase (about 25 are used)
CORES = 2


@dataclass
class Usage:
    """CPU seconds of the server's workers, of PostgreSQL and of this process over a phase."""

    wall: float
    server: float
    postgres: float
    generator: float


@dataclass
class Meter:
    """Snapshots of CPU at the start of a phase; `stop()` gives the usage since."""

    server: PlatformProcess
    cluster: PgCluster
    started: float = 0.0
    before: dict[int, float] = field(default_factory=dict)
    pg_before: dict[int, float] = field(default_factory=dict)
    self_before: float = 0.0

    def _pg(self) -> dict[int, float]:
        master = int((self.cluster.data / "postmaster.pid").read_text().split()[0])
        return {pid: cpu_seconds(pid) for pid in [master, *children(master)]}

    def start(self) -> None:
        """Snapshot now."""
        self.before = self.server.cpu_s()
        self.pg_before = self._pg()
        self.self_before = time.process_time()
        self.started = time.perf_counter()

    def stop(self) -> Usage:
        """Usage since start (processes that appeared count from zero)."""
        wall = time.perf_counter() - self.started
        after, pg_after = self.server.cpu_s(), self._pg()
        return Usage(
            wall=wall,
            server=sum(v - self.before.get(pid, 0.0) for pid, v in after.items()),
            postgres=sum(v - self.pg_before.get(pid, 0.0) for pid, v in pg_after.items()),
            generator=time.process_time() - self.self_before,
        )


@dataclass
class Run:
    """One run's figures."""

    workers: int
    records_s: float  # the herd
    herd_p99_ms: float
    server_ms_per_1k: float
    pg_ms_per_1k: float
    generator_ms_per_1k: float
    enroll_pull_s: float
    peak_p50_ms: float
    peak_p99_ms: float
    peak_report_p99_ms: float
    peak_pull_p99_ms: float
    peak_cores: float  # server + PostgreSQL CPU seconds per second during the peak
    peak_rates: tuple[float, float, float]  # records, reports, pull requests per second
    retried: int


def seed(url: str) -> tuple[dict[str, list[str]], list[str]]:
    """20 projects with rosters of 500; return project → enrollment codes, and roster refs."""
    admin = ServerAdmin(url)
    people = make_roster(ROSTER)
    rows = [
        RosterRow(line=i + 2, id_type=a.document.type.value, id_number=a.document.number,
                  name=a.name)
        for i, a in enumerate(people)
    ]  # fmt: skip
    codes: dict[str, list[str]] = {}
    for i in range(PROJECTS):
        number = f"2026-15-02-{i + 1:03d}"
        admin.create_project(make_project(number))
        import_roster(admin.platform, number, rows, actor="bench")
        codes[number] = [
            admin.enroll_code(number)[0] for _ in range(DESKS // PROJECTS + (i < DESKS % PROJECTS))
        ]
    admin.close()
    return codes, [a.id for a in people]


def check_exactly_once(url: str, desks: list[LoadDesk]) -> None:
    """Every record stored once, every desk's completeness exact (else the run fails)."""
    admin = ServerAdmin(url)
    with admin.db.read() as conn:
        stored = conn.execute(select(func.count()).select_from(t.events)).scalar_one()
        distinct = conn.execute(select(func.count(t.events.c.uuid.distinct()))).scalar_one()
        tops = dict(
            conn.execute(
                select(t.events.c.device_id, func.count()).group_by(t.events.c.device_id)
            ).all()
        )
    expected = sum(d.seq for d in desks)
    assert stored == distinct == expected, (stored, distinct, expected)
    assert all(tops[d.device_id] == d.seq for d in desks)
    for number in {d.number for d in desks}:
        status = admin.status(number)
        assert status.complete and all(x.missing == 0 for x in status.desks), number
    admin.close()


async def load(server: PlatformProcess, cluster: PgCluster, url: str, tls: TlsFiles) -> Run:
    """Enroll and pull, the herd, then the peak; the run's figures (exactly once checked)."""
    codes, people = seed(url)
    desks, slices = [], []
    for number, cs in codes.items():
        share = len(people) // len(cs)
        for j, code in enumerate(cs):
            desks.append(LoadDesk(number, code, f"D{j}"))
            # A person taps in and out at one desk: no conflicts the organizer must review.
            slices.append(people[j * share : (j + 1) * share])
    context = tls.client_context()
    for d in desks:
        d.open(server.url, context)
    try:
        started = time.perf_counter()
        await each(desks, "enroll")
        pulled = await each(desks, "pull")
        enroll_pull_s = time.perf_counter() - started
        assert all(n == ROSTER for n in pulled), pulled[:5]
        for d, mine in zip(desks, slices, strict=True):
            d.prepare(RECORDS, batch=BATCH, people=mine, start=at(DAY1, 7))
        uploads, reports = Timings(), Timings()
        meter = Meter(server, cluster)
        meter.start()
        done = await each(desks, "upload", uploads, reports)
        herd = meter.stop()
        assert sum(done) == len(desks) * RECORDS  # type: ignore[arg-type]
        await each(desks, "pull")  # desks at the peak pulled a minute ago, not a herd ago
        peak = await peak_traffic(desks, slices, server, cluster)
        check_exactly_once(url, desks)
    finally:
        for d in desks:
            await d.close()
    records = len(desks) * RECORDS
    return Run(
        workers=server.expected, records_s=records / herd.wall,
        herd_p99_ms=uploads.percentile(99),
        server_ms_per_1k=herd.server * 1e6 / records, pg_ms_per_1k=herd.postgres * 1e6 / records,
        generator_ms_per_1k=herd.generator * 1e6 / records, enroll_pull_s=enroll_pull_s,
        retried=uploads.retried + reports.retried + peak.retried, **peak.figures,
    )  # fmt: skip


@dataclass
class Peak:
    """The peak phase's figures (Run's peak_* fields) and its 503 retries."""

    figures: dict[str, object]
    retried: int


async def peak_traffic(
    desks: list[LoadDesk], slices: list[list[str]], server: PlatformProcess, cluster: PgCluster
) -> Peak:
    """The province's peak request mix from these desks, open loop, for PEAK_PHASE_S seconds.

    The desks stand in for all PEAK_DESKS of the province: each reports and pulls
    PEAK_DESKS / len(desks) times as often as one kiosk, so the platform sees the peak's rates.
    """
    scale = PEAK_DESKS / len(desks)
    for d, mine in zip(desks, slices, strict=True):
        d.prepare(PEAK_PREPARED, batch=1, people=mine, start=at(DAY1, 10))
    peakers = [PeakDesk(d) for d in desks]
    rng = random.Random(20)
    uploads, reports, pulls = Timings(), Timings(), Timings()
    meter = Meter(server, cluster)
    meter.start()
    until = time.monotonic() + PEAK_PHASE_S
    done = asyncio.Event()
    tapped, *_ = await asyncio.gather(
        taps(peakers, rate=PEAK_RECORDS_S, until=until, done=done, rng=rng),
        *(
            pd.run(until=until, done=done, idle_s=DRAIN_S / scale, pull_s=PULL_S / scale,
                   rng=random.Random(rng.random()), uploads=uploads, reports=reports, pulls=pulls)
            for pd in peakers
        ),
    )  # fmt: skip
    usage = meter.stop()
    for d, pd in zip(desks, peakers, strict=True):
        assert pd.sent == pd.tapped
        d.seq = RECORDS + pd.sent  # the unsent prepared records were never tapped
    sent = sum(pd.sent for pd in peakers)
    assert sent == tapped
    return Peak(
        figures={
            "peak_p50_ms": uploads.percentile(50), "peak_p99_ms": uploads.percentile(99),
            "peak_report_p99_ms": reports.percentile(99),
            "peak_pull_p99_ms": pulls.percentile(99),
            "peak_cores": (usage.server + usage.postgres) / usage.wall,
            "peak_rates": (sent / usage.wall, len(reports.latencies) / usage.wall,
                           len(pulls.latencies) / usage.wall),
        },
        retried=uploads.retried + reports.retried + pulls.retried,
    )  # fmt: skip


def pull_5k(server: PlatformProcess, url: str, tls: TlsFiles) -> list[float]:
    """ms for a fresh desk to pull a project with a 5,000-person roster (the real client)."""
    admin = ServerAdmin(url)
    number = "2026-15-03-001"
    admin.create_project(make_project(number))
    rows = [
        RosterRow(line=i + 2, id_type=a.document.type.value, id_number=a.document.number,
                  name=a.name, unit=a.unit, department=a.department)
        for i, a in enumerate(make_roster(5000))
    ]  # fmt: skip
    import_roster(admin.platform, number, rows, actor="bench")
    times = []
    for _ in range(5):
        code, _ = admin.enroll_code(number)
        client = SyncClient(server.url, ca_bundle=tls.ca_pem, read_timeout=60)
        client.enroll(code, public_key=signing.public_b64(signing.new_private_key()),
                      desk_name="P")  # fmt: skip
        got: list[int] = []
        started = time.perf_counter()
        bundle, _ = client.project(number)
        client.pull(number, on_page=lambda page, into=got: into.append(len(page.attendees)))
        times.append((time.perf_counter() - started) * 1000)
        assert bundle is not None and sum(got) == 5000
        client.close()
    admin.close()
    return times


def status_5k(url: str, work: Path) -> tuple[list[float], list[float]]:
    """ms of `cme-kiosk server status` (a process) and of the status alone, 5,000 devices."""
    admin = ServerAdmin(url)
    number = "2026-15-04-001"
    admin.create_project(make_project(number))
    now = admin.platform.now()
    key = signing.public_bytes(signing.new_private_key())
    with admin.db.write() as conn:
        conn.execute(insert(t.devices), [
            {"id": f"dv-b{i:06d}", "project": number, "role": "desk", "desk_name": f"D{i}",
             "token_hash": f"{i:064d}", "public_key": key, "seq_start": 1, "enrolled_at": now,
             "state": "active", "end_reason": "", "reported_latest": 20, "reported_at": now,
             "highest_contiguous": 20 - (i % 7 == 0)}
            for i in range(5000)
        ])  # fmt: skip
        conn.execute(insert(t.device_seqs), [
            {"device_id": f"dv-b{i:06d}", "seq": s}
            for i in range(5000) for s in range(1, 21) if not (i % 7 == 0 and s == 20)
        ])  # fmt: skip
    inproc = []
    for _ in range(3):
        started = time.perf_counter()
        st = admin.status(number)
        inproc.append((time.perf_counter() - started) * 1000)
        assert len(st.desks) == 5000 and sum(d.missing for d in st.desks) == 715
    admin.close()
    command = []
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CME_KIOSK_SERVER_DIR": str(work)}
    for _ in range(3):
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "kiosk", "server", "status", number, "--db", url],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        command.append((time.perf_counter() - started) * 1000)
        assert out.stdout.count("\n") > 5000
    return command, inproc


def median(values: list[float]) -> float:
    """The median."""
    return statistics.median(values)


def report(runs: list[Run], pulls: list[float], status: tuple[list[float], list[float]]) -> None:
    """Print every run, then the bench lines (medians)."""
    for r in runs:
        rec, rep, pul = r.peak_rates
        print(
            f"# {r.workers}w herd: {r.records_s:.0f} records/s, upload p99 {r.herd_p99_ms:.0f} ms,"
            f" CPU/1k records server {r.server_ms_per_1k:.0f} ms postgres {r.pg_ms_per_1k:.0f} ms"
            f" generator {r.generator_ms_per_1k:.0f} ms; enroll+pull {r.enroll_pull_s:.1f} s |"
            f" peak: {rec:.1f} records/s {rep:.0f} reports/s {pul:.1f} pull requests/s, upload"
            f" p50 {r.peak_p50_ms:.0f} ms p99 {r.peak_p99_ms:.0f} ms, report p99"
            f" {r.peak_report_p99_ms:.0f} ms, pull p99 {r.peak_pull_p99_ms:.0f} ms, server +"
            f" postgres {r.peak_cores:.2f} cores | 503s retried {r.retried}"
        )
    one = [r for r in runs if r.workers == 1]
    two = [r for r in runs if r.workers == 2]

    def line(name: str, values: list[float], unit: str, fmt: str = ".0f") -> None:
        print(f"bench: {name} {median(values):{fmt}} {unit}")

    line("platform_records_per_s_1w", [r.records_s for r in one], "records/s")
    line("platform_records_per_s_2w", [r.records_s for r in two], "records/s")
    line("platform_upload_p99_ms", [r.peak_p99_ms for r in two], "ms")
    line("platform_upload_p99_ms_1w", [r.peak_p99_ms for r in one], "ms")
    line("platform_upload_p99_ms_herd", [r.herd_p99_ms for r in two], "ms")
    line("platform_cpu_ms_per_1k_records", [r.server_ms_per_1k for r in two], "ms")
    line("platform_cpu_ms_per_1k_records_1w", [r.server_ms_per_1k for r in one], "ms")
    line("platform_postgres_cpu_ms_per_1k_records", [r.pg_ms_per_1k for r in runs], "ms")
    line("platform_pull_5k_roster_ms", pulls, "ms")
    line("platform_status_5k_devices_ms", status[0], "ms")
    line("platform_status_5k_devices_inproc_ms", status[1], "ms")
    cores = median([r.peak_cores for r in two])
    print(
        f"# peak: {PEAK_RECORDS_S:.1f} records/s from {PEAK_DESKS} desks (reports every"
        f" {DRAIN_S:.0f} s and after each tap, pulls every {PULL_S:.0f} s) took {cores:.2f} of"
        f" {CORES} cores (server + PostgreSQL, 2 workers)"
    )
    line("platform_peak_headroom", [CORES / r.peak_cores for r in two], "x", ".1f")
    line("platform_peak_headroom_1w", [CORES / r.peak_cores for r in one], "x", ".1f")


def main() -> None:
    """Run the alternating 1- and 2-worker runs, then the 5k pull and status; print."""
    base = ROOT / ".bench-work"
    base.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        work = Path(tmp)
        tls = make_tls(work / "tls")
        cluster = PgCluster()
        cluster.start(durable=True)
        runs: list[Run] = []
        try:
            for rep in range(REPEATS):
                for workers in (1, 2):
                    url = cluster.new_database()
                    server = start_platform(url, tls, work / f"run-{rep}-{workers}",
                                            workers=workers)  # fmt: skip
                    try:
                        runs.append(asyncio.run(load(server, cluster, url, tls)))
                    finally:
                        server.stop()
                    cluster.drop_database(url)
                    print(f"# run {rep + 1}/{REPEATS}, {workers} worker(s) done", flush=True)
            url = cluster.new_database()
            server = start_platform(url, tls, work / "pull", workers=1)
            try:
                pulls = pull_5k(server, url, tls)
            finally:
                server.stop()
            status = status_5k(url, work)
        finally:
            cluster.stop()
    print(f"# {DESKS} desks over {PROJECTS} projects, {RECORDS} records each in batches of"
          f" {BATCH}; PostgreSQL durable; {os.cpu_count()} cores shared with the generator")  # fmt: skip
    report(runs, pulls, status)


if __name__ == "__main__":
    main()
