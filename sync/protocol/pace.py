"""The platform's pace: how often, at most, it asks its desks to upload and to pull.

A province's platform can carry ten times its busiest morning only if desks send fewer, larger
uploads then (docs/scale.md). It says so in two answer headers: a kiosk drains and pulls no more
often than asked (never more often than its own settings either). They are headers, not body
fields, so a kiosk that does not know them is unaffected (docs/protocol.md, "The platform's pace").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PUSH_INTERVAL_HEADER = "CME-Push-Interval"
PULL_INTERVAL_HEADER = "CME-Pull-Interval"
# The longest a kiosk waits on the platform's word: a garbage or mistyped value costs a desk at
# most this much delay, never its records.
MAX_PACE_S = 600


@dataclass(frozen=True, slots=True)
class Pace:
    """Seconds between a desk's drains and between its pulls, at least; 0: the desk's own."""

    push_s: int = 0
    pull_s: int = 0

    def __post_init__(self) -> None:
        for name in ("push_s", "pull_s"):
            value = getattr(self, name)
            if not 0 <= value <= MAX_PACE_S:
                raise ValueError(f"{name} must be between 0 and {MAX_PACE_S} seconds")

    def headers(self) -> list[tuple[bytes, bytes]]:
        """The answer headers that say it (ASGI form); none for a platform that sets no pace."""
        pairs = ((PUSH_INTERVAL_HEADER, self.push_s), (PULL_INTERVAL_HEADER, self.pull_s))
        return [(name.lower().encode(), str(s).encode()) for name, s in pairs if s]

    @classmethod
    def of(cls, headers: Mapping[str, str]) -> Pace:
        """The pace an answer asks for; a header that is absent or not a number asks nothing."""
        return cls(_seconds(headers.get(PUSH_INTERVAL_HEADER)),
                   _seconds(headers.get(PULL_INTERVAL_HEADER)))  # fmt: skip


def _seconds(text: str | None) -> int:
    """Whole seconds from a header, capped at MAX_PACE_S; 0 for anything else."""
    digits = (text or "").strip()
    if not (digits.isascii() and digits.isdigit()):
        return 0
    # Never int() a long run of digits: past 4,300 Python refuses it (ValueError), and a value
    # that long is past the cap anyway.
    digits = digits.lstrip("0") or "0"
    return MAX_PACE_S if len(digits) > len(str(MAX_PACE_S)) else min(int(digits), MAX_PACE_S)


NO_PACE = Pace()  # a platform that leaves each desk to its own settings
