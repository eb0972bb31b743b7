"""`cme-kiosk organizer report` on a 5,000-person, 6-session project (60,000 records): < 3 s.

The platform is the real server (uvicorn, TLS on loopback, SQLite) holding the project, a roster
of 5,000 and one desk's 60,000 signed records; the organizer tool is enrolled with a one-time
code. Timed: the whole command in its own process (start-up, pull of what changed, review, printing),
the median of three runs after the first. Beside it, from the same run: the first report (which
pulls all 65,000 roster entries and records), a report whose inputs changed (the kept review
cannot be used: computed again), `report --json`, `report --xlsx`, and `build_review` alone in
this process. Then the workspace window (tests/bench/organizer_open.py): three opens on the kept
review, one after the kept review was removed (computed on open), and one online.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kiosk.core.model import (  # noqa: E402
    Project,
    ProjectForm,
    ProjectKind,
    ProjectLevel,
    Session,
)
from sync.server.roster import RosterRow, import_roster  # noqa: E402
from tests.support.desks import enroll  # noqa: E402
from tests.support.live_server import LiveServer, start_live_server  # noqa: E402
from tests.support.roster import at, make_roster  # noqa: E402
from tests.support.tls import make_tls  # noqa: E402

N = 5000
DAYS = (date(2026, 5, 19), date(2026, 5, 20), date(2026, 5, 21))
NUMBER = "2026-15-01-500"


def big_project() -> Project:
    """Three days of a morning and an afternoon session: six sessions."""
    sessions = tuple(
        s
        for d in DAYS
        for s in (
            Session(f"{d:%d}-am", at(d, 8, 30), at(d, 12), "上午"),
            Session(f"{d:%d}-pm", at(d, 14), at(d, 17), "下午"),
        )
    )
    return Project(
        number=NUMBER, name="急危重症护理新进展（大型）", level=ProjectLevel.PROVINCIAL,
        kind=ProjectKind.RECOMMENDED, form=ProjectForm.FACE_TO_FACE, organizer="内蒙古自治区人民医院",
        venue="呼和浩特 会展中心", profile="inner-mongolia-2025-draft", days=DAYS, sessions=sessions,
    )  # fmt: skip


def seed(server: LiveServer) -> None:
    """The project, a roster of N and one desk's in and out for every person and session."""
    project = big_project()
    server.admin.create_project(project)
    rows = [
        RosterRow(line=i + 2, id_type=a.document.type.value, id_number=a.document.number,
                  name=a.name, unit=a.unit)
        for i, a in enumerate(make_roster(N))
    ]  # fmt: skip
    import_roster(server.admin.platform, NUMBER, rows, actor="bench")
    desk = enroll(server, NUMBER, "A")
    batch = []
    for s in project.sessions:
        for i in range(N):
            early = timedelta(seconds=(i * 7) % 1500)
            batch.append(desk.record(f"A{i + 1}", at=s.start - early, method="face"))
            batch.append(
                desk.record(f"A{i + 1}", at=s.end + early / 5, direction="out", method="qr")
            )
            if len(batch) == 500:
                desk.upload(*batch)
                batch = []
    if batch:
        desk.upload(*batch)
    desk.client.device_status(desk.seq)
    desk.client.close()


CPU: list[float] = []  # the CPU seconds of each `cli` run, for a machine shared with others
OPEN_CPU: list[float] = []  # the same for each workspace open (its whole process)


