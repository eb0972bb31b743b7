"""Where the platform keeps its data, and serving the API with uvicorn (TLS when given a cert).

One process serves the app in-process (`make_server`); several are uvicorn's own workers
(`serve_workers`): uvicorn's supervisor binds the socket once, starts N spawned processes that
each import `worker_app` and build their own app and connection pool from the environment the
supervisor set, and replaces a worker that dies. docs/protocol.md, "Several workers", says why
uvicorn's workers and not gunicorn's; nothing the platform keeps lives in a process's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from sqlalchemy import text
from uvicorn.supervisors import Multiprocess

from sync.protocol.pace import NO_PACE, Pace
from sync.server.db import Database, PoolSettings

log = logging.getLogger(__name__)

DB_NAME = "server.sqlite3"
# What a worker process needs to open the database (set by the supervisor before it spawns).
WORKER_DB_ENV = "CME_KIOSK_PLATFORM_DB"
WORKER_POOL_ENV = "CME_KIOSK_PLATFORM_POOL"
WORKER_PACE_ENV = "CME_KIOSK_PLATFORM_PACE"
# Open connections (and requests in progress) one process serves before answering 503: kiosks
# keep their connection open between syncs, so this is about the number of desks per worker.
MAX_CONNECTIONS = 1024
GRACEFUL_S = 10  # seconds a stopping worker gives requests in progress
# `server run`'s event loop and HTTP parser, in C: less CPU per request than asyncio's loop and
# h11 (docs/benchmarks.md). Named, not "auto": a platform without them fails to start rather
# than quietly costing more. The in-process server (demo, tests) keeps asyncio's loop and h11,
# named too: its quick stop reads asyncio's TLS transport, which uvloop's is not.
SERVING_STACK = {"loop": "uvloop", "http": "httptools"}
IN_PROCESS_STACK = {"loop": "asyncio", "http": "h11"}


def server_dir() -> Path:
    """$CME_KIOSK_SERVER_DIR, else the platform data directory for cme-kiosk-server."""
    env = os.environ.get("CME_KIOSK_SERVER_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("cme-kiosk-server", appauthor=False))


def default_db_url() -> str:
    """SQLite in the server directory (created 0700, the file 0600)."""
    return f"sqlite:///{(server_dir() / DB_NAME).resolve()}"


@dataclass(frozen=True, slots=True)
class Listen:
    """Where and how the platform listens: address, TLS files, logging, connection limit."""

    host: str = "127.0.0.1"
    port: int = 8443
    cert: Path | None = None
    key: Path | None = None
    log_level: str = "info"
    access_log: bool = True
    max_connections: int = MAX_CONNECTIONS

    def options(self, *, serving: bool = False) -> dict[str, object]:
        """uvicorn.Config's keyword arguments for this listener (`serving`: `server run`'s)."""
        if (self.cert is None) != (self.key is None):
            raise ValueError("TLS needs both a certificate and its private key")
        return {
            "host": self.host, "port": self.port,
            "ssl_certfile": str(self.cert) if self.cert else None,
            "ssl_keyfile": str(self.key) if self.key else None,
            "log_level": self.log_level, "access_log": self.access_log,
            # The API's own limits (413, 426) answer first; these stop slow or endless clients.
            "timeout_keep_alive": 30, "limit_concurrency": self.max_connections,
            # On SIGTERM requests in progress finish; kiosks' idle keep-alive connections (TLS
            # waits for their close_notify) must not hold a restart up for long.
            "timeout_graceful_shutdown": GRACEFUL_S, "server_header": False,
            **(SERVING_STACK if serving else IN_PROCESS_STACK),
        }  # fmt: skip


class InProcessServer(uvicorn.Server):
    """uvicorn's server for a thread of this process (demo, tests): it stops as soon as asked.

    uvicorn looks at `should_exit` every 0.1 s, then pauses 0.1 s before it waits for open
    connections; a test suite starting hundreds of platforms spent ~0.19 s stopping each one.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    def request_exit(self) -> None:
        """Ask the server to stop from any thread, waking its loop now rather than at a tick."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(wake.set)

    async def main_loop(self) -> None:
        """uvicorn's ticks (date header, limits, should_exit), cut short by `request_exit`."""
        # Set before the first look at should_exit: a request_exit that found no loop to wake
        # has already set it.
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Close like uvicorn, watching connections and tasks end every 5 ms instead of 0.1 s."""
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        grace = self.config.timeout_graceful_shutdown
        deadline = loop.time() + (grace if grace is not None else float("inf"))
        state, in_grace = self.server_state, True
        while (state.connections or state.tasks) and not self.force_exit:
            if loop.time() >= deadline:  # past the grace period, as uvicorn does
                for task in state.tasks:
                    task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
                in_grace = False
                break
            drop_finished_connections(state.connections)
            await asyncio.sleep(0.005)
        for server in self.servers if in_grace else ():  # past it, uvicorn no longer waits
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()


def drop_finished_connections(connections: Iterable[object]) -> None:
    """Abort the connections that are closing once every byte of theirs is handed to the kernel."""
    # A connection closes once its answer is out (one with a request in flight is not closing
    # yet), but over TLS it then waits for the peer's close_notify, which an idle keep-alive
    # client never sends: uvicorn waits out the grace period for each.
    for connection in list(connections):
        transport = getattr(connection, "transport", None)
        if not isinstance(transport, asyncio.Transport) or not transport.is_closing():
            continue
        if unsent_bytes(transport) == 0:
            transport.abort()


def unsent_bytes(transport: asyncio.Transport) -> int | None:
    """Bytes the transport still holds for the peer, the encrypted ones below TLS included.

    None once its TLS layer is gone: the connection is already being lost.
    """
    if not hasattr(transport, "_ssl_protocol"):
        return transport.get_write_buffer_size()
    # asyncio's TLS transport counts only what it has not encrypted yet; what it has encrypted
    # waits in the socket transport below it, which it does not expose.
    tls = transport._ssl_protocol
    if tls is None:
        return None
    pending = int(tls._get_write_buffer_size())
    below = getattr(tls, "_transport", None)
    if isinstance(below, asyncio.WriteTransport):
        pending += below.get_write_buffer_size()
    return pending


def make_server(
    app: FastAPI,
    *,
    host: str = "127.0.0.1",
    port: int = 8443,
    cert: Path | None = None,
    key: Path | None = None,
    log_level: str = "info",
    access_log: bool = True,
    max_connections: int = MAX_CONNECTIONS,
) -> InProcessServer:
    """A server for the app on a thread of this process; HTTPS given a certificate and key."""
    listen = Listen(host, port, cert, key, log_level, access_log, max_connections)
    return InProcessServer(uvicorn.Config(app, **listen.options()))  # type: ignore[arg-type]


def serve(app: FastAPI, listen: Listen, *, after_logging: Callable[[], None] | None = None) -> None:
    """Serve the app in this process until SIGINT or SIGTERM.

    `after_logging` runs once uvicorn has configured its loggers, before it serves.
    """
    server = uvicorn.Server(uvicorn.Config(app, **listen.options(serving=True)))  # type: ignore[arg-type]
    if after_logging is not None:
        after_logging()
    server.run()


def connection_budget(db: Database, *, workers: int) -> str | None:
    """Why N workers' pools may not fit under PostgreSQL's max_connections, or None."""
    if db.is_sqlite:
        return None
    with db.read() as conn:
        limit = int(conn.execute(text("SHOW max_connections")).scalar_one())
        reserved = int(conn.execute(text("SHOW superuser_reserved_connections")).scalar_one())
    wanted = workers * (db.pool.size + db.pool.overflow) + db.pool.size  # + this process's
    if wanted <= limit - reserved:
        return None
    return (
        f"{workers} workers may open {wanted} database connections, PostgreSQL allows"
        f" {limit - reserved}: lower --pool-size or raise max_connections"
    )


def worker_app() -> FastAPI:
    """The app of one worker process: its own database pool, from the supervisor's environment."""
    from sync.server.app import create_app
    from sync.server.schema import open_database

    pool = PoolSettings(**json.loads(os.environ.get(WORKER_POOL_ENV) or "{}"))
    pace = Pace(**json.loads(os.environ.get(WORKER_PACE_ENV) or "{}"))
    return create_app(open_database(os.environ[WORKER_DB_ENV], pool=pool), pace=pace)


