"""When the database cannot serve: a typed 503 with Retry-After, never a 500 or a hung request.

The kiosk client types every 5xx as transient (sync.client.http.error_for) and honours
Retry-After, so its records stay queued: an outage is never taken for a poison record. Two
answers: `platform_busy` (no pooled connection or row lock within its timeout, db.PoolSettings)
and `platform_unavailable` (the database refused, dropped or lost the connection, e.g. while
PostgreSQL restarts). The logs name the error class and SQLSTATE only: a driver's message may
quote the values of the statement, and those may be personal data.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)

BUSY_RETRY_S = 2  # a pool or lock wait timed out: the platform is loaded, not down
DOWN_RETRY_S = 5  # the database is away (restarting, unreachable)
# SQLSTATEs of waits that timed out (lock_timeout, statement cancelled): busy, not down.
_BUSY_STATES = frozenset({"55P03", "57014", "40P01", "40001"})


def answer(status: int, error: str, message: str, *, retry_after: int) -> JSONResponse:
    """The typed answer: {error, message, retry_after} and the Retry-After header."""
    return JSONResponse(
        {"error": error, "message": message, "retry_after": retry_after},
        status_code=status,
        headers={"Retry-After": str(retry_after)},
    )


def busy() -> JSONResponse:
    """503 platform_busy: no database connection or lock free in time."""
    return answer(
        503, "platform_busy", "the platform is busy; try again shortly", retry_after=BUSY_RETRY_S
    )


def down() -> JSONResponse:
    """503 platform_unavailable: the database is not reachable right now."""
    return answer(
        503, "platform_unavailable", "the platform's database is unavailable; try again shortly",
        retry_after=DOWN_RETRY_S,
    )  # fmt: skip


def sqlstate(exc: DBAPIError) -> str:
    """The driver error's SQLSTATE, or '' (SQLite, connection failures)."""
    return str(getattr(exc.orig, "sqlstate", None) or "")


def is_busy(exc: DBAPIError) -> bool:
    """A wait that timed out or a transaction the database chose to abort: busy, not down."""
    sqlite = str(getattr(exc.orig, "sqlite_errorname", ""))
    return sqlstate(exc) in _BUSY_STATES or sqlite in ("SQLITE_BUSY", "SQLITE_LOCKED")


def is_outage(exc: DBAPIError) -> bool:
    """Whether retrying later can succeed: connection lost or refused, or a wait timed out."""
    return exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))


def register(app: FastAPI) -> None:
    """Answer database outages and exhausted pools with 503; other database errors stay 500."""

    @app.exception_handler(PoolTimeout)
    async def pool_exhausted(request: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("%s %s: no database connection free in time", request.method, request.url.path)
        return busy()

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if not is_outage(exc):
            raise exc  # a defect, not an outage: the app's last-resort handler answers it
        what = f"{type(exc.orig).__name__} {sqlstate(exc)}".strip()
        log.warning("%s %s: database unavailable: %s", request.method, request.url.path, what)
        return busy() if is_busy(exc) else down()
