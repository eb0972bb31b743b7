"""The platform's HTTP API (FastAPI): paths under /api/v1, OpenAPI at /api/v1/openapi.json.

The app is the routers (sync.server.routes, sync.server.relay.downstream) over one Platform, behind
the Guard middleware and the error handlers here; routers take their dependencies from
sync.server.deps.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk.core.timeutil import Clock, utc_now
from sync import protocol as p
from sync.server import unavailable
from sync.server.db import Database
from sync.server.deps import with_bodies
from sync.server.platform import Platform, PlatformError
from sync.server.relay import downstream
from sync.server.routes import desks, organizers
from sync.server.schema import open_database

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _error(status: int, error: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": error, "message": message, **extra}, status_code=status)


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


class BodyTooLarge(HTTPException):
    """Raised while reading a body past the limit (FastAPI passes HTTPExceptions through)."""

    def __init__(self, limit: int):
        super().__init__(413, f"request body larger than {limit} bytes")


class Guard:
    """ASGI middleware: refuses unknown versions (426) and large bodies (413); says the pace."""

    def __init__(
        self, app: ASGIApp, *, supported: Sequence[int], max_body: int, pace: p.Pace = p.NO_PACE
    ):
        self.app = app
        self.supported = list(supported)
        self.max_body = max_body
        self.pace = pace.headers()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the headers, then count body bytes as they arrive."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.pace:
            send = self._paced(send)  # every answer, the refusals below included
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        version = headers.get(p.VERSION_HEADER.lower())
        if (
            scope["path"].startswith(p.API_PREFIX)
            and version is not None
            and (not version.isdigit() or int(version) not in self.supported)
        ):
            await _send_json(send, 426, {
                    "error": "unsupported_protocol_version",
                    "message": f"this platform speaks protocol version(s) {self.supported}",
                    "supported": self.supported,
                })  # fmt: skip
            return
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _send_json(send, 413, {
                "error": "body_too_large",
                "message": f"request body larger than {self.max_body} bytes",
            })  # fmt: skip
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        await self.app(scope, counted, send)

    def _paced(self, send: Send) -> Send:
        """`send` with the pace's headers added to the answer's start."""

        async def paced(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *self.pace]}
            await send(message)

        return paced


def create_app(
    database: Database | str,
    *,
    clock: Clock = utc_now,
    supported_versions: Sequence[int] = p.SUPPORTED_VERSIONS,
    max_body: int = p.MAX_BODY_BYTES,
    pace: p.Pace = p.NO_PACE,
) -> FastAPI:
    """The API over a database (URL or Database), asking desks for `pace`; clock injectable."""
    db = database if isinstance(database, Database) else open_database(database)
    platform = Platform(db, clock=clock)
    app = FastAPI(
        title="cme-kiosk platform",
        version=str(p.PROTOCOL_VERSION),
        openapi_url=f"{p.API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.platform = platform
    app.state.supported_versions = list(supported_versions)
    app.add_middleware(Guard, supported=supported_versions, max_body=max_body, pace=pace)
    _handlers(app)
    unavailable.register(app)
    app.include_router(desks.router)
    app.include_router(organizers.router)
    app.include_router(downstream.router)
    _document_bodies(app)
    return app


def _document_bodies(app: FastAPI) -> None:
    """The OpenAPI document, once built, also describes the bodies routes read themselves."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_bodies(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(PlatformError)
    async def platform_error(request: Request, exc: PlatformError) -> JSONResponse:
        if exc.status >= 500:
            log.error("%s %s: %s", request.method, request.url.path, exc.message)
        return _error(exc.status, exc.error, exc.message, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "loc": ".".join(str(x) for x in e.get("loc", ()) if x != "body"),
                "msg": e.get("msg", ""),
                "type": e.get("type", ""),
            }
            for e in exc.errors()
        ][:20]  # the input values are not echoed: they may hold ID numbers
        first = problems[0] if problems else {"loc": "", "msg": "invalid request"}
        where = f"{first['loc']}: " if first["loc"] else ""
        return _error(422, "invalid_request", f"{where}{first['msg']}", problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
                 413: "body_too_large"}  # fmt: skip
        if exc.status_code == 304:
            return Response(status_code=304)
        return _error(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return _error(500, "internal", "internal error; the platform logged it")
