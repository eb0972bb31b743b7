"""Where a platform request's CPU goes: cProfile over many requests against the real app.

Not a benchmark (bench_platform measures): a tool to find what to cut. The real app
(`sync.server.app.create_app`) on a private PostgreSQL (tests.support.postgres), driven in this
process through httpx's ASGI transport, with FastAPI's thread-pool hops made inline so the one
profiler sees the whole request (routing, validation, authentication, SQL, serialisation); TLS
and uvicorn's HTTP parsing are not in it. Kinds: `upload1` (one record, carrying the status
report with a signed head, as a kiosk's drain after a tap), `report` (a status report with a
signed head: the heartbeat), `pull` (one changes page; the bundle is asked only when it changed),
`upload4` (four records in one upload carrying the report, as a paced drain sends them).

    .venv/bin/python tests/bench/profile_platform.py [KIND ...] [--n N] [--top N]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import fastapi.dependencies.utils  # noqa: E402
import fastapi.routing  # noqa: E402
import httpx  # noqa: E402

from sync import chain  # noqa: E402
from sync import protocol as p  # noqa: E402
from sync.server.admin import ServerAdmin  # noqa: E402
from sync.server.app import create_app  # noqa: E402
from sync.server.roster import RosterRow, import_roster  # noqa: E402
from sync.server.routes import desks  # noqa: E402
from tests.support.load import JSON, LoadDesk  # noqa: E402
from tests.support.postgres import PgCluster  # noqa: E402
from tests.support.roster import DAY1, at, make_project, make_roster  # noqa: E402

NUMBER = "2026-15-02-001"
DESKS = 10


async def _inline(func: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    return func(*args, **kw)


def _one_thread() -> None:
    """FastAPI runs `def` endpoints and dependencies on a thread pool: run them inline here."""
    fastapi.routing.run_in_threadpool = _inline  # type: ignore[assignment, attr-defined]
    fastapi.dependencies.utils.run_in_threadpool = _inline  # type: ignore[assignment, attr-defined]
    desks.run_in_threadpool = _inline  # type: ignore[attr-defined]  # routes that hop themselves


def _seed(url: str) -> list[str]:
    admin = ServerAdmin(url)
    people = make_roster(500)
    rows = [
        RosterRow(line=i + 2, id_type=a.document.type.value, id_number=a.document.number,
                  name=a.name)
        for i, a in enumerate(people)
    ]  # fmt: skip
    admin.create_project(make_project(NUMBER))
    import_roster(admin.platform, NUMBER, rows, actor="profile")
    codes = [admin.enroll_code(NUMBER)[0] for _ in range(DESKS)]
    admin.close()
    return codes


def report_json(desk: LoadDesk, seq: int) -> str:
    """The desk's status report with its signed head (what a kiosk sends)."""
    head = chain.sign_head(desk.key, seq, desk.hashes[seq])  # type: ignore[arg-type, attr-defined]
    return p.DeviceReport(
        latest_seq=seq, head=p.ChainHead(seq=seq, hash=head.hash, signature=head.signature)
    ).model_dump_json()


async def _prepare(app: Any, codes: list[str], n: int) -> list[LoadDesk]:
    desks = []
    for i, code in enumerate(codes):
        d = LoadDesk(NUMBER, code, f"D{i}")
        d.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://platform.test",
            headers={p.VERSION_HEADER: str(p.PROTOCOL_VERSION)},
        )  # fmt: skip
        await d.enroll()
        await d.pull()
        d.prepare(5 * (n // len(codes) + 1), batch=1, people=[f"A{j}" for j in range(1 + 50 * i, 51 + 50 * i)],
                  start=at(DAY1, 8))  # fmt: skip
        import json

        d.hashes = {r[1]: json.loads(r[0])["hash"] for r in d.singles}  # type: ignore[attr-defined]
        desks.append(d)
    return desks


async def _run(kind: str, desks: list[LoadDesk], n: int) -> None:
    per = n // len(desks)
    for k in range(per):
        for d in desks:
            if kind == "upload1":
                body, seq = d.singles[k]
                answer = await d.send(
                    "POST", f"{p.API_PREFIX}/events", content=b'{"records":[' + body + b"]}",
                    headers=JSON | {p.REPORT_HEADER: report_json(d, seq)},
                )  # fmt: skip
                assert answer.status_code == 200 and "desk" in answer.json(), answer.text
            elif kind == "upload4":  # the records after upload1's, four to a request
                batch = d.singles[per + 4 * k : per + 4 * k + 4]
                answer = await d.send(
                    "POST", f"{p.API_PREFIX}/events",
                    content=b'{"records":[' + b",".join(r for r, _ in batch) + b"]}",
                    headers=JSON | {p.REPORT_HEADER: report_json(d, batch[-1][1])},
                )  # fmt: skip
                assert answer.status_code == 200 and "desk" in answer.json(), answer.text
            elif kind == "report":
                top = d.singles[5 * per - 1][1]  # the last upload4 sent
                answer = await d.send("POST", f"{p.API_PREFIX}/devices/me/status",
                                      content=report_json(d, top), headers=JSON)  # fmt: skip
                assert answer.status_code == 200, answer.text
            else:
                await d.pull()


def main() -> None:
    """Profile each kind and print per-request CPU and the top functions."""
    parser = argparse.ArgumentParser()
    parser.add_argument("kinds", nargs="*", default=["upload1", "report", "pull"])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()
    _one_thread()
    cluster = PgCluster()
    cluster.start(durable=True)
    try:
        url = cluster.new_database()
        codes = _seed(url)
        app = create_app(url, clock=lambda: at(DAY1, 8, 30))
        loop = asyncio.new_event_loop()
        desks = loop.run_until_complete(_prepare(app, codes, args.n))
        order = ["upload1", "upload4"]  # uploads first: reports and pulls then see their records
        for kind in [*order, *[k for k in args.kinds if k not in order]]:
            profiler = cProfile.Profile(time.process_time)  # CPU, not waiting on PostgreSQL
            started, wall = time.process_time(), time.perf_counter()
            profiler.enable()
            loop.run_until_complete(_run(kind, desks, args.n))
            profiler.disable()
            cpu, wall = time.process_time() - started, time.perf_counter() - wall
            count = args.n // len(desks) * len(desks)
            print(f"== {kind}: {count} requests, {cpu / count * 1000:.2f} ms CPU each in the"
                  f" app's process (profiled; {wall / count * 1000:.2f} ms wall)")  # fmt: skip
            if kind in args.kinds:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
                print(out.getvalue())
                profiler.dump_stats(str(Path(tempfile.gettempdir()) / f"platform-{kind}.prof"))
        for d in desks:
            loop.run_until_complete(d.close())
        loop.close()
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
