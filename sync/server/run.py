"""Where the platform keeps its data, and serving the API with uvicorn (TLS when given a cert)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI

log = logging.getLogger(__name__)

DB_NAME = "server.sqlite3"


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


def make_server(
    app: FastAPI,
    *,
    host: str = "127.0.0.1",
    port: int = 8443,
    cert: Path | None = None,
    key: Path | None = None,
    log_level: str = "info",
    access_log: bool = True,
) -> uvicorn.Server:
    """A uvicorn server for the app; HTTPS when a certificate and key are given."""
    if (cert is None) != (key is None):
        raise ValueError("TLS needs both a certificate and its private key")
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        ssl_certfile=str(cert) if cert else None,
        ssl_keyfile=str(key) if key else None,
        log_level=log_level,
        access_log=access_log,
        # The API's own limits (413, 426) answer first; these stop slow or endless clients.
        timeout_keep_alive=30,
        limit_concurrency=200,
        server_header=False,
    )
    return uvicorn.Server(config)


@dataclass
class Background:
    """A server started on its own thread: its port, and stop()."""

    server: uvicorn.Server
    thread: threading.Thread
    port: int

    def stop(self, timeout: float = 15.0) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(timeout)


def serve_in_background(
    app: FastAPI, *, cert: Path | None, key: Path | None, name: str = "platform",
    host: str = "127.0.0.1", start_timeout: float = 15.0,
) -> Background:  # fmt: skip
    """Serve on a free loopback port from a daemon thread (demo, tests); return once it serves."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = int(sock.getsockname()[1])
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
