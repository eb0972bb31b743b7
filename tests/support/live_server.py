"""The real platform server (uvicorn, loopback, TLS from the test CA) on SQLite or PostgreSQL.

`live_server` is parametrised over both databases; PostgreSQL comes from the session cluster
(tests.support.postgres). The server's clock is a MovableClock the test sets and advances.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sync.client import SyncClient
from sync.server.admin import ServerAdmin
from sync.server.app import create_app
from sync.server.run import Background, serve_in_background
from tests.support.tls import TlsFiles


class MovableClock:
    """Real time shifted by an offset the test controls (set() pins an instant, time still runs)."""

    def __init__(self, start: datetime | None = None):
        self._offset = timedelta(0)
        self._lock = threading.Lock()
        if start is not None:
            self.set(start)

    def __call__(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def set(self, moment: datetime) -> None:
        """Make `moment` the current instant."""
        with self._lock:
            self._offset = moment.astimezone(UTC) - datetime.now(UTC)

    def advance(self, **kw: float) -> None:
        """Move the clock forward."""
        with self._lock:
            self._offset += timedelta(**kw)


@dataclass
class LiveServer:
    """A running server: its URL, database, clock, admin, and a client factory."""

    url: str
    db_url: str
    backend: str
    tls: TlsFiles
    clock: MovableClock
    admin: ServerAdmin
    port: int
    _served: Background | None = None
    clients: list[SyncClient] = field(default_factory=list)

    def client(self, **kw: Any) -> SyncClient:
        """A client trusting the test CA (closed with the server)."""
        kw.setdefault("ca_bundle", self.tls.ca_pem)
        kw.setdefault("connect_timeout", 5.0)
        kw.setdefault("read_timeout", 15.0)
        c = SyncClient(kw.pop("url", self.url), **kw)
        self.clients.append(c)
        return c

    def stop(self) -> None:
        """Stop uvicorn and release the database."""
        for c in self.clients:
            c.close()
        if self._served is not None:
            self._served.stop()
        self.admin.close()

    @property
    def alive(self) -> bool:
        """Whether the server thread is still serving."""
        return self._served is not None and self._served.thread.is_alive()


def start_live_server(
    db_url: str, tls: TlsFiles, *, backend: str, clock: MovableClock | None = None, **app_kw: Any
) -> LiveServer:
    """Start the real app under uvicorn on a loopback port with TLS; wait until it serves."""
    clock = clock or MovableClock()
    admin = ServerAdmin(db_url, clock=clock)
    app = create_app(admin.db, clock=clock, **app_kw)
    served = serve_in_background(app, cert=tls.cert_pem, key=tls.key_pem, name="uvicorn")
    return LiveServer(
        url=f"https://127.0.0.1:{served.port}", db_url=db_url, backend=backend, tls=tls,
        clock=clock, admin=admin, port=served.port, _served=served,
    )  # fmt: skip


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.needs_postgres)])
def server_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(backend, database URL): a fresh SQLite file, or a fresh empty database on the cluster."""
    yield from _fresh_database(request, tmp_path, migrated=False)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.needs_postgres)])
def served_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Like `server_db`, but PostgreSQL's is already migrated (SQLite's schema takes ~5 ms)."""
    yield from _fresh_database(request, tmp_path, migrated=True)


def _fresh_database(
    request: pytest.FixtureRequest, tmp_path: Path, *, migrated: bool
) -> Iterator[tuple[str, str]]:
    if request.param == "sqlite":
        yield "sqlite", f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database(migrated=migrated)
    yield "postgres", url
    cluster.drop_database(url)


@pytest.fixture
def live_server(served_db: tuple[str, str], tls: TlsFiles) -> Iterator[LiveServer]:
    """The real server over loopback TLS, on each database backend."""
    backend, url = served_db
    server = start_live_server(url, tls, backend=backend)
    try:
        yield server
    finally:
        server.stop()
