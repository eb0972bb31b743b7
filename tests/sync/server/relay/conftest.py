"""The `venue` fixture: an upstream platform on each backend and a SQLite relay enrolled with it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.server.relay import RelayForwarder
from tests.support.desks import seed_platform
from tests.support.env import free_port
from tests.support.live_server import MovableClock, start_live_server
from tests.support.relay_venue import NUMBER, Venue, serve
from tests.support.roster import DAY1, at, make_project
from tests.support.tls import TlsFiles


@pytest.fixture
def venue(served_db: tuple[str, str], tls: TlsFiles, tmp_path: Path) -> Iterator[Venue]:
    """Upstream on each database backend (project, roster of 5); a SQLite relay enrolled with it."""
    backend, url = served_db
    clock = MovableClock(at(DAY1, 7))
    upstream = serve(url, tls, port=free_port(), clock=clock, backend=backend)
    seed_platform(upstream, make_project(), roster_size=5)
    relay = start_live_server(f"sqlite:///{tmp_path / 'relay.sqlite3'}", tls, backend="sqlite",
                              clock=clock)  # fmt: skip
    forwarder = RelayForwarder(relay.admin.db, clock=clock, connect_timeout=2, read_timeout=10)
    code, _ = upstream.admin.enroll_code(NUMBER, role="relay")
    link, first = forwarder.enroll(upstream.url, code, ca_bundle=str(tls.ca_pem), name="hall")
    assert first.error == "" and first.roster == 5 and link.project == NUMBER
    v = Venue(upstream, relay, forwarder, tls, tmp_path)
    try:
        yield v
    finally:
        v.relay.stop()
        v.upstream.stop()
