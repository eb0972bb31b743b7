"""What the platform takes from a province profile (kiosk/core/rules): the submission window."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

DEFAULT_SUBMISSION_DAYS = 14


def profile_submission_days(profile: str) -> int:
    """Days after the last day in which the report is accepted, from the province profile.

    An unknown or unreadable profile must not stop the platform: it is logged and the national
    rule (14 days) applies.
    """
    from kiosk.core.rules import ProfileError, load_profile

    try:
        return int(load_profile(profile).submission.days_after_last_day.value)
    except ProfileError as exc:
        log.warning("profile %s unusable (%s): submission window 14 days", profile, exc)
        return DEFAULT_SUBMISSION_DAYS
