"""The organizer's correction log as the platform receives it: references instead of ID numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kiosk.core.credits.corrections import correction_id
from kiosk.core.ids import mask_number
from kiosk.reports.workspace import Credentials, _correction


class CorrectionUploadError(ValueError):
    """A logged correction cannot be sent, or the platform refused one."""


def _ref(id_number: str, refs: Mapping[str, str]) -> str | None:
    """The platform's reference for an ID number; a number it cannot map is sent masked."""
    if not id_number:
        return None
    return refs.get(id_number) or mask_number(id_number)


def _state(state: Mapping[str, Any], refs: Mapping[str, str]) -> dict[str, str | int | None]:
    """A before/after state with the ID number replaced by the attendee's reference."""
    out: dict[str, str | int | None] = {}
    for key, value in state.items():
        if key == "id_number":
            out["attendee_id"] = _ref(str(value), refs)
        elif value is None or isinstance(value, (str, int)):
            out[key] = value
        else:
            out[key] = str(value)
    return out


def correction_entries(
    audit: Sequence[Mapping[str, Any]], refs: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Each logged correction as a CorrectionEntry body (sync.protocol), in the order made.

    The platform holds the roster under references (`A17`): full ID numbers do not need to
    travel again, so every one is replaced by its reference (PIPL: no more copies than needed).
    """
    out = []
    for entry in audit:
        c = _correction(entry["correction"])
        # The desk's void or dispute it settles travels in the state after it.
        after = {**entry.get("after", {}), **({"resolves": c.resolves} if c.resolves else {})}
        out.append(
            {
                "id": correction_id(c),
                "kind": c.kind.value,
                "by": c.by,
                "made_at": c.at.isoformat(),
                "reason": c.reason,
                "attendee_id": _ref(c.id_number, refs),
                "into_attendee_id": _ref(c.into, refs),
                "record_id": c.record_id,
                "moment": c.moment.isoformat() if c.moment else None,
                "before": _state(entry.get("before", {}), refs),
                "after": _state(after, refs),
            }
        )
    return out


def upload_corrections(
    creds: Credentials, audit: Sequence[Mapping[str, Any]], refs: Mapping[str, str]
) -> dict[str, int]:
    """POST the log to /projects/{n}/corrections in batches; answer counts by status."""
    from pathlib import Path

    from pydantic import ValidationError

    from kiosk.core.timeutil import utc_now
    from sync import protocol as p
    from sync.client.http import Http, parse

    try:
        entries = [p.CorrectionEntry.model_validate(b) for b in correction_entries(audit, refs)]
    except ValidationError as exc:
        raise CorrectionUploadError(
            f"a logged correction cannot be sent ({exc.error_count()} problem(s))"
        ) from None
    if not entries:
        return {}
    http = Http(
        creds.server_url, ca_bundle=Path(creds.ca_bundle) if creds.ca_bundle else None,
        pin_sha256=creds.pinned_sha256, connect_timeout=5.0, read_timeout=30.0, transport=None,
        clock=utc_now, headers={p.VERSION_HEADER: str(p.PROTOCOL_VERSION)},
    )  # fmt: skip
    counts: dict[str, int] = {}
    try:
        for i in range(0, len(entries), p.MAX_BATCH):
            body = p.CorrectionBatch(corrections=entries[i : i + p.MAX_BATCH])
            response = http.send(
                "POST", f"{p.API_PREFIX}/projects/{creds.project}/corrections",
                json_body=body.model_dump_json(), token=creds.token,
            )  # fmt: skip
            for a in parse(p.BatchAnswer, response).answers:
                counts[a.status] = counts.get(a.status, 0) + 1
                if a.status == "rejected":
                    raise CorrectionUploadError(
                        f"the platform refused correction {a.uuid} ({a.reason})"
                    )
    finally:
        http.close()
    return counts