def cli(env: dict[str, str], *args: str) -> tuple[float, str]:
    """Run `python -m kiosk …` in its own process; its wall time and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", *args], env=env, cwd=ROOT, capture_output=True,
        text=True, check=False, timeout=600,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {out.stderr[-2000:]}")
    return elapsed, out.stdout


def review_only(data_dir: Path) -> float:
    """Seconds for `build_review` alone on the pulled data, in this process."""
    from kiosk.core.credits.review import build_review
    from kiosk.core.rules import load_profile
    from kiosk.reports.organizer_data import pull
    from kiosk.reports.workspace import Workspace
    from sync.client import SyncClient

    ws = Workspace(data_dir / "organizer")
    c = ws.credentials(NUMBER)
    with SyncClient(c.server_url, token=c.token, ca_bundle=Path(str(c.ca_bundle))) as client:
        pulled = pull(client, ws, NUMBER)
    start = time.perf_counter()
    table = build_review(
        pulled.project, load_profile("inner-mongolia-2025-draft"), pulled.records,
        people=pulled.people, now=pulled.pulled_at,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    assert len(table.rows) == N and all(len(r.lines) == 6 for r in table.rows)
    return elapsed


def open_workspace(data_dir: Path, *, online: bool = False) -> tuple[float, float]:
    """The workspace window opened on the pulled copy in its own process: (from its start, after
    its imports) until the first view is on screen."""
    args = [sys.executable, str(ROOT / "tests" / "bench" / "organizer_open.py"), str(data_dir),
            NUMBER, *(["--online"] if online else [])]  # fmt: skip
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=False, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    OPEN_CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("open ")), None)
    if line is None:
        raise RuntimeError(f"the workspace did not open: {out.stderr[-2000:]}")
    _, total, after, rows = line.split()
    assert int(rows) == N, line
    return float(total), float(after)


def main() -> None:
    """Print the bench lines."""
    base = ROOT / ".bench-work"
    base.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        work = Path(tmp)
        tls = make_tls(work / "tls")
        server = start_live_server(f"sqlite:///{work / 'server.sqlite3'}", tls, backend="sqlite")
        try:
            server.clock.set(at(DAYS[-1], 7))
            started = time.perf_counter()
            seed(server)
            print(f"# seeded {N} people, 6 sessions, {N * 12} records in"
                  f" {time.perf_counter() - started:.1f} s")  # fmt: skip
            server.clock.set(at(DAYS[-1] + timedelta(days=2), 9))
            env = {**os.environ, "PYTHONPATH": str(ROOT), "CME_KIOSK_DATA_DIR": str(work / "org")}
            code, _ = server.admin.enroll_code(NUMBER, role="organizer")
            cli(env, "organizer", "enroll", code, "--server", server.url,
                "--ca-bundle", str(tls.ca_pem))  # fmt: skip
            elapsed, out = cli(env, "organizer", "report", NUMBER)  # pulls everything
            assert f", {N} attendees" in out, out[-500:]
            print(f"bench: organizer_report_5k_first_pull {elapsed:.2f} s")
            runs, cpu = [], []
            for _ in range(3):
                elapsed, out = cli(env, "organizer", "report", NUMBER)
                assert "total credits" in out and f", {N} attendees" in out, out[-500:]
                runs.append(elapsed)
                cpu.append(CPU[-1])
            print(f"# runs: {', '.join(f'{r:.2f}' for r in runs)} s; load average"
                  f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
            print(f"bench: organizer_report_5k {statistics.median(runs):.2f} s")
            print(f"bench: organizer_report_5k_cpu {statistics.median(cpu):.2f} s")
            elapsed, out = cli(env, "organizer", "report", NUMBER, "--json")
            assert len(out.splitlines()) == N
            print(f"bench: organizer_report_5k_json {elapsed:.2f} s")
            xlsx = work / "export.xlsx"
            elapsed, _ = cli(env, "organizer", "report", NUMBER, "--xlsx", str(xlsx))
            print(f"bench: organizer_report_5k_xlsx {elapsed:.2f} s")
            # Other yearly-cap inputs: the kept review does not apply, computed (and kept) again.
            exempt = work / "exempt.txt"
            exempt.write_text(make_roster(1)[0].document.number + "\n", encoding="utf-8")
            elapsed, out = cli(env, "organizer", "report", NUMBER, "--cap-exempt", str(exempt))
            assert f", {N} attendees" in out, out[-500:]
            print(f"bench: organizer_report_5k_recomputed {elapsed:.2f} s")
            print(f"bench: organizer_report_5k_recomputed_cpu {CPU[-1]:.2f} s")
            review = review_only(work / "org")
            print(f"bench: organizer_review_5k {review:.2f} s")
            kept = next((work / "org" / "organizer").glob("*/review.cache"), None)
            if kept is not None:
                kept.unlink()
            computed = open_workspace(work / "org")  # no kept review: computed, then kept
            opened = [open_workspace(work / "org") for _ in range(3)]
            print("# workspace opens (process start, after imports): "
                  + ", ".join(f"{a:.2f}/{b:.2f}" for a, b in opened) + " s")  # fmt: skip
            print(f"bench: organizer_open_5k {statistics.median(a for a, _ in opened):.2f} s")
            print(f"bench: organizer_open_5k_after_imports"
                  f" {statistics.median(b for _, b in opened):.2f} s")  # fmt: skip
            print(f"bench: organizer_open_5k_cpu {statistics.median(OPEN_CPU[-3:]):.2f} s")
            print(f"bench: organizer_open_5k_recomputed {computed[0]:.2f} s")
            print(f"bench: organizer_open_5k_recomputed_cpu {OPEN_CPU[-4]:.2f} s")
            online = open_workspace(work / "org", online=True)
            print(f"bench: organizer_open_5k_online {online[0]:.2f} s")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
