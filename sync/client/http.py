"""HTTPS plumbing of the sync client: verified TLS, an optional pin, and where errors get typed.

Every failure leaves here as one of sync.client.errors: TransientError (try again later: network,
timeout, 5xx, 429, an unreadable answer), PermanentError (retrying cannot help: staff must act),
or its kinds UpdateNeeded, DeviceRevoked and SubmissionRefused. Nothing here can switch
verification off.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import socket
import ssl
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from sync.client.errors import (
    DeviceRevoked,
    PermanentError,
    SubmissionRefused,
    TransientError,
    UpdateNeeded,
)
from sync.protocol.pace import Pace

M = TypeVar("M", bound=BaseModel)

log = logging.getLogger(__name__)


class PinnedContext(ssl.SSLContext):
    """A verifying client context that also requires the server certificate's SHA-256 pin."""

    pin_sha256: str | None = None

    def wrap_socket(self, sock: socket.socket, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        """Handshake (with normal verification), then compare the leaf certificate's digest."""
        tls = super().wrap_socket(sock, *args, **kwargs)
        if self.pin_sha256:
            der = tls.getpeercert(binary_form=True) or b""
            if hashlib.sha256(der).hexdigest() != self.pin_sha256:
                tls.close()
                raise ssl.SSLCertVerificationError(
                    "server certificate does not match the pinned SHA-256"
                )
        return tls


def tls_context(ca_bundle: Path | None = None, pin_sha256: str | None = None) -> ssl.SSLContext:
    """Certificate and host name verification always on; a CA bundle replaces the system store."""
    ctx = PinnedContext(ssl.PROTOCOL_TLS_CLIENT)  # check_hostname and CERT_REQUIRED by default
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_bundle is not None:
        ctx.load_verify_locations(cafile=str(ca_bundle))
    else:
        ctx.load_default_certs()
    if pin_sha256:
        pin = pin_sha256.lower().replace(":", "")
        if len(pin) != 64 or any(ch not in "0123456789abcdef" for ch in pin):
            raise ValueError("pinned_sha256 must be the 64-hex-digit SHA-256 of the certificate")
        ctx.pin_sha256 = pin
    return ctx


def retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def _tls_problem(exc: BaseException) -> str | None:
    """The certificate failure inside a connect error, if that is what it is."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return str(getattr(seen, "verify_message", None) or seen)
        seen = seen.__cause__ or seen.__context__
    return None


def transport_error(exc: httpx.TransportError) -> Exception:
    """Network-level failures are transient, except an untrusted or mismatched certificate."""
    problem = _tls_problem(exc)
    if problem is not None:
        return PermanentError(
            f"the platform's certificate is not trusted: {problem}", reason="tls_untrusted"
        )
    kind = type(exc).__name__
    return TransientError(f"network: {kind}: {exc}" if str(exc) else f"network: {kind}")


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def error_for(response: httpx.Response, *, now: datetime) -> Exception:
    """Type a non-2xx answer: transient (408, 429, 5xx) or one of the permanent kinds."""
    status = response.status_code
    body = _body(response)
    code = str(body.get("error") or f"http_{status}")
    message = str(body.get("message") or response.reason_phrase or f"HTTP {status}")
    if status in (408, 425, 429) or status >= 500:
        wait = retry_after(response.headers.get("retry-after"), now=now)
        return TransientError(
            f"platform busy or failing (HTTP {status}): {message}", retry_after=wait,
            status=status, code=code,
        )  # fmt: skip
    if status == 426 or code == "unsupported_protocol_version":
        supported = [v for v in body.get("supported", []) if isinstance(v, int)]
        return UpdateNeeded(
            f"update needed: the platform speaks protocol {supported or 'unknown'}",
            supported=supported,
        )
    if status == 403 and code == "device_revoked":
        return DeviceRevoked(f"this kiosk was revoked by the platform: {message}",
                             detail=str(body.get("reason", "")))  # fmt: skip
    if status == 409 and code.startswith(("submission_", "desks_")):
        return SubmissionRefused(message, reason=code, body=body)
    return PermanentError(
        f"platform refused the request (HTTP {status}): {message}", reason=code, status=status
    )


def parse(model: type[M], response: httpx.Response) -> M:
    """A 2xx answer as its model; anything unreadable is a transient failure (retry)."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise TransientError(
            f"unreadable answer from the platform ({exc.error_count()} problem(s))"
        ) from None


class Http:
    """One httpx client with typed failures; `send` returns only 2xx (and 304) responses."""

    def __init__(
        self,
        base_url: str,
        *,
        ca_bundle: Path | None,
        pin_sha256: str | None,
        connect_timeout: float,
        read_timeout: float,
        transport: httpx.BaseTransport | None,
        clock: Callable[[], datetime],
        headers: dict[str, str],
    ):
        if not base_url.startswith("https://"):
            raise ValueError(f"the platform URL must start with https:// (got {base_url!r})")
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout, pool=connect_timeout)
        if transport is None:
            transport = httpx.HTTPTransport(verify=tls_context(ca_bundle, pin_sha256), retries=0)
        self._clock = clock
        self.pace = Pace()  # what the platform's last such answer asked (sync.protocol.pace)
        self.client = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport, headers=headers,
            follow_redirects=False,
        )  # fmt: skip

    def send(
        self,
        method: str,
        path: str,
        *,
        json_body: str | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str | int] | None = None,
    ) -> httpx.Response:
        """One request; raises TransientError/PermanentError (and kinds) for every failure."""
        extra = dict(headers or {})
        if token is not None:
            extra["Authorization"] = f"Bearer {token}"
        if json_body is not None:
            extra["Content-Type"] = "application/json"
        try:
            response = self.client.request(
                method, path, content=json_body, headers=extra, params=params
            )
        except httpx.TransportError as exc:
            raise transport_error(exc) from None
        if response.status_code == 304 or 200 <= response.status_code < 300:
            self._paced(Pace.of(response.headers))
            return response
        raise error_for(response, now=self._clock())

    def _paced(self, pace: Pace) -> None:
        if pace != self.pace:
            log.info("the platform asks for uploads at most every %d s and pulls every %d s"
                     " (0: as set here)", pace.push_s, pace.pull_s)  # fmt: skip
        self.pace = pace

    def call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        body: BaseModel | None = None,
        token: str | None = None,
        params: dict[str, str | int] | None = None,
        headers: dict[str, str] | None = None,
    ) -> M:
        """One JSON request whose 2xx answer is `model`; failures typed as in `send`."""
        response = self.send(
            method, path, json_body=body.model_dump_json() if body is not None else None,
            token=token, params=params, headers=headers,
        )  # fmt: skip
        return parse(model, response)

    def close(self) -> None:
        """Close pooled connections."""
        self.client.close()
