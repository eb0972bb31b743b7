"""A scanned payload at the desk: verified codes go to check-in, each refusal is logged and kept."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from kiosk.core.charset import Payload, decode_payload
from kiosk.core.codes.verdict import Verdict
from kiosk.core.codes.verify import VerifyContext, classify_and_verify
from kiosk.core.errors import KioskError
from kiosk.core.model import Method

log = logging.getLogger(__name__)

R = TypeVar("R")


class DenySink(Protocol):
    """Where refused attempts are kept (kiosk.services.checkin.CheckInService satisfies it)."""

    def deny(
        self,
        *,
        method: Method,
        reason: str,
        credential_text: str,
        detail: str = "",
        now: datetime | None = None,
    ) -> None:
        """Record one refused attempt; the credential is kept only as a keyed HMAC."""
        ...


@dataclass(frozen=True, slots=True)
class ScanResult(Generic[R]):
    """The verdict, and the check-in outcome when the code was accepted."""

    verdict: Verdict
    outcome: R | None


def credential_text(payload: str | bytes | Payload) -> str:
    """The text whose HMAC the denied record keeps (bytes that are no text as `hex:…`).

    The code's text, not its bytes: the same GBK badge read by the camera and by a scanner that
    sends UTF-8 is one credential.
    """
    if isinstance(payload, str):
        return payload
    if isinstance(payload, bytes):
        payload = decode_payload(payload)
    return payload.text


def handle_scan(
    payload: str | bytes | Payload,
    *,
    context: VerifyContext,
    admit: Callable[[Verdict], R],
    deny: DenySink,
    source: str = "qr",
) -> ScanResult[R]:
    """Verify one payload; call `admit` if accepted, else log it and record a denied attempt."""
    verdict = classify_and_verify(payload, context=context)
    if verdict.accepted:
        return ScanResult(verdict, admit(verdict))
    # The detail names the format, attendee reference and key id, never the payload or a secret.
    log.warning("code refused from %s: %s (%s)", source, verdict.reason.value, verdict.detail)
    try:
        deny.deny(
            method=Method.QR,
            reason=verdict.reason.value,
            credential_text=credential_text(payload),
            detail=verdict.detail,
        )
    except KioskError as exc:  # storage full: the screen still says why the code was refused
        log.error("refused code not recorded: %s", exc.detail)
    return ScanResult(verdict, None)
