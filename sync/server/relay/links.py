"""A relay's enrollments upstream (one link per project) and what a forwarding pass reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row


class RelayError(Exception):
    """The relay cannot do what was asked; the message says what to do."""


@dataclass(frozen=True, slots=True)
class RelayLink:
    """The relay's enrollment with its upstream platform for one project."""

    project: str
    upstream_url: str
    ca_bundle: str | None
    pinned_sha256: str | None
    device_id: str
    token: str = field(repr=False)  # a bearer secret: never in a repr or a log line
    bundle_etag: str | None = None
    pull_cursor: str = "0"

    @classmethod
    def from_row(cls, row: Row[Any]) -> RelayLink:
        """Build from a relay_links row."""
        m = row._mapping
        return cls(
            project=m["project"], upstream_url=m["upstream_url"], ca_bundle=m["ca_bundle"],
            pinned_sha256=m["pinned_sha256"], device_id=m["device_id"], token=m["token"],
            bundle_etag=m["bundle_etag"], pull_cursor=m["pull_cursor"] or "0",
        )  # fmt: skip


@dataclass(slots=True)
class LinkResult:
    """What one forwarding pass did for one project (error empty when it went through)."""

    project: str
    roster: int = 0
    codes: int = 0  # venue codes newly carried (verifiers)
    registered: int = 0
    answers: dict[str, int] = field(default_factory=dict)  # "event accepted" → count
    error: str = ""
    problems: list[str] = field(default_factory=list)  # per kiosk; the rest went through
    permanent: bool = False
    retry_after: float | None = None
