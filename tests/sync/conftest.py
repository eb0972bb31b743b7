"""Fixtures: the test CA, a PostgreSQL cluster, the live server with a project and roster."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.live_server import LiveServer, live_server, server_db  # noqa: F401
from tests.support.postgres import pg_cluster  # noqa: F401
from tests.support.roster import DAY1, at, make_project
from tests.support.tls import tls  # noqa: F401
from tests.sync.desks import seed_platform


@pytest.fixture
def srv(live_server: LiveServer) -> Iterator[LiveServer]:  # noqa: F811
    """The live server with the test project (two days) and a roster of 5, clock on day 1 07:00."""
    live_server.clock.set(at(DAY1, 7))
    seed_platform(live_server, make_project(), roster_size=5)
    yield live_server