def serve_workers(
    db_url: str, *, workers: int, listen: Listen, pool: PoolSettings, pace: Pace = NO_PACE,
    factory: str = "sync.server.run:worker_app", after_logging: Callable[[], None] | None = None,
) -> None:  # fmt: skip
    """Serve with `workers` processes under uvicorn's supervisor until it is told to stop.

    Each worker builds its app by calling `factory` (an import string, `module:function`, run
    after uvicorn configured the worker's logging). `after_logging` runs in the supervisor once
    uvicorn configured its loggers. The schema must be current already (each worker refuses an
    old one, and the supervisor stops when workers fail to start). Blocks; SIGTERM or SIGINT
    ends every worker.
    """
    if workers < 2:
        raise ValueError("serve_workers is for two workers or more")
    # Spawned workers inherit the environment: the URL never appears on a command line.
    os.environ[WORKER_DB_ENV] = db_url
    os.environ[WORKER_POOL_ENV] = json.dumps(asdict(pool))
    os.environ[WORKER_PACE_ENV] = json.dumps(asdict(pace))
    # What uvicorn.run does for workers, with the hook between its logging and its supervisor.
    config = uvicorn.Config(
        factory, factory=True, workers=workers, **listen.options(serving=True),  # type: ignore[arg-type]
    )  # fmt: skip
    if after_logging is not None:
        after_logging()
    Multiprocess(config, sockets=[config.bind_socket()]).run()


@dataclass
class Background:
    """A server started on its own thread: its port, and stop()."""

    server: InProcessServer
    thread: threading.Thread
    port: int

    def stop(self, timeout: float = 15.0) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        self.server.request_exit()
        self.thread.join(timeout)


def bound_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A TCP socket bound to host and port (0: a free one), for serve_in_background."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def serve_in_background(
    app: FastAPI, *, cert: Path | None, key: Path | None, name: str = "platform",
    host: str = "127.0.0.1", start_timeout: float = 15.0, sock: socket.socket | None = None,
) -> Background:  # fmt: skip
    """Serve on `sock` (else a free loopback port) from a daemon thread; return once it serves."""
    sock = sock or bound_socket(host)
    host, port = str(sock.getsockname()[0]), int(sock.getsockname()[1])
    server = make_server(app, host=host, port=port, cert=cert, key=key, log_level="warning",
                         access_log=False)  # fmt: skip
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the {name} server did not start")
        time.sleep(0.01)
    return Background(server, thread, port)
