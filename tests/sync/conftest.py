"""Fixtures: the test CA, a PostgreSQL cluster, the live server with a project and roster."""

from __future__ import annotations

from tests.support.desks import srv  # noqa: F401
from tests.support.live_server import live_server, served_db, server_db  # noqa: F401
from tests.support.postgres import pg_cluster  # noqa: F401
from tests.support.tls import tls  # noqa: F401
