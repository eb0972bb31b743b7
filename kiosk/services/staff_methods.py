"""Which attendance methods a project accepts, and what staff offer before a manual record.

A project's desk settings (`project.checkin.methods`) and its province profile (e.g. Inner
Mongolia's provincial projects: QR or face only) both limit the methods. Where manual is not
accepted, staff mode offers first what is: a face capture at the desk when face is on, and the
one-time code on the attendee's phone (kiosk.core.codes.phone) when QR is. A manual record made
anyway is kept, flagged `method_not_accepted` for the organizer.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from kiosk.core.model import Method, Project
from kiosk.core.rules import ProfileError, load_profile
from kiosk.core.rules.schema import Profile

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=8)
def _profile(name: str) -> Profile | None:
    try:
        return load_profile(name)
    except ProfileError as exc:
        log.warning("profile %s not loaded: the project's own methods apply (%s)", name, exc)
        return None


def accepted_methods(project: Project) -> frozenset[Method]:
    """The methods both the project's settings and its profile accept."""
    methods = frozenset(project.checkin.methods)
    profile = _profile(project.profile)
    if profile is not None:
        methods &= frozenset(profile.attendance.accepted(project.level).value)
    return methods


@dataclass(frozen=True, slots=True)
class Fallback:
    """One way to record a person whose card or code did not work, in the order to offer them."""

    kind: str  # face | phone_code | manual
    flagged: bool = False  # a record made this way is flagged for the organizer
    ready: bool = True  # face: an enrolled template exists; phone_code: the person has a secret


@dataclass(frozen=True, slots=True)
class Fallbacks:
    """What the screen offers for one attendee, first to last."""

    attendee_id: str
    accepted: frozenset[Method]
    offers: tuple[Fallback, ...]
    refused: str = ""  # a reason code (not_signed_in) when nothing is offered

    @property
    def manual_flagged(self) -> bool:
        """Whether a manual record would be flagged (manual is not an accepted method)."""
        return Method.MANUAL not in self.accepted


def fallbacks(
    project: Project, *, has_template: bool, has_secret: bool, attendee_id: str
) -> Fallbacks:
    """The offers for one person: accepted methods first, manual last (flagged when excluded)."""
    accepted = accepted_methods(project)
    offers: list[Fallback] = []
    if Method.MANUAL not in accepted:
        if Method.FACE in accepted:
            offers.append(Fallback("face", ready=has_template))
        if Method.QR in accepted:
            offers.append(Fallback("phone_code", ready=has_secret))
    offers.append(Fallback("manual", flagged=Method.MANUAL not in accepted))
    return Fallbacks(attendee_id, accepted, tuple(offers))
