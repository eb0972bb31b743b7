"""The relay's HTTPS client to its upstream platform (verified TLS via sync.client.http.Http)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import httpx
from pydantic import BaseModel

from kiosk.core.timeutil import Clock, utc_now
from sync import protocol as p
from sync.client.errors import PermanentError
from sync.client.http import Http, parse

M = TypeVar("M", bound=BaseModel)


class Upstream:
    """One connection to the upstream platform as the relay device (token from enrollment)."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None,
        ca_bundle: Path | None = None,
        pin_sha256: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = utc_now,
    ):
        self._http = Http(
            url, ca_bundle=ca_bundle, pin_sha256=pin_sha256, connect_timeout=connect_timeout,
            read_timeout=read_timeout, transport=transport, clock=clock,
            headers={p.VERSION_HEADER: str(p.PROTOCOL_VERSION)},
        )  # fmt: skip
        self.token = token

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def __enter__(self) -> Upstream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        body: BaseModel | None = None,
        params: dict[str, str | int] | None = None,
    ) -> M:
        if not self.token:
            raise PermanentError("the relay is not enrolled upstream", reason="not_enrolled")
        return self._http.call(method, path, model, body=body, token=self.token, params=params)

    def enroll(self, code: str, *, public_key: str, name: str) -> p.Enrollment:
        """Exchange the upstream administrator's relay code for a device id and token."""
        body = p.EnrollRequest(code=code.strip(), public_key=public_key, desk_name=name)
        response = self._http.send(
            "POST", f"{p.API_PREFIX}/enroll", json_body=body.model_dump_json()
        )
        answer = parse(p.Enrollment, response)
        self.token = answer.token
        return answer

    def server_time(self) -> datetime:
        """The platform's clock (also a cheap reachability probe)."""
        response = self._http.send("GET", f"{p.API_PREFIX}/time")
        return parse(p.ServerTime, response).server_time

    def project(self, number: str, *, etag: str | None) -> tuple[p.ProjectBundle | None, str]:
        """The project bundle and its ETag; (None, etag) when unchanged."""
        if not self.token:
            raise PermanentError("the relay is not enrolled upstream", reason="not_enrolled")
        response = self._http.send(
            "GET", f"{p.API_PREFIX}/projects/{number}", token=self.token,
            headers={"If-None-Match": etag} if etag else None,
        )  # fmt: skip
        if response.status_code == 304:
            return None, etag or response.headers.get("etag", "")
        return parse(p.ProjectBundle, response), response.headers.get("etag", "")

    def changes(self, number: str, *, cursor: str, limit: int = 500) -> p.ChangesPage:
        """One page of roster entries (and records) after `cursor`."""
        return self._call(
            "GET", f"{p.API_PREFIX}/projects/{number}/changes", p.ChangesPage,
            params={"cursor": cursor, "limit": limit},
        )  # fmt: skip

    def register(self, device: p.RelayDevice) -> p.RelayDeviceAnswer:
        """Register one of the relay's kiosks (idempotent)."""
        return self._call("POST", f"{p.API_PREFIX}/relay/devices", p.RelayDeviceAnswer, body=device)

    def events(self, records: Sequence[p.EventRecord]) -> p.BatchAnswer:
        """Forward kiosks' signed records verbatim; one answer per record."""
        body = p.EventBatch(records=list(records))
        return self._call("POST", f"{p.API_PREFIX}/relay/events", p.BatchAnswer, body=body)

    def denied(self, records: Sequence[p.DeniedRecord]) -> p.BatchAnswer:
        """Forward kiosks' refused attempts; one answer per record."""
        body = p.DeniedBatch(records=list(records))
        return self._call("POST", f"{p.API_PREFIX}/relay/denied", p.BatchAnswer, body=body)

    def walk_ins(self, records: Sequence[p.WalkIn]) -> p.BatchAnswer:
        """Forward kiosks' walk-in identities; one answer per walk-in (`uuid` = attendee_id)."""
        body = p.WalkInBatch(records=list(records))
        return self._call("POST", f"{p.API_PREFIX}/relay/walk-ins", p.BatchAnswer, body=body)

    def refusals(self, stubs: Sequence[p.Refusal]) -> p.BatchAnswer:
        """Forward kiosks' signed refusal stubs; one answer per stub."""
        body = p.RefusalBatch(records=list(stubs))
        return self._call("POST", f"{p.API_PREFIX}/relay/refusals", p.BatchAnswer, body=body)

    def codes(self) -> p.RelayCodes:
        """The project's open venue codes as verifiers (kiosks enroll here with them offline)."""
        return self._call("GET", f"{p.API_PREFIX}/relay/codes", p.RelayCodes)

    def report(self, desks: Sequence[p.RelayDeskReport]) -> p.RelayStatusAnswer:
        """Forward the kiosks' latest sequence numbers; their completeness and state come back."""
        body = p.RelayStatusReport(desks=list(desks))
        return self._call("POST", f"{p.API_PREFIX}/relay/status", p.RelayStatusAnswer, body=body)
