"""What every device calls: versions, time, enrollment, the project pull, uploads, status."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from sync import protocol as p
from sync.server import completeness, heads, records, refusals, reports, walkins
from sync.server.deps import (
    Dev,
    PlatformDep,
    Token,
    Versions,
    bearer_of,
    documented,
    json_body,
    query_params,
)
from sync.server.platform import Platform, PlatformError

router = APIRouter()


def json_answer(
    body: BaseModel, *, etag: str | None = None, bundle_etag: str | None = None
) -> Response:
    """The model as JSON, serialized here: a returned model costs a second thread-pool hop."""
    # FastAPI re-validates a model a plain `def` route returns in another worker-thread hop
    # (serialize_response); the hot routes build the answer themselves and keep response_model
    # for the OpenAPI document only.
    headers = {}
    if etag is not None:
        headers["ETag"] = etag
    if bundle_etag is not None:
        headers[p.BUNDLE_ETAG_HEADER] = bundle_etag
    return Response(body.model_dump_json(), media_type="application/json", headers=headers)


@router.get("/api/versions", response_model=p.Versions)
def versions(platform: PlatformDep, supported: Versions) -> p.Versions:
    """Protocol versions this platform speaks (asked before anything else)."""
    return p.Versions(supported=supported, server_time=platform.now())


@router.get(f"{p.API_PREFIX}/time", response_model=p.ServerTime)
def server_time(platform: PlatformDep) -> p.ServerTime:
    """The platform's clock, for the kiosk's offset."""
    return p.ServerTime(server_time=platform.now())


@router.post(f"{p.API_PREFIX}/enroll", response_model=p.Enrollment)
def enroll(body: p.EnrollRequest, platform: PlatformDep) -> p.Enrollment:
    """Exchange a one-time enrollment code for a device id and token."""
    return platform.enroll(body)


@router.get(f"{p.API_PREFIX}/projects/{{number}}", response_model=p.ProjectBundle)
def project(number: str, caller: Token, platform: PlatformDep, request: Request) -> Response:
    """The project, its ticket keys and HMAC key; 304 when the ETag still matches."""
    held = request.headers.get("if-none-match")
    if held is not None:
        # One statement decides a 304: desks pull every few seconds, mostly for nothing new.
        etag = reports.bundle_etag(platform, caller, number)
        if held == etag:
            return Response(status_code=304, headers={"ETag": etag})
    body, etag = reports.bundle(platform, caller, number)
    return json_answer(body, etag=etag)


class PageQuery(BaseModel):
    """Where a changes page starts (a previous page's cursor) and how many entries it holds."""

    model_config = ConfigDict(extra="ignore")  # as FastAPI: other query values are not read

    cursor: str = Field("0", max_length=20)
    limit: int = Field(500, ge=1, le=2000)


@router.get(
    f"{p.API_PREFIX}/projects/{{number}}/changes", response_model=p.ChangesPage,
    openapi_extra=documented(path=("number",), query=PageQuery),
)  # fmt: skip
async def changes(request: Request) -> Response:
    """Roster entries and other desks' records after `cursor`; the bundle's ETag in a header."""
    # Every desk pulls every minute or two: read without FastAPI's dependency solving.
    caller = bearer_of(request)
    page = query_params(request, PageQuery)
    platform: Platform = request.app.state.platform
    body, bundle_etag = await run_in_threadpool(
        reports.changes, platform, caller, request.path_params["number"],
        cursor=page.cursor, limit=page.limit,
    )  # fmt: skip
    return json_answer(body, bundle_etag=bundle_etag)


def carried_report(text: str | None) -> p.DeviceReport | None:
    """The status report an upload carries in REPORT_HEADER; 422 when it is not one."""
    if text is None:
        return None
    try:
        if len(text) > p.MAX_REPORT_HEADER:
            raise ValueError("too long")
        return p.DeviceReport.model_validate_json(text)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        count = exc.error_count() if isinstance(exc, ValidationError) else 1
        raise PlatformError(
            422, "invalid_report",
            f"the {p.REPORT_HEADER} header is not a status report ({count} problem(s))",
        ) from None  # fmt: skip


# The two requests every desk sends most (uploads, status reports) read their token and body
# themselves: FastAPI's dependency solving and body handling cost about a tenth of their CPU.
@router.post(
    f"{p.API_PREFIX}/events", response_model=p.BatchAnswer,
    openapi_extra=documented(p.EventBatch, headers=(p.REPORT_HEADER,)),
)  # fmt: skip
async def upload_events(request: Request) -> Response:
    """Up to 500 signed records; one answer per record (and the status report they carry)."""
    caller = bearer_of(request)
    body = await json_body(request, p.EventBatch)
    report = carried_report(request.headers.get(p.REPORT_HEADER))
    platform: Platform = request.app.state.platform
    answer = await run_in_threadpool(records.upload_events, platform, caller, body, report)
    return json_answer(answer)


@router.post(f"{p.API_PREFIX}/denied", response_model=p.BatchAnswer)
def upload_denied(body: p.DeniedBatch, dev: Dev, platform: PlatformDep) -> p.BatchAnswer:
    """Up to 500 refused attempts; one answer per record."""
    return records.upload_denied(platform, dev, body)


@router.post(f"{p.API_PREFIX}/walk-ins", response_model=p.BatchAnswer)
def upload_walk_ins(body: p.WalkInBatch, dev: Dev, platform: PlatformDep) -> p.BatchAnswer:
    """Identities of provisional attendees, sent before the records that reference them."""
    return walkins.upload_walk_ins(platform, dev, body)


@router.post(
    f"{p.API_PREFIX}/devices/me/status", response_model=p.DeviceStatus,
    openapi_extra=documented(p.DeviceReport),
)  # fmt: skip
async def device_status(request: Request) -> Response:
    """The device's latest sequence number in; its completeness out (403 once retired)."""
    caller = bearer_of(request)
    body = await json_body(request, p.DeviceReport)
    platform: Platform = request.app.state.platform
    desk = await run_in_threadpool(
        completeness.report_latest, platform, caller, body.latest_seq, body.head
    )
    return json_answer(p.DeviceStatus(desk=desk, server_time=platform.now()))


@router.get(f"{p.API_PREFIX}/devices/me/head", response_model=p.HeadAnswer)
def device_head(dev: Dev, platform: PlatformDep) -> p.HeadAnswer:
    """The newest signed chain head the platform holds for this device (retired ones too)."""
    return heads.head_of(platform, dev)


@router.post(f"{p.API_PREFIX}/refusals", response_model=p.BatchAnswer)
def upload_refusals(body: p.RefusalBatch, dev: Dev, platform: PlatformDep) -> p.BatchAnswer:
    """Signed stubs of records the desk gave up on; each seq then counts as received."""
    return refusals.upload_refusals(platform, dev, body)
