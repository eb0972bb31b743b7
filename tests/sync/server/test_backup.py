"""Backing the platform up with pg_dump and restoring it: the commands in docs/scale.md, run.

The dump is taken while the platform serves (pg_dump reads one consistent snapshot), restored
into an empty database, and the restored platform answers the same: every record, device and
roster entry, completeness, and a desk's next upload is judged against what it had.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from sync.server.admin import ServerAdmin
from tests.support.desks import enroll, seed_platform
from tests.support.live_server import LiveServer, start_live_server
from tests.support.postgres import PgCluster
from tests.support.roster import DAY1, at, make_project
from tests.support.tls import TlsFiles

pytestmark = [pytest.mark.needs_postgres, pytest.mark.timeout(120)]
NUMBER = "2026-15-01-001"


def _plain(url: str) -> str:
    """The libpq URL pg_dump and pg_restore take (no SQLAlchemy driver name)."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def _run(cluster: PgCluster, *argv: str) -> None:
    subprocess.run([str(cluster.bindir / argv[0]), *argv[1:]], check=True, capture_output=True,
                   timeout=60)  # fmt: skip


@pytest.fixture
def source(pg_cluster: PgCluster, tls: TlsFiles) -> Iterator[LiveServer]:
    url = pg_cluster.new_database(migrated=True)
    server = start_live_server(url, tls, backend="postgres")
    try:
        yield server
    finally:
        server.stop()
        pg_cluster.drop_database(url)


def test_pg_dump_and_pg_restore_keep_the_platform_whole(
    source: LiveServer, pg_cluster: PgCluster, tls: TlsFiles, tmp_path: Path
) -> None:
    source.clock.set(at(DAY1, 7))
    seed_platform(source, make_project(), roster_size=20)
    desk = enroll(source, NUMBER)
    first = [desk.record(f"A{i}", at=at(DAY1, 8) + timedelta(minutes=i)) for i in range(1, 11)]
    desk.upload(*first)
    desk.client.device_status(desk.seq)

    dump = tmp_path / "platform.dump"
    # The commands of docs/scale.md, "Backup and restore".
    _run(pg_cluster, "pg_dump", "--format=custom", f"--file={dump}", _plain(source.db_url))
    restored_url = source.db_url.rsplit("/", 1)[0] + "/cme_restored"
    _run(pg_cluster, "createdb", "--template=template0", f"--maintenance-db={_plain(source.db_url)}",
         "cme_restored")  # fmt: skip
    _run(pg_cluster, "pg_restore", "--no-owner", "--exit-on-error",
         f"--dbname={_plain(restored_url)}", str(dump))  # fmt: skip

    try:
        restored = ServerAdmin(restored_url, clock=source.clock)  # same revision: opens
        try:
            before, after = source.admin.status(NUMBER), restored.status(NUMBER)
            assert after == before and after.events == 10 and after.complete
            assert restored.stored_events(NUMBER) == source.admin.stored_events(NUMBER)
            assert restored.devices() == source.admin.devices()
            assert restored.attendee_qr_secret(NUMBER, "A3") == source.admin.attendee_qr_secret(
                NUMBER, "A3"
            )
        finally:
            restored.close()
        # The restored platform serves the desk on: its token, key and chain carry over.
        server = start_live_server(restored_url, tls, backend="postgres", clock=source.clock)
        try:
            again = server.client(token=desk.enrollment.token)
            desk.client = again
            answers = desk.upload(desk.record("A11", at=at(DAY1, 9)), first[0])
            assert [a.status for a in answers] == ["accepted", "duplicate"]
            assert server.admin.status(NUMBER).events == 11
        finally:
            server.stop()
    finally:
        pg_cluster.drop_database(restored_url)
