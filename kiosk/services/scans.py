"""A scanned payload at this desk: verified against the store's keys and roster, then checked in."""

from __future__ import annotations

from drivers.scanner.burst import BurstConfig
from kiosk.config import ScannerSection
from kiosk.core.charset import Payload
from kiosk.core.codes import VerifyContext, handle_scan, kiosk_context
from kiosk.core.codes.verdict import Verdict
from kiosk.core.model import Method
from kiosk.services.checkin import CheckInService, Credential, Outcome, Status
from sync.store import Store


def desk_context(service: CheckInService) -> VerifyContext:
    """The verification context of the service's project from what its store holds right now."""
    store: Store = service.store
    project = service.project
    number = project.number
    # Read per scan, not cached: a roster update or key rotation applies to the very next code.
    return kiosk_context(
        project,
        ticket_keys=store.keys.ticket_keys(number),
        attendee_secret=lambda ref: store.keys.attendee_secret(number, ref),
        attendee_known=lambda ref: store.roster.get_attendee(number, ref) is not None,
        replay_guard=store.keys,  # durable: a restart does not reopen the last minute's slots
        clock=service.clock,  # the same clock as the check-in decision
    )


def refused_outcome(verdict: Verdict) -> Outcome:
    """The red answer for a code the verifier refused (the denied record is already kept)."""
    return Outcome(
        Status.REFUSED, verdict.message_zh, verdict.message_en, reason=verdict.reason.value
    )


def scan_payload(
    payload: str | bytes | Payload,
    *,
    service: CheckInService,
    source: str,
) -> Outcome:
    """Verify one payload; accepted → the service's check-in, refused → logged, kept, red."""

    def admit(verdict: Verdict) -> Outcome:
        assert verdict.attendee_id is not None  # accepted verdicts always name the attendee
        return service.present(Credential.attendee(verdict.attendee_id, method=Method.QR))

    context = desk_context(service)
    result = handle_scan(payload, context=context, admit=admit, deny=service, source=source)
    if result.outcome is not None:
        return result.outcome
    return refused_outcome(result.verdict)


def burst_config(section: ScannerSection) -> BurstConfig:
    """The keyboard-burst rules (wedge and evdev scanners) from the [scanner] section."""
    return BurstConfig(
        max_interkey_ms=float(section.wedge_max_interkey_ms),
        min_length=section.wedge_min_length,
        terminator=section.wedge_terminator,
        prefix=section.wedge_prefix,
        suffix=section.wedge_suffix,
    )
