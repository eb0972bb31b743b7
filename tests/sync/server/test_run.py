"""The in-process server (demo, tests): it stops at once, yet answers what it already accepted."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from sync.server.run import serve_in_background
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
    release, entered, ended = threading.Event(), threading.Event(), []
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
        served.stop()  # the client's keep-alive connection is still open
    assert not served.thread.is_alive() and ended == ["lifespan"]
