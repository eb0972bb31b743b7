"""The in-process server (demo, tests): it stops at once, yet answers what it already accepted."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Response

from sync.server.run import InProcessServer, bound_socket, serve_in_background
from tests.support.tls import TlsFiles


def slow_app(release: threading.Event, entered: threading.Event, ended: list[str]) -> FastAPI:
    """An app whose /slow answers only once `release` is set; its lifespan notes its end."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        ended.append("lifespan")

    app = FastAPI(lifespan=lifespan)

    @app.get("/slow")
    def slow() -> dict[str, str]:
        entered.set()
        assert release.wait(10)
        return {"answer": "kept"}

    return app


def test_a_request_in_progress_when_the_stop_comes_is_answered(tls: TlsFiles) -> None:
    release, entered = threading.Event(), threading.Event()
    ended: list[str] = []
    served = serve_in_background(slow_app(release, entered, ended), cert=tls.cert_pem,
                                 key=tls.key_pem)  # fmt: skip
    answers: list[httpx.Response] = []
    with httpx.Client(verify=tls.client_context(), timeout=10) as client:
        caller = threading.Thread(
            target=lambda: answers.append(client.get(f"https://127.0.0.1:{served.port}/slow"))
        )
        caller.start()
        assert entered.wait(10)
        served.server.request_exit()
        # Still serving what it accepted: the thread waits for the answer to go out.
        served.thread.join(0.3)
        assert served.thread.is_alive() and ended == []
        release.set()
        caller.join(10)
        served.thread.join(10)
    assert not served.thread.is_alive()
    assert [(a.status_code, a.json()) for a in answers] == [(200, {"answer": "kept"})]
    assert ended == ["lifespan"]


def test_stop_ends_the_thread_after_the_apps_own_shutdown(tls: TlsFiles) -> None:
    ended: list[str] = []
    served = serve_in_background(slow_app(threading.Event(), threading.Event(), ended),
                                 cert=tls.cert_pem, key=tls.key_pem)  # fmt: skip
    with httpx.Client(verify=tls.client_context(), timeout=10) as client:
        assert client.get(f"https://127.0.0.1:{served.port}/docs").status_code == 200
        # The client's keep-alive connection is still open; uvicorn alone waited out its 10 s
        # grace for the TLS close_notify an idle client never sends.
        served.stop(timeout=5)
    assert not served.thread.is_alive() and ended == ["lifespan"]


# Bytes: more than the small kernel buffers below hold, less than asyncio's 64 KiB high-water
# mark, so the rest waits in the socket transport under TLS without pausing the app.
BIG = 48_000


def big_app() -> FastAPI:
    """An app whose /big answers BIG bytes in one piece."""
    app = FastAPI()

    @app.get("/big")
    def big() -> Response:
        return Response(b"x" * BIG, media_type="application/octet-stream")

    return app


def test_an_answer_still_queued_for_a_slow_reader_is_delivered_whole(tls: TlsFiles) -> None:
    listener = bound_socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)  # inherited when accepted
    served = serve_in_background(big_app(), cert=tls.cert_pem, key=tls.key_pem, sock=listener)
    server, thread = served.server, served.thread
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    try:
        raw.connect(("127.0.0.1", served.port))
        raw.settimeout(10)
        with tls.client_context().wrap_socket(raw, server_hostname="127.0.0.1") as conn:
            conn.sendall(b"GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            # The app has answered, and encrypted bytes of it wait below TLS: nothing was read.
            assert wait_for(lambda: answered(server) and queued_below_tls(server) > 0, timeout=10)
            server.request_exit()
            assert wait_for(lambda: not server.servers[0].is_serving(), timeout=10)
            # A stop that drops a closing connection's queued bytes does so on its first look
            # (every 5 ms); let it look before reading.
            time.sleep(0.1)
            received = read_answer(conn)
        thread.join(10)
    finally:
        server.request_exit()
        raw.close()
    assert not thread.is_alive()
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and len(body) == BIG


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll `condition` until it holds or the timeout passes."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def answered(server: InProcessServer) -> bool:
    """Whether the server's one connection has sent its whole response to the transport."""
    connections = list(server.server_state.connections)
    cycle = getattr(connections[0], "cycle", None) if len(connections) == 1 else None
    return bool(cycle is not None and cycle.response_complete)


def queued_below_tls(server: InProcessServer) -> int:
    """Encrypted bytes waiting in the socket transport under the one connection's TLS."""
    (connection,) = list(server.server_state.connections)
    below = connection.transport._ssl_protocol._transport  # type: ignore[attr-defined]
    return int(below.get_write_buffer_size())


def read_answer(conn: ssl.SSLSocket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while True:
        try:
            chunk = conn.recv(65536)
        except (ssl.SSLError, ConnectionError):  # an abort instead of a close
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)
