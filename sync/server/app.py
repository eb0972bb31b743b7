"""The platform's HTTP API (FastAPI): paths under /api/v1, OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk.core.timeutil import Clock, utc_now
from sync import protocol as p
from sync.server import records, reports
from sync.server.db import Database
from sync.server.platform import Device, Platform, PlatformError

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
    """ASGI middleware: refuse unknown protocol versions (426) and oversized bodies (413)."""

    def __init__(self, app: ASGIApp, *, supported: Sequence[int], max_body: int):
        self.app = app
        self.supported = list(supported)
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the headers, then count body bytes as they arrive."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
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


_bearer = HTTPBearer(auto_error=False, description="the device token from enrollment")


def current_device(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Device:
    """The device whose bearer token came with the request (401 unknown, 403 revoked)."""
    if creds is None or not creds.credentials:
        raise PlatformError(401, "unauthorized", "a device token is required")
    platform: Platform = request.app.state.platform
    return platform.authenticate(creds.credentials)


Dev = Annotated[Device, Depends(current_device)]


def create_app(
    database: Database | str,
    *,
    clock: Clock = utc_now,
    supported_versions: Sequence[int] = p.SUPPORTED_VERSIONS,
    max_body: int = p.MAX_BODY_BYTES,
    submission_days: Callable[[str], int] | None = None,
) -> FastAPI:
    """The API over a database (URL or Database); clock and versions injectable for tests."""
    db = database if isinstance(database, Database) else Database(database)
    platform = Platform(db, clock=clock, submission_days=submission_days)
    app = FastAPI(
        title="cme-kiosk platform",
        version=str(p.PROTOCOL_VERSION),
        openapi_url=f"{p.API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.platform = platform
    app.add_middleware(Guard, supported=supported_versions, max_body=max_body)
    _handlers(app)
    from sync.server import corrections, relay_upstream

    relay_upstream.install(app, platform)
    corrections.install(app, platform)

    @app.get("/api/versions", response_model=p.Versions)
    def versions() -> p.Versions:
        """Protocol versions this platform speaks (asked before anything else)."""
        return p.Versions(supported=list(supported_versions), server_time=platform.now())

    @app.get(f"{p.API_PREFIX}/time", response_model=p.ServerTime)
    def server_time() -> p.ServerTime:
        """The platform's clock, for the kiosk's offset."""
        return p.ServerTime(server_time=platform.now())

    @app.post(f"{p.API_PREFIX}/enroll", response_model=p.Enrollment)
    def enroll(body: p.EnrollRequest) -> p.Enrollment:
        """Exchange a one-time enrollment code for a device id and token."""
        return platform.enroll(body)

    @app.get(f"{p.API_PREFIX}/projects/{{number}}", response_model=p.ProjectBundle)
    def project(number: str, dev: Dev, request: Request, response: Response) -> Any:
        """The project, its ticket keys and HMAC key; 304 when the ETag still matches."""
        body, etag = reports.bundle(platform, dev, number)
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        response.headers["ETag"] = etag
        return body

    @app.get(f"{p.API_PREFIX}/projects/{{number}}/changes", response_model=p.ChangesPage)
    def changes(
        number: str,
        dev: Dev,
        cursor: Annotated[str, Query(max_length=20)] = "0",
        limit: Annotated[int, Query(ge=1, le=2000)] = 500,
    ) -> p.ChangesPage:
        """Roster entries and other desks' records after `cursor` (resume with the answer's)."""
        return reports.changes(platform, dev, number, cursor=cursor, limit=limit)

    @app.get(f"{p.API_PREFIX}/projects/{{number}}/status", response_model=p.ProjectStatus)
    def project_status(number: str, dev: Dev) -> p.ProjectStatus:
        """Counts, desks' completeness, conflicts and the submission window."""
        if dev.project != number:
            raise PlatformError(403, "not_enrolled_for_project", f"not enrolled for {number}")
        return reports.status(platform, number)

    @app.get(f"{p.API_PREFIX}/projects/{{number}}/submission", response_model=p.SubmissionWindow)
    def submission_window(number: str, dev: Dev) -> p.SubmissionWindow:
        """When the execution report is accepted and how many days are left."""
        if dev.project != number:
            raise PlatformError(403, "not_enrolled_for_project", f"not enrolled for {number}")
        return reports.status(platform, number).window

    @app.post(f"{p.API_PREFIX}/projects/{{number}}/submission", response_model=p.SubmissionAnswer)
    def submit(number: str, body: p.ExecutionReport, dev: Dev) -> p.SubmissionAnswer:
        """The organizer's execution report (409 outside the window or with incomplete desks)."""
        return reports.submit(platform, dev, number, body)

    @app.post(f"{p.API_PREFIX}/events", response_model=p.BatchAnswer)
    def upload_events(body: p.EventBatch, dev: Dev) -> p.BatchAnswer:
        """Up to 500 signed records; one answer per record."""
        return records.upload_events(platform, dev, body)

    @app.post(f"{p.API_PREFIX}/denied", response_model=p.BatchAnswer)
    def upload_denied(body: p.DeniedBatch, dev: Dev) -> p.BatchAnswer:
        """Up to 500 refused attempts; one answer per record."""
        return records.upload_denied(platform, dev, body)

    @app.post(f"{p.API_PREFIX}/walk-ins", response_model=p.BatchAnswer)
    def upload_walk_ins(body: p.WalkInBatch, dev: Dev) -> p.BatchAnswer:
        """Identities of provisional attendees, sent before the records that reference them."""
        from sync.server.walkins import upload_walk_ins as store_walk_ins

        return store_walk_ins(platform, dev, body)

    @app.get(f"{p.API_PREFIX}/projects/{{number}}/walk-ins", response_model=p.WalkInList)
    def list_walk_ins(number: str, dev: Dev) -> p.WalkInList:
        """The identities behind the project's provisional attendees (its organizer only)."""
        from sync.server.walkins import listing

        return listing(platform, dev, number)

    @app.post(f"{p.API_PREFIX}/devices/me/status", response_model=p.DeviceStatus)
    def device_status(body: p.DeviceReport, dev: Dev) -> p.DeviceStatus:
        """The device's latest sequence number in; its completeness out."""
        desk = records.report_latest(platform, dev, body.latest_seq)
        return p.DeviceStatus(desk=desk, server_time=platform.now())

    return app


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
