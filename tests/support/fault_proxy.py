"""A fault-injecting proxy on loopback between the sync client and the real server.

It terminates the client's TLS with a certificate from the test CA (so the client verifies it as
usual), forwards each HTTP request over a new verified TLS connection to the server, and, when
its plan says so, injects one fault into the exchange. Every fault fired is counted by kind.

Faults (`FAULTS`):
  drop_request   close the connection before forwarding (the server never sees the request)
  drop_response  forward, then close without answering (the server stored it: a lost response)
  delay          wait `delay_s` before forwarding (longer than the client's read timeout: a timeout)
  reset          forward, then reset the TCP connection (RST) instead of answering
  truncate       forward, then send the headers and half the body, and close
  garbage        forward, then answer 200 with bytes that are not JSON
  http_500       answer 500 without forwarding
  http_503       answer 503 with Retry-After without forwarding
  http_429       answer 429 with Retry-After without forwarding (not in the default rotation)

`poison`: every request to `poison_path` whose body holds the given bytes (a record's uuid) gets
`poison_fault` instead: a server that fails on one chosen record.
"""

from __future__ import annotations

import contextlib
import http.client
import random
import socket
import ssl
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

FAULTS = (
    "drop_request", "drop_response", "delay", "reset", "truncate", "garbage", "http_500",
    "http_503",
)  # fmt: skip
FORWARDED = {"drop_response", "delay", "reset", "truncate", "garbage"}  # the server saw them

Plan = Callable[[int, str, str], str | None]
"""(request number from 0, method, path) → the fault to inject, or None."""


def every_nth(n: int, kinds: tuple[str, ...] = FAULTS, *, path_prefix: str = "") -> Plan:
    """Every n-th request (matching the prefix) gets the next fault kind in rotation."""
    state = {"matched": 0, "next": 0}
    lock = threading.Lock()

    def plan(index: int, method: str, path: str) -> str | None:
        if not path.startswith(path_prefix):
            return None
        with lock:
            state["matched"] += 1
            if state["matched"] % n:
                return None
            kind = kinds[state["next"] % len(kinds)]
            state["next"] += 1
            return kind

    return plan


def random_plan(rate: float, kinds: tuple[str, ...] = FAULTS, *, seed: int = 0) -> Plan:
    """Each request gets a fault with probability `rate`, kind chosen uniformly (seeded)."""
    rng = random.Random(seed)
    lock = threading.Lock()

    def plan(index: int, method: str, path: str) -> str | None:
        with lock:
            return rng.choice(kinds) if rng.random() < rate else None

    return plan


def always(kind: str | None) -> Plan:
    """The same fault for every request (None: a transparent proxy)."""
    return lambda index, method, path: kind


@dataclass
class _Request:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes


def _read_request(stream: object) -> _Request | None:
    f = stream
    line = f.readline(65537)  # type: ignore[attr-defined]
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: list[tuple[str, str]] = []
    while True:
        h = f.readline(65537).decode("latin-1")  # type: ignore[attr-defined]
        if h in ("\r\n", "\n", ""):
            break
        name, _, value = h.partition(":")
        headers.append((name.strip(), value.strip()))
    length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
    body = f.read(length) if length else b""  # type: ignore[attr-defined]
    return _Request(method, path, headers, body)


def _response(status: int, reason: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    keep = [(k, v) for k, v in headers if k.lower() not in ("content-length", "transfer-encoding",
                                                             "connection")]  # fmt: skip
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in keep]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class FaultProxy:
    """TLS-terminating HTTP proxy with planned faults; `counts` says what actually fired."""

    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        server_context: ssl.SSLContext,
        upstream_context: ssl.SSLContext,
        plan: Plan | None = None,
        delay_s: float = 0.2,
        retry_after: str = "0",
        poison: bytes | None = None,
        poison_fault: str = "http_500",
        poison_path: str = "/api/v1/events",
    ):
        self.upstream = upstream
        self.server_context = server_context
        self.upstream_context = upstream_context
        self.plan: Plan = plan or always(None)
        self.delay_s = delay_s
        self.retry_after = retry_after
        # A server that fails on one chosen record: any request whose body holds these bytes.
        self.poison = poison
        self.poison_fault = poison_fault
        self.poison_path = poison_path
        self.counts: Counter[str] = Counter()
        self.requests = 0
        self._lock = threading.Lock()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)

    @property
    def url(self) -> str:
        """The URL clients use instead of the server's."""
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        """Listen and serve on a background thread."""
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting; open connections end on their own."""
        self._stopping.set()
        self._thread.join(5)
        self._sock.close()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        raw.settimeout(30)
        try:
            tls = self.server_context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        stream = tls.makefile("rb")
        upstream: http.client.HTTPSConnection | None = None
        try:
            while not self._stopping.is_set():
                req = _read_request(stream)
                if req is None:
                    return
                with self._lock:
                    index = self.requests
                    self.requests += 1
                fault = self.plan(index, req.method, req.path)
                poisoned = self.poison is not None and self.poison in req.body
                if poisoned and req.path.startswith(self.poison_path):
                    fault = self.poison_fault
                if fault is not None:
                    with self._lock:
                        self.counts[fault] += 1
                if upstream is None:
                    upstream = http.client.HTTPSConnection(
                        *self.upstream, context=self.upstream_context, timeout=30
                    )
                if not self._exchange(tls, upstream, req, fault):
                    return
        except (OSError, ssl.SSLError, ValueError, http.client.HTTPException):
            return
        finally:
            if upstream is not None:
                upstream.close()
            stream.close()
            with contextlib.suppress(OSError):
                tls.close()

    def _exchange(
        self,
        tls: ssl.SSLSocket,
        upstream: http.client.HTTPSConnection,
        req: _Request,
        fault: str | None,
    ) -> bool:
        """Forward one request with its fault; False when the connection must end."""
        if fault == "drop_request":
            return False
        if fault == "http_500":
            tls.sendall(_response(500, "Internal Server Error", [("Content-Type", "text/plain")],
                                  b"injected failure"))  # fmt: skip
            return True
        if fault == "http_429":
            tls.sendall(_response(429, "Too Many Requests",
                                  [("Retry-After", self.retry_after), ("Content-Type", "text/plain")],
                                  b"injected rate limit"))  # fmt: skip
            return True
        if fault == "http_503":
            tls.sendall(_response(503, "Service Unavailable",
                                  [("Retry-After", self.retry_after), ("Content-Type", "text/plain")],
                                  b"injected overload"))  # fmt: skip
            return True
        if fault == "delay":
            time.sleep(self.delay_s)
        headers = {k: v for k, v in req.headers if k.lower() not in ("host", "connection")}
        upstream.request(req.method, req.path, body=req.body or None, headers=headers)
        answer = upstream.getresponse()
        body = answer.read()
        out = _response(answer.status, answer.reason, list(answer.getheaders()), body)
        if fault == "drop_response":
            return False
        if fault == "reset":
            tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if fault == "truncate":
            tls.sendall(out[: len(out) - max(1, len(body) // 2)])
            return False
        if fault == "garbage":
            tls.sendall(_response(200, "OK", [("Content-Type", "application/json")],
                                  b'{"answers": [{"uuid": \x00\xff garbage'))  # fmt: skip
            return True
        tls.sendall(out)
        return True
