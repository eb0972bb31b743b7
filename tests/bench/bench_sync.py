"""Draining 10,000 queued check-ins to the platform over loopback TLS: batches of 500 vs one per request.

The server runs as `cme-kiosk server run` in its own process (TLS from a test CA); the kiosk is
the real store, check-in service, outbox and sync client. Only the drain is timed. Alternatives in
the same run: one record per request, and the batched drain into PostgreSQL (durable, fsync on).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kiosk.core.model import DeskMode  # noqa: E402
from kiosk.services.checkin import CheckInService, Credential, Status  # noqa: E402
from sync.client import SyncClient, TransientError  # noqa: E402
from sync.client.outbox import Outbox  # noqa: E402
from sync.server.admin import ServerAdmin  # noqa: E402
from sync.store import Store  # noqa: E402
from tests.support.env import free_port  # noqa: E402
from tests.support.platform_seed import seed_project  # noqa: E402
from tests.support.postgres import PgCluster, PostgresUnavailable  # noqa: E402
from tests.support.roster import DAY1, at, make_project, make_roster  # noqa: E402
from tests.support.tls import TlsFiles, make_tls  # noqa: E402

N = 10_000


def prepare_platform(db_url: str) -> str:
    """Project and a roster of N on the platform; return a desk enrollment code."""
    admin = ServerAdmin(db_url)
    project = make_project()
    seed_project(admin, project, make_roster(N), actor="bench")
    code, _ = admin.enroll_code(project.number)
    admin.close()
    return code


def start_server(db_url: str, tls: TlsFiles, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`cme-kiosk server run` with TLS in its own process; return it and its URL once it answers."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CME_KIOSK_SERVER_DIR": str(work)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "server", "run", "--port", str(port), "--db", db_url,
         "--cert", str(tls.cert_pem), "--key", str(tls.key_pem)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"https://127.0.0.1:{port}"
    probe = SyncClient(url, ca_bundle=tls.ca_pem, connect_timeout=1)
    deadline = time.monotonic() + 30
    while True:
        try:
            probe.negotiate()
            break
        except TransientError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the platform server did not start") from None
            time.sleep(0.1)
    probe.close()
    return proc, url


def queued_kiosk(work: Path, url: str, code: str, tls: TlsFiles) -> tuple[Store, SyncClient]:
    """A kiosk enrolled with the server holding N pending check-ins."""
    store = Store.open(work / "kiosk.sqlite3")
    hashes: dict[int, str] = {}
    client = SyncClient(url, ca_bundle=tls.ca_pem, read_timeout=60, prev_hash_of=hashes.get)
    enrollment = client.enroll(code, public_key=store.device_public_key(), desk_name="A")
    project = make_project()
    store.roster.save_project(project)
    people = make_roster(N)
    store.roster.save_roster(project.number, people)  # the platform assigned the same refs A1…AN
    svc = CheckInService(store=store, project=project, device_id=enrollment.device_id,
                         desk_name="A", mode=DeskMode.IN)  # fmt: skip
    for i, p in enumerate(people):
        out = svc.present(Credential.id_card(document=p.document),
                          now=at(DAY1, 8) + timedelta(seconds=i))  # fmt: skip
        assert out.status is Status.ACCEPTED
    hashes.update({int(str(r["seq"])): str(r["hash"]) for r in store.records.chain_rows()})
    assert store.outbox.pending_count() == N
    return store, client


def drain(work: Path, db_url: str, tls: TlsFiles, *, batch: int) -> float:
    """Seconds to drain N queued records to a fresh server in batches of `batch`."""
    work.mkdir(parents=True)
    code = prepare_platform(db_url)
    proc, url = start_server(db_url, tls, work)
    try:
        store, client = queued_kiosk(work, url, code, tls)
        outbox = Outbox(store.outbox, client, batch_size=batch)
        start = time.perf_counter()
        outbox.drain()
        elapsed = time.perf_counter() - start
        assert store.outbox.pending_count() == 0 and store.outbox.dead_letters() == []
        assert client.answer_counts["accepted"] == N
        client.close()
    finally:
        proc.terminate()
        proc.wait(30)
    admin = ServerAdmin(db_url)
    assert admin.status("2026-15-01-001").events == N
    admin.close()
    return elapsed


def main() -> None:
    """Print the bench lines."""
    base = ROOT / ".bench-work"
    base.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        work = Path(tmp)
        tls = make_tls(work / "tls")
        print(f"# {N} records, server: cme-kiosk server run (uvicorn, TLS) on 127.0.0.1")
        t = drain(work / "batch", f"sqlite:///{work / 'batch.sqlite3'}", tls, batch=500)
        print(f"bench: drain_10k {t:.2f} s")
        t = drain(work / "single", f"sqlite:///{work / 'single.sqlite3'}", tls, batch=1)
        print(f"bench: drain_10k_per_record {t:.2f} s")
        cluster = PgCluster()
        try:
            cluster.start(durable=True)
        except (PostgresUnavailable, OSError) as exc:
            print(f"# PostgreSQL alternative skipped: {exc}")
        else:
            try:
                t = drain(work / "pg", cluster.new_database(), tls, batch=500)
                print(f"bench: drain_10k_postgres {t:.2f} s")
            finally:
                cluster.stop()


if __name__ == "__main__":
    main()
