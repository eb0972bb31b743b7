"""Plain roster codes (`CME-NUM1:A17`): an attendee reference printed on a badge, not signed.

Anyone can print one, so a project accepts them only when its organizer allows it
(`checkin.allow_plain_roster_codes`). When allowed, a bare reference without the prefix (a badge
printed by another system) is also accepted if it names someone on the roster.
"""

from __future__ import annotations

import re

from kiosk.core.codes.wire import MAX_ATTENDEE_BYTES, WireError, check_field

PREFIX = "CME-NUM1:"
FAMILY = "CME-NUM"
# What a roster reference may look like: letters, digits and a few separators, nothing that an
# SQL, shell or template injection needs (quotes, spaces, semicolons, braces, slashes).
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def make_roster_code(attendee_id: str) -> str:
    """The payload for a printed badge."""
    check_field(attendee_id, name="attendee", limit=MAX_ATTENDEE_BYTES)
    if not REFERENCE.fullmatch(attendee_id):
        raise ValueError(f"attendee reference {attendee_id!r} cannot be a roster code")
    return PREFIX + attendee_id


def parse_roster_code(body_text: str) -> str:
    """The attendee reference of a prefixed roster code (without its prefix); WireError if bad."""
    if not REFERENCE.fullmatch(body_text):
        raise WireError("not an attendee reference")
    return body_text


def looks_like_bare_reference(text: str) -> bool:
    """Whether unprefixed text could be a badge number printed by another system."""
    return REFERENCE.fullmatch(text) is not None
