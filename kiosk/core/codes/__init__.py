"""Check-in code formats (signed tickets, rotating codes, roster codes) and their offline checks.

Pure: no Qt, drivers, sync or network. `classify_and_verify(payload, context=...)` judges any
scanned payload; the signing functions are what the platform uses to issue codes.
"""

from __future__ import annotations

from kiosk.core.codes.desk import DenySink, ScanResult, credential_text, handle_scan
from kiosk.core.codes.roster_code import make_roster_code
from kiosk.core.codes.rotating import (
    SLOT_SECONDS,
    MemoryReplayGuard,
    ReplayGuard,
    make_rotating_code,
    slot_of,
)
from kiosk.core.codes.ticket import Ticket, sign_ticket
from kiosk.core.codes.verdict import Reason, Verdict, VerdictKind
from kiosk.core.codes.verify import (
    VerifyContext,
    classify_and_verify,
    inspection_context,
    kiosk_context,
)
from kiosk.core.codes.wire import MAX_PAYLOAD

__all__ = [
    "MAX_PAYLOAD",
    "SLOT_SECONDS",
    "DenySink",
    "MemoryReplayGuard",
    "Reason",
    "ReplayGuard",
    "ScanResult",
    "Ticket",
    "Verdict",
    "VerdictKind",
    "VerifyContext",
    "classify_and_verify",
    "credential_text",
    "handle_scan",
    "inspection_context",
    "kiosk_context",
    "make_roster_code",
    "make_rotating_code",
    "sign_ticket",
    "slot_of",
]
