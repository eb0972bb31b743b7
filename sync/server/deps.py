"""What the routers share: the platform behind the app, the calling device, the versions spoken.

Every router takes its dependencies from here (never from sync.server.app), so the app can
include routers without either importing the other.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError

from sync.server.platform import Bearer, Device, Platform, PlatformError, refuse_retired


# Async (they do no I/O): FastAPI runs a plain `def` dependency on a worker thread, a hop per
# request that costs more than the lookup itself.
async def the_platform(request: Request) -> Platform:
    """The Platform the app was created over (app.state.platform)."""
    platform: Platform = request.app.state.platform
    return platform


async def supported_versions(request: Request) -> list[int]:
    """The protocol versions this app speaks (app.state.supported_versions)."""
    return list(request.app.state.supported_versions)


PlatformDep = Annotated[Platform, Depends(the_platform)]
Versions = Annotated[list[int], Depends(supported_versions)]

_bearer = HTTPBearer(auto_error=False, description="the device token from enrollment")


async def bearer(
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Bearer:
    """The request's device token, for a route that looks it up in its own transaction.

    Async and without I/O: the hot routes (uploads, status reports) then take one pooled
    connection and one thread-pool hop a request (`current_device` costs a second of each).
    """
    if creds is None or not creds.credentials:
        raise PlatformError(401, "unauthorized", "a device token is required")
    return Bearer(creds.credentials)


Token = Annotated[Bearer, Depends(bearer)]

M = TypeVar("M", bound=BaseModel)


def bearer_of(request: Request) -> Bearer:
    """The request's device token as `bearer` reads it, for a route without dependencies."""
    # HTTPBearer's reading: the scheme before the first space, any case; the rest stripped.
    scheme, _, rest = request.headers.get("authorization", "").partition(" ")
    credentials = rest.strip()
    if scheme.lower() != "bearer" or not credentials:
        raise PlatformError(401, "unauthorized", "a device token is required")
    return Bearer(credentials)


async def json_body(request: Request, model: type[M]) -> M:
    """The request's body as `model`, or the 422 FastAPI answers for a declared body."""
    raw = await request.body()
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise _invalid(exc, "body") from None


def query_params(request: Request, model: type[M]) -> M:
    """The request's query as `model`, or the 422 FastAPI answers for declared query values."""
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise _invalid(exc, "query") from None


def _invalid(exc: ValidationError, where: str) -> RequestValidationError:
    """pydantic's problems as FastAPI reports a declared value's: located under `where`."""
    problems = exc.errors(include_url=False, include_context=False, include_input=False)
    return RequestValidationError([{**e, "loc": (where, *e["loc"])} for e in problems])


# The bodies of routes that read their own (`documented`): FastAPI does not see them, so
# `with_bodies` adds their schemas to the OpenAPI document.
_BODIES: dict[str, type[BaseModel]] = {}


def documented(
    body: type[BaseModel] | None = None, *, path: tuple[str, ...] = (),
    query: type[BaseModel] | None = None, headers: tuple[str, ...] = (),
) -> dict[str, Any]:  # fmt: skip
    """OpenAPI for a route that reads its own token, path, query and body (`bearer_of`,
    `query_params`, `json_body`): what FastAPI writes for them when they are declared."""
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in path
    ]
    if query is not None:
        fields = query.model_json_schema()["properties"]
        parameters += [
            {"name": name, "in": "query", "required": False, "schema": schema}
            for name, schema in fields.items()
        ]
    parameters += [
        {"name": h, "in": "header", "required": False, "schema": {"type": "string"}}
        for h in headers
    ]
    invalid = {"$ref": _ref("HTTPValidationError")}
    spec: dict[str, Any] = {
        "security": [{"HTTPBearer": []}],
        "parameters": parameters,
        "responses": {
            "422": {"description": "Validation Error",
                    "content": {"application/json": {"schema": invalid}}},
        },
    }  # fmt: skip
    if body is not None:
        _BODIES[body.__name__] = body
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": _ref(body.__name__)}}},
        }
    return spec


def _ref(name: str) -> str:
    return f"#/components/schemas/{name}"


def current_device(platform: PlatformDep, token: Token) -> Device:
    """The device whose bearer token came with the request (401 unknown, 403 revoked)."""
    return platform.authenticate(token.token)


Dev = Annotated[Device, Depends(current_device)]


async def active_device(device: Dev) -> Device:
    """The calling device, refused 403 once retired: a retired device pulls and reports nothing.

    Async (no I/O), like the_platform: a thread-pool hop per request saved.
    (Its uploads still go through `Dev`: they are judged record by record against the seq
    frozen at retirement.)
    """
    refuse_retired(device)
    return device


ActiveDev = Annotated[Device, Depends(active_device)]


def enrolled_for(device: Device, number: str) -> None:
    """403 unless the device is enrolled for this project."""
    if device.project != number:
        raise PlatformError(403, "not_enrolled_for_project", f"not enrolled for {number}")


def with_bodies(spec: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with the schemas of the `documented` bodies (and theirs) added."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, model in sorted(_BODIES.items()):
        schema = model.model_json_schema(ref_template=_ref("{model}"))
        for inner, definition in schema.pop("$defs", {}).items():
            schemas.setdefault(inner, definition)
        schemas.setdefault(name, schema)
    return spec
