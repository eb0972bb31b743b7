"""The platform under province-scale load: `cme-kiosk server run` on PostgreSQL over TLS, 1 and 2 workers.

200 simulated desks over 20 projects (tests.support.load: async httpx, one connection per desk)
enroll and pull their project; everything they upload is signed before the clock starts.
- The herd: every desk uploads 500 records in batches of 50, each carrying the desk's status
  report (signed head) as a kiosk's drain does, all at once and back to back (desks catching up
  after an outage): throughput, CPU per record.
- The costs: each kind of request a kiosk sends at the peak, alone, many times over (a status
  report with its signed head: the heartbeat; one record uploaded alone, and an upload of
  PACED_BATCH records, both carrying the report; a pull): CPU per request, the capacity model's
  inputs. The model (docs/scale.md) prices the province's peak with them twice: at the desks' own
  schedule (`platform_peak_headroom_unpaced`), and at the pace a province's platform asks for
  (`server run --push-interval 60 --pull-interval 120`: `platform_peak_headroom`).
- The peak: the province's busiest half hour's taps (docs/scale.md) land on these 200 desks at
  random (open loop: the schedule never waits for an answer), each desk draining and pulling on
  the kiosk's own schedule: upload latency under that load.
CPU comes from /proc for the server's worker processes and for PostgreSQL's; every run checks
that no record was lost or stored twice. 1 and 2 workers alternate BENCH_REPEATS times (default
3) and medians are printed. PostgreSQL is durable (fsync on).
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from sync import signing  # noqa: E402
from sync.client import SyncClient  # noqa: E402
from sync.server import db as t  # noqa: E402
from sync.server.admin import ServerAdmin  # noqa: E402
from tests.support.load import LoadDesk, Meter, Timings, each  # noqa: E402
from tests.support.peak import PeakDesk, taps  # noqa: E402
from tests.support.platform_seed import seed_project  # noqa: E402
from tests.support.postgres import PgCluster  # noqa: E402
from tests.support.roster import DAY1, at, make_project, make_roster  # noqa: E402
from tests.support.tls import TlsFiles, make_tls  # noqa: E402
from tests.support.workers import PlatformProcess, start_platform  # noqa: E402

DESKS = int(os.environ.get("BENCH_PLATFORM_DESKS", "200"))
PROJECTS = 20
RECORDS = 500
BATCH = 50
ROSTER = 500
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
COST_REQUESTS = 20  # of each kind per desk in the cost phases

# ---- the province's peak (docs/scale.md, "The peak") ------------------------------------------
PEAK_PROJECTS = 300
PEAK_ATTENDEES = 500
PEAK_RUSH_S = 30 * 60  # every attendee checks in within the half hour before the session
PEAK_DESKS_PER_PROJECT = 4
DRAIN_S = 5.0  # kiosk [sync] push_interval_s: a drain at least this often
HEARTBEAT_S = 60.0  # kiosk [sync] heartbeat_s: a drain that sent nothing reports this often
PULL_S = 60.0  # kiosk [sync] pull_interval_s: a changes page (the bundle only when it changed)
PEAK_RECORDS_S = PEAK_PROJECTS * PEAK_ATTENDEES / PEAK_RUSH_S  # 83.3 taps/s
PEAK_DESKS = PEAK_PROJECTS * PEAK_DESKS_PER_PROJECT  # 1,200
# The pace a province's platform asks for at its peak (`server run --push-interval 60
# --pull-interval 120`, docs/scale.md "The platform's pace"): fewer, larger uploads.
PROVINCE_PUSH_S = 60.0
PROVINCE_PULL_S = 120.0
PACED_BATCH = 4  # records in the upload whose cost is measured beside the single record's
PEAK_PHASE_S = float(os.environ.get("BENCH_PEAK_SECONDS", "60"))
PEAK_PREPARED = 100  # signed records per desk for the peak phase (about 25 are tapped)
CORES = 2


@dataclass
class Run:
    """One run's figures (CPU: the server's workers, and PostgreSQL, in ms)."""

    workers: int
    records_s: float  # the herd
    herd_p99_ms: float
    server_ms_per_1k: float
    pg_ms_per_1k: float
    generator_ms_per_1k: float
    enroll_pull_s: float
    report_ms: float  # server + PostgreSQL CPU per status report
    upload1_ms: float  # ... per record uploaded alone
    upload_batch_ms: float  # ... per upload of PACED_BATCH records
    pull_ms: float  # ... per pull (one changes page, the bundle unchanged)
    peak_p50_ms: float
    peak_p99_ms: float
    peak_report_p99_ms: float
    peak_cores: float
    retried: int

    def upload_ms(self, records: float) -> float:
        """CPU ms of an upload of `records` records, linear between the two measured sizes."""
        per_record = (self.upload_batch_ms - self.upload1_ms) / (PACED_BATCH - 1)
        return self.upload1_ms + (records - 1) * per_record

    def peak_demand_ms(self, *, push_s: float = DRAIN_S, pull_s: float = PULL_S) -> float:
        """CPU ms a second the peak needs when desks drain every `push_s`, pull every `pull_s`."""
        # The kiosk's own schedule, priced with the measured costs (docs/scale.md, "The peak").
        uploads_s, per_upload = peak_uploads(push_s)
        return (
            uploads_s * self.upload_ms(per_upload)
            + peak_reports(push_s) * self.report_ms
            + PEAK_DESKS / pull_s * self.pull_ms
        )

    def headroom(self, *, push_s: float = DRAIN_S, pull_s: float = PULL_S) -> float:
        """How many such peaks the cores carry."""
        return CORES * 1000 / self.peak_demand_ms(push_s=push_s, pull_s=pull_s)


def peak_reports(push_s: float) -> float:
    """Status reports a second at the peak when each desk drains every `push_s`."""
    # An upload carries the report and restarts the heartbeat (docs/protocol.md "When a desk
    # reports"), so a desk reports on its own only through HEARTBEAT_S without a tap: once per
    # whole HEARTBEAT_S of each gap between taps when it drains more often than that, else once
    # per drain that found nothing.
    rate = PEAK_RECORDS_S / PEAK_DESKS
    if push_s >= HEARTBEAT_S:
        return PEAK_DESKS * math.exp(-rate * push_s) / push_s
    quiet = math.exp(-rate * HEARTBEAT_S)
    return PEAK_DESKS * rate * quiet / (1 - quiet)


def peak_uploads(push_s: float) -> tuple[float, float]:
    """(uploads a second, records an upload) at the peak when each desk drains every `push_s`."""
    # Taps come at random (Poisson, PEAK_RECORDS_S / PEAK_DESKS a second on each desk); a drain
    # uploads when a tap came since the last one, everything pending in one batch.
    rate = PEAK_RECORDS_S / PEAK_DESKS
    uploads_s = PEAK_DESKS * (1 - math.exp(-rate * push_s)) / push_s
    return uploads_s, PEAK_RECORDS_S / uploads_s


def seed(url: str, *, desks: int = DESKS) -> tuple[dict[str, list[str]], list[str]]:
    """20 projects with rosters of 500 and `desks` codes over them; return project → enrollment
    codes, and roster refs."""
    admin = ServerAdmin(url)
    people = make_roster(ROSTER)
    codes: dict[str, list[str]] = {}
    for i in range(PROJECTS):
        number = f"2026-15-02-{i + 1:03d}"
        seed_project(admin, make_project(number), people, actor="bench")
        codes[number] = [
            admin.enroll_code(number)[0] for _ in range(desks // PROJECTS + (i < desks % PROJECTS))
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


def desks_for(
    codes: dict[str, list[str]], people: list[str]
) -> tuple[list[LoadDesk], list[list[str]]]:
    """The desks, and the share of the roster each one's records name (one desk per person)."""
    desks, slices = [], []
    for number, cs in codes.items():
        share = len(people) // len(cs)
        for j, code in enumerate(cs):
            desks.append(LoadDesk(number, code, f"D{j}"))
            slices.append(people[j * share : (j + 1) * share])
    return desks, slices


