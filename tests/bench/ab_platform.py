"""Two checkouts' platforms on one PostgreSQL, each desk's requests alternating between them.

Not a benchmark (bench_platform measures one platform): a tool to compare two versions of the
platform's code on the same machine at the same moments, so the VM's drift between runs, often
larger than the change, falls on both alike. Each checkout's `cme-kiosk server run` (one worker,
TLS on loopback) serves the same database; each desk sends its k-th request of a phase to A or B
in turn. Per request: the server process's CPU and that of its own PostgreSQL backends (the
platform names its connections after its pid). `nostack:` before a checkout hides uvloop and
httptools from it (how a platform before 886c144 served, when uvicorn found neither).

    .venv/bin/python tests/bench/ab_platform.py A_CHECKOUT B_CHECKOUT [--desks N] [--n N]
        [--rounds N]

A checkout: a directory holding the code (`git worktree add /tmp/a COMMIT`); both run with this
virtualenv's packages.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.bench.bench_platform import desks_for, seed  # noqa: E402
from tests.support.env import free_port  # noqa: E402
from tests.support.load import LoadDesk, Timings, each  # noqa: E402
from tests.support.postgres import PgCluster  # noqa: E402
from tests.support.roster import DAY1, at  # noqa: E402
from tests.support.tls import TlsFiles, make_tls  # noqa: E402
from tests.support.workers import PlatformProcess, cpu_seconds  # noqa: E402

NO_STACK = "nostack:"

Job = Callable[[LoadDesk, int], Awaitable[object]]


def start(checkout: str, db_url: str, tls: TlsFiles, work: Path) -> PlatformProcess:
    """`server run` from a checkout (one worker, TLS) on a free port; return once it answers."""
    hidden = checkout.startswith(NO_STACK)
    code = Path(checkout.removeprefix(NO_STACK)).resolve()
    path = str(code)
    if hidden:
        shadow = work / "no-stack"
        shadow.mkdir(parents=True, exist_ok=True)
        for module in ("uvloop", "httptools"):  # uvicorn's "auto" then takes asyncio and h11
            (shadow / f"{module}.py").write_text("raise ImportError('hidden for the A/B')\n")
        path = f"{shadow}:{code}"
    port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    log = work / f"platform-{port}.log"
    env = {**os.environ, "PYTHONPATH": path, "CME_KIOSK_SERVER_DIR": str(work)}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "server", "run", "--port", str(port), "--db", db_url,
             "--cert", str(tls.cert_pem), "--key", str(tls.key_pem), "--workers", "1"],
            cwd=code, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = PlatformProcess(proc, f"https://127.0.0.1:{port}", port, tls, db_url, log, expected=1)
    server.wait_workers(timeout=90)
    return server


def backends_cpu(server: PlatformProcess) -> float:
    """CPU seconds of the PostgreSQL backends serving this platform's process."""
    mine = server.db_backends().get(server.proc.pid, [])
    return sum(cpu_seconds(backend) for backend, _, _ in mine)


class Pair:
    """The desks, each with a connection to A and one to B."""

    def __init__(self, desks: list[LoadDesk], servers: list[PlatformProcess], tls: TlsFiles):
        self.desks, self.servers = desks, servers
        context = tls.client_context()
        self.clients: list[list[httpx.AsyncClient]] = []
        for d in desks:
            mine = []
            for s in servers:
                d.open(s.url, context)
                assert d.client is not None
                mine.append(d.client)
            self.clients.append(mine)

    def use(self, side: int) -> None:
        """Every desk talks to A (0) or B (1)."""
        for d, mine in zip(self.desks, self.clients, strict=True):
            d.client = mine[side]

    async def phase(self, name: str, job: Job, per_desk: int) -> None:
        """Each desk runs `job` per_desk times, alternating A and B; print CPU per request."""
        counts = [0, 0]
        before = [(cpu_seconds(s.proc.pid), backends_cpu(s)) for s in self.servers]

        async def run(i: int, d: LoadDesk) -> None:
            for k in range(per_desk):
                side = (k + i) % 2
                d.client = self.clients[i][side]
                counts[side] += 1
                await job(d, k)

        await asyncio.gather(*(run(i, d) for i, d in enumerate(self.desks)))
        after = [(cpu_seconds(s.proc.pid), backends_cpu(s)) for s in self.servers]
        cost = [
            ((a[0] - b[0]) * 1000 / n, (a[1] - b[1]) * 1000 / n)
            for a, b, n in zip(after, before, counts, strict=True)
        ]
        (sa, pa), (sb, pb) = cost
        print(f"{name:8s} A server {sa:.2f} pg {pa:.2f} total {sa + pa:.2f} ms | B server"
              f" {sb:.2f} pg {pb:.2f} total {sb + pb:.2f} ms | B/A {(sb + pb) / (sa + pa):.3f}",
              flush=True)  # fmt: skip

    async def close(self) -> None:
        """Close every connection."""
        for mine in self.clients:
            for client in mine:
                await client.aclose()


async def compare(args: argparse.Namespace) -> None:
    """Seed, start A and B, and run the phases: reports, then uploads of 1 and 4, and pulls."""
    work = Path(tempfile.mkdtemp(prefix="ab-platform-"))
    tls = make_tls(work / "tls")
    cluster = PgCluster()
    cluster.start(durable=True)
    servers: list[PlatformProcess] = []
    try:
        url = cluster.new_database()
        codes, people = seed(url, desks=args.desks)
        servers = [start(c, url, tls, work / f"side-{i}") for i, c in enumerate((args.a, args.b))]
        desks, slices = desks_for(codes, people)
        pair = Pair(desks, servers, tls)
        pair.use(0)
        await each(desks, "enroll")
        await each(desks, "pull")
        pair.use(1)
        await each(desks, "pull")
        timings, n = Timings(), args.n

        async def batch(d: LoadDesk, k: int) -> None:
            body, count, top = d.bodies[k]
            await d.post_batch(body, count, timings, report=top)

        await pair.phase("report", lambda d, _: d.report(d.seq, timings), n)
        for r in range(args.rounds):
            for d, mine in zip(desks, slices, strict=True):
                d.prepare(n, batch=1, people=mine, start=at(DAY1, 9, 10 * r))
            await pair.phase("upload1", batch, n)
            for d, mine in zip(desks, slices, strict=True):
                d.prepare(4 * n, batch=4, people=mine, start=at(DAY1, 11, 10 * r))
            await pair.phase("upload4", batch, n)
            await pair.phase("pull", lambda d, _: d.pull(timings), n // 4)
        await pair.close()
    finally:
        for s in servers:
            s.stop()
        cluster.stop()


def main() -> None:
    """Parse the arguments and compare."""
    parser = argparse.ArgumentParser()
    parser.add_argument("a", help=f"checkout A (prefix {NO_STACK} to hide uvloop and httptools)")
    parser.add_argument("b", help="checkout B")
    parser.add_argument("--desks", type=int, default=40)
    parser.add_argument("--n", type=int, default=80, help="requests per desk and phase")
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(compare(parser.parse_args()))


if __name__ == "__main__":
    main()
