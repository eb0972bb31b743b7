"""`cme-kiosk server run --workers N` in its own process group, its worker processes, their CPU.

The platform is started exactly as an administrator would (TLS from the test CA, loopback), and
is ready once every worker answers; `workers()` lists the worker processes (children of
uvicorn's supervisor), `cpu_s()` their CPU time from /proc, and `db_backends()` which worker
holds which PostgreSQL connection (the platform names its connections `cme-kiosk pid N`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from sync.client import SyncClient, TransientError
from sync.protocol import EventRecord
from tests.support.desks import WireDesk
from tests.support.env import free_port
from tests.support.tls import TlsFiles

ROOT = Path(__file__).resolve().parents[2]
_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat split after the command name (field 3 is index 0), or None if gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (0 when it is gone)."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


@dataclass
class PlatformProcess:
    """A running `cme-kiosk server run`: its URL, supervisor, log file; stop() ends it."""

    proc: subprocess.Popen[bytes]
    url: str
    port: int
    tls: TlsFiles
    db_url: str
    log: Path
    expected: int
    stopped: bool = field(default=False)
    clients: list[SyncClient] = field(default_factory=list)

    def client(self, **kw: Any) -> SyncClient:
        """A client trusting the test CA (`url=` for another way in); closed by stop()."""
        kw.setdefault("ca_bundle", self.tls.ca_pem)
        kw.setdefault("connect_timeout", 5.0)
        kw.setdefault("read_timeout", 30.0)
        made = SyncClient(kw.pop("url", self.url), **kw)
        self.clients.append(made)
        return made

    def workers(self) -> list[int]:
        """The worker processes now (the supervisor's children that serve the app)."""
        if self.expected == 1:
            return [self.proc.pid]
        return [
            pid
            for pid in children(self.proc.pid)
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]

    def cpu_s(self, pids: list[int] | None = None) -> dict[int, float]:
        """CPU seconds of each worker (or of the given processes)."""
        return {pid: cpu_seconds(pid) for pid in (pids or self.workers())}

    def wait_workers(self, n: int | None = None, timeout: float = 60) -> list[int]:
        """Wait until `n` (default: all) workers run and the platform answers; return them."""
        want = self.expected if n is None else n
        deadline = time.monotonic() + timeout
        while True:
            found = self.workers()
            if len(found) >= want and _answers(self.url, self.tls):
                return found
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"platform did not come up: {self.log.read_text()[-2000:]}")
            time.sleep(0.1)

    def db_backends(self) -> dict[int, list[tuple[int, str, str]]]:
        """Worker pid → [(backend pid, state, wait_event_type)] of its PostgreSQL connections."""
        out: dict[int, list[tuple[int, str, str]]] = {}
        with psycopg.connect(self.db_url.replace("+psycopg", ""), autocommit=True) as conn:
            rows = conn.execute(
                "SELECT application_name, pid, coalesce(state, ''), coalesce(wait_event_type, '')"
                " FROM pg_stat_activity WHERE application_name LIKE 'cme-kiosk pid %'"
            ).fetchall()
        for name, backend, state, waiting in rows:
            out.setdefault(int(name.rsplit(" ", 1)[1]), []).append((backend, state, waiting))
        return out

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM the supervisor (it ends its workers) and wait; SIGKILL the group if stuck."""
        if self.stopped:
            return self.proc.returncode or 0
        self.stopped = True
        for made in self.clients:  # open keep-alive connections would hold the shutdown up
            made.close()
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait(10)


class ProjectLock:
    """A project's row lock held from the test's own connection until release().

    Every upload of the project then waits inside its transaction: its worker is provably
    mid-upload (pg_stat_activity shows the wait) and holds a pooled connection.
    """

    def __init__(self, db_url: str, number: str):
        self.conn = psycopg.connect(db_url.replace("+psycopg", ""))
        self.conn.execute("SELECT number FROM projects WHERE number = %s FOR UPDATE", (number,))
        self.held = True

    def stored(self) -> set[str]:
        """Every stored record's uuid (each statement sees what was committed)."""
        return {r[0] for r in self.conn.execute("SELECT uuid FROM events").fetchall()}

    def release(self) -> None:
        """End the transaction (once): the waiting uploads go on."""
        if self.held:
            self.held = False
            self.conn.rollback()
            self.conn.close()


def waiting_on_lock(server: PlatformProcess, timeout: float = 60) -> dict[int, int]:
    """Worker pid → its connections waiting on a lock, once at least one waits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = {
            pid: sum(1 for _, _, kind in conns if kind == "Lock")
            for pid, conns in server.db_backends().items()
        }
        if any(waiting.values()):
            return {pid: n for pid, n in waiting.items() if n}
        time.sleep(0.05)
    raise AssertionError("no upload ever waited on the project lock")


def until_answered(desk: WireDesk, batch: list[EventRecord]) -> dict[str, str]:
    """Upload until answered (a dead worker, a 503, a lost answer: retried); uuid → status."""
    for _ in range(600):
        try:
            return {a.uuid: a.status for a in desk.upload(*batch)}
        except TransientError:
            time.sleep(0.05)
    raise AssertionError(f"{desk.device_id}: the platform never answered")


def _answers(url: str, tls: TlsFiles) -> bool:
    probe = SyncClient(url, ca_bundle=tls.ca_pem, connect_timeout=1, read_timeout=5)
    try:
        probe.negotiate()
        return True
    except TransientError:
        return False
    finally:
        probe.close()


def start_platform(
    db_url: str, tls: TlsFiles, work: Path, *, workers: int, extra: tuple[str, ...] = (),
    timeout: float = 90,
) -> PlatformProcess:  # fmt: skip
    """Start `cme-kiosk server run --workers N` with TLS on a free loopback port; wait for it."""
    port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    log = work / f"platform-{port}.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CME_KIOSK_SERVER_DIR": str(work)}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "server", "run", "--port", str(port), "--db", db_url,
             "--cert", str(tls.cert_pem), "--key", str(tls.key_pem), "--workers", str(workers),
             *extra],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    platform = PlatformProcess(
        proc, f"https://127.0.0.1:{port}", port, tls, db_url, log, expected=workers
    )
    try:
        platform.wait_workers(timeout=timeout)
    except BaseException:
        platform.stop()
        raise
    return platform