async def load(server: PlatformProcess, cluster: PgCluster, url: str, tls: TlsFiles) -> Run:
    """Enroll and pull, the herd, the costs, the peak; the run's figures (exactly once checked)."""
    codes, people = seed(url)
    desks, slices = desks_for(codes, people)
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
        done = await each(desks, "upload", uploads)
        herd = meter.stop()
        assert sum(done) == len(desks) * RECORDS  # type: ignore[arg-type]
        costs = await request_costs(desks, slices, server, cluster)
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
        report_ms=costs[0], upload1_ms=costs[1], upload_batch_ms=costs[2], pull_ms=costs[3],
        peak_p50_ms=peak[0], peak_p99_ms=peak[1], peak_report_p99_ms=peak[2], peak_cores=peak[3],
        retried=uploads.retried + reports.retried + int(peak[4]),
    )  # fmt: skip


async def request_costs(
    desks: list[LoadDesk], slices: list[list[str]], server: PlatformProcess, cluster: PgCluster
) -> tuple[float, float, float, float]:
    """Server + PostgreSQL CPU ms of a report, an upload of 1 and of PACED_BATCH, and a pull."""
    meter = Meter(server, cluster)
    timings = Timings()

    async def reports(d: LoadDesk) -> None:
        for _ in range(COST_REQUESTS):
            await d.report(d.seq, timings)

    async def singles(d: LoadDesk) -> None:
        for body, count, top in d.bodies:
            await d.post_batch(body, count, timings, report=top)

    async def pulls(d: LoadDesk) -> None:
        for _ in range(COST_REQUESTS // 4):
            await d.pull(timings)

    async def cost(job: object, n: int) -> float:
        meter.start()
        await asyncio.gather(*(job(d) for d in desks))  # type: ignore[operator]
        usage = meter.stop()
        return (usage.server + usage.postgres) * 1000 / n

    await each(desks, "pull")  # the desks catch up on the herd's records first
    report_ms = await cost(reports, len(desks) * COST_REQUESTS)
    for d, mine in zip(desks, slices, strict=True):
        d.prepare(COST_REQUESTS, batch=1, people=mine, start=at(DAY1, 9))
    upload_ms = await cost(singles, len(desks) * COST_REQUESTS)
    # Each desk's first pull brings the single records the other desks of its project just
    # sent (about 180), the next four nothing: about 36 records a pull, more than the ~25 a pull
    # brings at the province's pace (83.3 records/s over 300 projects, 3 other desks, 120 s).
    pull_ms = await cost(pulls, len(desks) * (COST_REQUESTS // 4))
    for d, mine in zip(desks, slices, strict=True):
        d.prepare(COST_REQUESTS * PACED_BATCH, batch=PACED_BATCH, people=mine, start=at(DAY1, 11))
    batch_ms = await cost(singles, len(desks) * COST_REQUESTS)
    await each(desks, "pull")  # caught up again: the peak's pulls start from the same place
    return report_ms, upload_ms, batch_ms, pull_ms


async def peak_traffic(
    desks: list[LoadDesk], slices: list[list[str]], server: PlatformProcess, cluster: PgCluster
) -> tuple[float, float, float, float, int]:
    """The peak's taps on these desks for PEAK_PHASE_S seconds, open loop; each desk reports
    and pulls on the kiosk's schedule. (upload p50, p99, report p99 ms, cores, 503s retried)."""
    for d, mine in zip(desks, slices, strict=True):
        d.prepare(PEAK_PREPARED, batch=1, people=mine, start=at(DAY1, 10))
    peakers = [PeakDesk(d, top=d.seq - PEAK_PREPARED) for d in desks]
    rng = random.Random(20)
    uploads, reports, pulls = Timings(), Timings(), Timings()
    meter = Meter(server, cluster)
    meter.start()
    until = time.monotonic() + PEAK_PHASE_S
    done = asyncio.Event()
    tapped, *_ = await asyncio.gather(
        taps(peakers, rate=PEAK_RECORDS_S, until=until, done=done, rng=rng),
        *(
            pd.run(until=until, done=done, idle_s=DRAIN_S, heartbeat_s=HEARTBEAT_S, pull_s=PULL_S,
                   rng=random.Random(rng.random()), uploads=uploads, reports=reports, pulls=pulls)
            for pd in peakers
        ),
    )  # fmt: skip
    usage = meter.stop()
    for d, pd in zip(desks, peakers, strict=True):
        assert pd.sent == pd.tapped
        d.seq -= PEAK_PREPARED - pd.sent  # the prepared records nobody tapped were never sent
    assert sum(pd.sent for pd in peakers) == tapped
    print(
        f"# peak phase: {tapped / PEAK_PHASE_S:.1f} taps/s, {len(reports.latencies) / usage.wall:.0f}"
        f" reports/s, {len(pulls.latencies) / usage.wall:.1f} pull requests/s from {len(desks)}"
        f" desks; generator {usage.generator / usage.wall:.2f} cores", flush=True,
    )  # fmt: skip
    return (
        uploads.percentile(50), uploads.percentile(99), reports.percentile(99),
        (usage.server + usage.postgres) / usage.wall,
        uploads.retried + reports.retried + pulls.retried,
    )  # fmt: skip


def pull_5k(server: PlatformProcess, url: str, tls: TlsFiles) -> list[float]:
    """ms for a fresh desk to pull a project with a 5,000-person roster (the real client)."""
    admin = ServerAdmin(url)
    number = "2026-15-03-001"
    seed_project(admin, make_project(number), make_roster(5000), actor="bench", details=True)
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
        print(
            f"# {r.workers}w herd: {r.records_s:.0f} records/s, upload p99 {r.herd_p99_ms:.0f} ms,"
            f" CPU/1k records server {r.server_ms_per_1k:.0f} ms postgres {r.pg_ms_per_1k:.0f} ms"
            f" generator {r.generator_ms_per_1k:.0f} ms; enroll+pull {r.enroll_pull_s:.1f} s |"
            f" CPU per report {r.report_ms:.2f} ms, single upload {r.upload1_ms:.2f} ms, upload of"
            f" {PACED_BATCH} {r.upload_batch_ms:.2f} ms, pull {r.pull_ms:.2f} ms | peak: upload p50 {r.peak_p50_ms:.0f} ms p99"
            f" {r.peak_p99_ms:.0f} ms, report p99 {r.peak_report_p99_ms:.0f} ms, server +"
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
    line("platform_cpu_ms_per_report", [r.report_ms for r in two], "ms", ".2f")
    line("platform_cpu_ms_per_single_upload", [r.upload1_ms for r in two], "ms", ".2f")
    line(f"platform_cpu_ms_per_upload_of_{PACED_BATCH}", [r.upload_batch_ms for r in two], "ms",
         ".2f")  # fmt: skip
    line("platform_cpu_ms_per_pull", [r.pull_ms for r in two], "ms", ".2f")
    line("platform_pull_5k_roster_ms", pulls, "ms")
    line("platform_status_5k_devices_ms", status[0], "ms")
    line("platform_status_5k_devices_inproc_ms", status[1], "ms")
    province = {"push_s": PROVINCE_PUSH_S, "pull_s": PROVINCE_PULL_S}
    for label, pace in (("the desks' own", {}), ("the province's", province)):
        push_s, pull_s = pace.get("push_s", DRAIN_S), pace.get("pull_s", PULL_S)
        uploads_s, per_upload = peak_uploads(push_s)
        demand = median([r.peak_demand_ms(push_s=push_s, pull_s=pull_s) for r in two])
        print(
            f"# peak at {label} pace (drain every {push_s:.0f} s, pull every {pull_s:.0f} s):"
            f" {PEAK_RECORDS_S:.1f} records/s in {uploads_s:.1f} uploads/s ({per_upload:.2f}"
            f" records each), {peak_reports(push_s):.2f} reports/s, {PEAK_DESKS / pull_s:.0f} pulls/s"
            f" from {PEAK_DESKS} desks need {demand:.0f} CPU ms/s (server + PostgreSQL) of"
            f" {CORES * 1000}"
        )
    line("platform_peak_headroom", [r.headroom(**province) for r in two], "x", ".1f")
    line("platform_peak_headroom_unpaced", [r.headroom() for r in two], "x", ".1f")
    line("platform_peak_headroom_1w", [r.headroom(**province) for r in one], "x", ".1f")


def main() -> None:
    """Run the alternating 1- and 2-worker runs, then the 5k pull and status; print."""
    started_load = os.getloadavg()  # the conditions: other work on the same cores
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
          f" {BATCH}; PostgreSQL durable; {os.cpu_count()} cores shared with the generator;"
          f" load average at the start {started_load[0]:.1f}, at the end"
          f" {os.getloadavg()[0]:.1f}")  # fmt: skip
    report(runs, pulls, status)


if __name__ == "__main__":
    main()
